"""`gdlab playground`: the options reach gdlab.web.serve; bad ports are bad input."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import gdlab.web
from gdlab.cli import app

runner = CliRunner()


def test_playground_passes_its_options_to_serve(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(gdlab.web, "serve", lambda *args, **kwargs: calls.append((args, kwargs)))
    result = runner.invoke(app, ["playground", "--port", "9001", "--open", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert calls == [(("127.0.0.1", 9001, True), {"workers": 2})]


@pytest.mark.parametrize("port", ["0", "70000", "http"])
def test_a_bad_port_is_bad_input(port: str) -> None:
    result = runner.invoke(app, ["playground", "--port", port])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
