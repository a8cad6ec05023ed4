"""`gdlab playground`: serve the browser playground (gdlab.web) on this machine."""

from __future__ import annotations

from typing import Annotated

import typer

from gdlab.cli.app import app


@app.command()
def playground(
    host: Annotated[str, typer.Option(help="Address to bind; loopback by default.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8765,
    open_browser: Annotated[bool, typer.Option("--open", help="Open it in a browser.")] = False,
    workers: Annotated[int, typer.Option(min=1, max=16, help="Server processes.")] = 1,
) -> None:
    """Serve the playground: watch optimizers descend, in English or Chinese (Ctrl-C stops)."""
    from gdlab.web import serve

    typer.echo(f"gdlab playground on http://{host}:{port}/  (Ctrl-C to stop)", err=True)
    serve(host, port, open_browser, workers=workers)
