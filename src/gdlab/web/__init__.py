"""The browser playground: a FastAPI app that runs optimizers and a page that shows them.

    from gdlab.web import create_app, serve
    serve("127.0.0.1", 8765, open_browser=True)     # what `gdlab playground --open` calls

Layer L5 (an adapter): it reads the catalog and runs `gd.minimize` / `gd.fit`; nothing in
gdlab imports it.  Importing it needs FastAPI, pydantic and (for `serve`) uvicorn.
"""

from gdlab.web.app import create_app, serve
from gdlab.web.limits import Settings

__all__ = ["Settings", "create_app", "serve"]
