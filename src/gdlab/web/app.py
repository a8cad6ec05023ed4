"""The playground's FastAPI app: `create_app()` and `serve()` (layer L5).

    gdlab playground [--host 127.0.0.1] [--port 8765] [--open]   →   serve(host, port, open_browser)

The page and every asset come from the package (`static/`), plotly.js from the installed
plotly wheel; nothing is fetched from elsewhere, so the page works offline.  The OpenAPI
schema is at /api/openapi.json (no /docs page: it would load its scripts from a CDN).
"""

from __future__ import annotations

import os
import socket
import threading
import time
import webbrowser
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gdlab import __version__
from gdlab.web import limits, routes
from gdlab.web.caches import Cache
from gdlab.web.errors import HANDLERS, TOO_LARGE, error_response
from gdlab.web.limits import Settings

STATIC = Path(str(resources.files("gdlab.web") / "static"))
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
HOSTS_VARIABLE = "GDLAB_PLAYGROUND_HOSTS"  # hosts answered, for serve(workers > 1)
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (
        b"content-security-policy",
        b"default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
        b"connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    ),
)


def plotly_js() -> Path:
    """plotly.min.js as the plotly Python package ships it."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


class BodyLimit:
    """Refuse a request body over `limit` bytes with 413, before the route reads it.

    The body is read here (at most `limit` bytes are ever held) and handed on whole.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(scope, receive, send)
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.limit:
                await self._refuse(scope, receive, send)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"the request body is larger than {self.limit} bytes"
        await error_response(TOO_LARGE, detail)(scope, receive, send)


class SecurityHeaders:
    """Add the page's security headers (CSP: nothing but this server) to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers if scope["type"] == "http" else send)


def create_app(
    settings: Settings | None = None, *, allowed_hosts: tuple[str, ...] = ("*",)
) -> FastAPI:
    """The playground app.  `allowed_hosts` guards against DNS rebinding (`serve` sets it)."""
    settings = settings or Settings()
    app = FastAPI(
        title="gdlab playground",
        version=__version__,
        description="Watch gradient-descent optimizers descend: the playground's JSON API.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.expressions = Cache(settings.cache_size)
    app.state.runs = Cache(settings.run_cache_rows, weight=lambda info: len(info.path))
    app.state.catalog_json = routes.catalog_response(settings).model_dump_json().encode()
    for error, handler in HANDLERS:
        app.add_exception_handler(error, handler)
    app.include_router(routes.router)
    _pages(app)
    app.add_middleware(BodyLimit, limit=limits.MAX_BODY_BYTES)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    return app


def _pages(app: FastAPI) -> None:
    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    @app.get("/static/vendor/plotly.min.js", include_in_schema=False)
    def plotly() -> FileResponse:
        return FileResponse(plotly_js(), media_type="text/javascript")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")


def served_app() -> FastAPI:
    """The app each worker process of `serve(workers > 1)` builds (hosts from the environment)."""
    hosts = tuple(filter(None, os.environ.get(HOSTS_VARIABLE, "*").split(",")))
    return create_app(allowed_hosts=hosts)


def serve(
    host: str = "127.0.0.1", port: int = 8765, open_browser: bool = False, *, workers: int = 1
) -> None:
    """Run the playground under uvicorn until interrupted; open it in a browser if asked.

    Bound to a loopback address, the app answers only requests addressed to that host (a
    guard against DNS rebinding).  `workers` > 1 starts that many server processes (one
    request computes in one process; more processes serve more clients at once).
    """
    import uvicorn

    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    hosts: tuple[str, ...] = (*LOOPBACK, host) if host in LOOPBACK else ("*",)
    if open_browser:
        url = _url(host, port)
        threading.Thread(target=_open_when_ready, args=(host, port, url), daemon=True).start()
    options: dict[str, Any] = {"host": host, "port": port, "log_level": "info",
                               "limit_concurrency": 64, "timeout_graceful_shutdown": 2}  # fmt: skip
    if workers == 1:
        uvicorn.run(create_app(allowed_hosts=hosts), **options)
        return
    os.environ[HOSTS_VARIABLE] = ",".join(hosts)
    uvicorn.run("gdlab.web.app:served_app", factory=True, workers=workers, **options)


def _url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    return f"http://[{shown}]:{port}/" if ":" in shown else f"http://{shown}:{port}/"


def _open_when_ready(host: str, port: int, url: str, tries: int = 200) -> bool:
    """Open `url` in a browser once the port accepts connections (False if it never does)."""
    address = "127.0.0.1" if host in ("0.0.0.0", "") else ("::1" if host == "::" else host)
    for _ in range(tries):
        try:
            with socket.create_connection((address.strip("[]"), port), timeout=0.5):
                webbrowser.open(url)
                return True
        except OSError:
            time.sleep(0.05)
    return False
