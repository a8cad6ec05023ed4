"""Fixtures of the playground tests: an in-process client, and a real server for the browser."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator

import httpx
import pytest
from starlette.exceptions import StarletteDeprecationWarning

from gdlab.web import Settings, create_app

with warnings.catch_warnings():
    # starlette's TestClient asks for the httpx2 package; httpx works the same for these tests
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient


@pytest.fixture(scope="session")
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as test_client:
        yield test_client


@pytest.fixture
def make_client() -> Callable[..., TestClient]:
    """Clients of apps with other settings (e.g. no time budget at all)."""

    def make(
        allowed_hosts: tuple[str, ...] = ("*",),
        base_url: str = "http://testserver",
        **settings: float,
    ) -> TestClient:
        app = create_app(Settings(**settings), allowed_hosts=allowed_hosts)
        return TestClient(app, base_url=base_url)

    return make


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """`gdlab.web.serve` on a free loopback port, in a child process of this test run."""
    port = free_port()
    code = f"from gdlab.web import serve; serve('127.0.0.1', {port}, open_browser=False)"
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{url}/api/catalog", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the playground server did not start")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
