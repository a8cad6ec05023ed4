"""The page in a real browser (Playwright driving Debian's chromium, headless).

The plots are read from the page's Plotly figures (their data), never from pixels; screenshots
go to test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT = 20_000

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")

PATHS = """(id) => (document.getElementById(id).data || [])
    .filter((trace) => trace.meta && trace.meta.role === 'path')
    .map((trace) => ({label: trace.meta.label, x: Array.from(trace.x), y: Array.from(trace.y)}))"""
ROLES = """([id, role]) => (document.getElementById(id).data || [])
    .filter((trace) => trace.meta && trace.meta.role === role)"""


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=ARGS,
            viewport={"width": 1500, "height": 1000},
        )
        yield context
        context.close()


@pytest.fixture
def page(browser_context: Any) -> Iterator[Any]:
    """A fresh tab; any console error or uncaught exception fails the test (but the browser's
    own note of a 422, which the bad-expression test provokes and the page shows)."""
    tab = browser_context.new_page()
    tab.set_default_timeout(TIMEOUT)
    problems: list[str] = []
    tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda error: problems.append(str(error)))
    yield tab
    tab.close()
    unexpected = [text for text in problems if "status of 422" not in text]
    assert unexpected == [], unexpected


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def paths(page: Any, plot: str = "contour") -> list[dict[str, Any]]:
    return page.evaluate(PATHS, plot)


def traces(page: Any, plot: str, role: str) -> list[dict[str, Any]]:
    return page.evaluate(ROLES, [plot, role])


def wait_for_paths(page: Any, count: int, plot: str = "contour") -> None:
    page.wait_for_function(
        "([id, n]) => { const d = document.getElementById(id).data; return d && "
        "d.filter((t) => t.meta && t.meta.role === 'path').length === n; }",
        arg=[plot, count],
    )


def until(page: Any, expression: str, timeout: float = TIMEOUT) -> None:
    """Wait until a JavaScript expression is truthy (as a function: the page's CSP forbids eval)."""
    page.wait_for_function(f"() => ({expression})", timeout=timeout)


def click_at(page: Any, x: float, y: float) -> None:
    """Click the contour plot at data coordinates (x, y)."""
    box = page.evaluate(
        """([x, y]) => { const plot = document.getElementById('contour');
        const area = plot.querySelector('.nsewdrag').getBoundingClientRect();
        const layout = plot._fullLayout;
        return [area.left + layout.xaxis.c2p(x), area.top + layout.yaxis.c2p(y)]; }""",
        [x, y],
    )
    page.mouse.click(box[0], box[1])


def test_descent_rosenbrock_three_optimizers_slider_error_and_shared_url(page, server_url):
    page.goto(f"{server_url}/?f=booth")
    wait_for_paths(page, 3)
    page.select_option("#problem", "rosenbrock")
    page.wait_for_function(
        "() => { const p = document.getElementById('contour'); return p._fullLayout && "
        "p._fullLayout.yaxis.range[1] === 3 && document.getElementById('busy').hidden; }"
    )
    click_at(page, 0.5, 2.0)
    page.wait_for_function(
        "() => { const p = (document.getElementById('contour').data || []).filter("
        "(t) => t.meta && t.meta.role === 'path'); return p.length === 3 && "
        "Math.abs(p[0].x[0] - 0.5) < 0.03 && Math.abs(p[0].y[0] - 2.0) < 0.03; }"
    )
    drawn = paths(page)
    assert [p["label"] for p in drawn] == ["sgd", "momentum", "adam"]
    assert all(len(p["x"]) == 501 for p in drawn)  # 500 steps: x0 … x500
    start = [float(page.input_value("#x0")), float(page.input_value("#y0"))]
    assert start == pytest.approx([0.5, 2.0], abs=0.03)
    assert all(p["x"][0] == pytest.approx(start[0], abs=1e-4) for p in drawn)
    losses = traces(page, "loss", "loss")
    assert [t["meta"]["label"] for t in losses] == ["sgd", "momentum", "adam"]
    assert all(len(t["y"]) == 501 and t["y"][-1] < t["y"][0] for t in losses)
    shown = page.input_value("#x0"), page.input_value("#y0")
    assert "f=rosenbrock" in page.url and f"x0={shown[0]}%2C{shown[1]}" in page.url
    shot(page, "descent-rosenbrock")

    # a slider: Adam's learning rate, moved with the keyboard as a user would
    before = paths(page)[2]
    slider = page.locator(
        ".card[data-index='2'] [data-parameter='learning_rate'] input[type=range]"
    )
    slider.focus()
    for _ in range(60):
        slider.press("ArrowLeft")
    page.wait_for_function(
        "(old) => { const p = (document.getElementById('contour').data || []).filter("
        "(t) => t.meta && t.meta.role === 'path')[2]; return p && p.x[50] !== old; }",
        arg=before["x"][50],
    )
    rate = float(
        page.input_value(
            ".card[data-index='2'] [data-parameter='learning_rate'] input[type=number]"
        )
    )
    assert rate < 0.1
    assert paths(page)[2]["x"] != before["x"]
    until(page, f"window.location.search.includes('learning_rate%3D{rate}')")

    # the whole state in the URL: a second tab shows the same view
    shared = page.url
    other = page.context.new_page()
    other.set_default_timeout(TIMEOUT)
    other.goto(shared)
    wait_for_paths(other, 3)
    until(other, "document.getElementById('problem').value === 'rosenbrock'")
    assert paths(other) == paths(page)
    assert other.input_value("#x0") == page.input_value("#x0")
    assert other.input_value(
        ".card[data-index='2'] [data-parameter='learning_rate'] input[type=number]"
    ) == str(rate)
    shot(other, "descent-shared-url")
    other.close()

    # a bad expression: the error is shown in the page and the last plot stays
    page.select_option("#problem", "__custom__")
    page.fill("#expression", "x**2 + (y")
    page.press("#expression", "Enter")
    error = page.locator("#descent-error")
    error.wait_for(state="visible")
    assert re.search(r"column|parenthes|bracket", error.inner_text())
    assert "invalid" in (page.get_attribute("#expression", "class") or "")
    assert len(paths(page)) == 3  # not a blank plot
    shot(page, "descent-bad-expression")

    page.fill("#expression", "x**2 + 10*y**2")
    page.press("#expression", "Enter")
    until(page, "document.getElementById('descent-error').hidden")
    wait_for_paths(page, 3)
    assert "expr=x**2" in page.url.replace("%2A", "*")


def test_divergence_is_shown_per_optimizer(page, server_url):
    page.goto(
        f"{server_url}/?f=rosenbrock&steps=100"
        "&o=sgd;learning_rate=1;c=e6194b&o=adam;learning_rate=0.05;c=3cb44b"
    )
    page.wait_for_selector("#summary tr.status-diverged")
    row = page.locator("#summary tr.status-diverged")
    assert "diverged at step" in row.inner_text()
    assert len(traces(page, "contour", "diverged")) == 1
    assert page.locator("#summary tr.status-max_steps").count() == 1
    shot(page, "descent-divergence")


def test_animation_internals_and_3d(page, server_url):
    page.goto(
        f"{server_url}/?f=quadratic&steps=200&int=1&frame=10"
        "&o=momentum;learning_rate=0.05;beta=0.9&o=rmsprop;learning_rate=0.02"
    )
    wait_for_paths(page, 2)
    assert [len(p["x"]) for p in paths(page)] == [11, 11]  # frame 10 of 200
    assert len(traces(page, "contour", "momentum")) == 1  # rmsprop has no momentum
    assert len(traces(page, "contour", "scale")) == 1  # momentum has no RMS scale
    shot(page, "descent-internals")
    page.click("#step")
    until(page, "document.getElementById('frame-label').textContent.endsWith(' 11')")
    page.click("#play")
    until(page, "document.getElementById('play').textContent === 'Play'", timeout=30_000)
    assert [len(p["x"]) for p in paths(page)] == [201, 201]
    page.click("#view-3d")
    until(page, "(document.getElementById('contour').data || []).some((t) => t.type === 'surface')")
    kinds = [t["type"] for t in page.evaluate("document.getElementById('contour').data")]
    assert kinds == ["surface", "scatter3d", "scatter3d"]
    assert "view=3d" in page.url
    shot(page, "descent-3d")


def test_chinese_labels(page, server_url):
    page.goto(f"{server_url}/?f=booth")
    wait_for_paths(page, 3)
    page.click("#lang")
    until(page, "document.getElementById('tab-button-descent').textContent === '梯度下降'")
    assert page.inner_text("#tab-button-ewa") == "指数加权平均"
    assert "学习率" in page.inner_text("#optimizers")
    assert "lang=zh" in page.url
    shot(page, "descent-chinese")


def test_data_tab_batch_stochastic_minibatch(page, server_url):
    page.goto(f"{server_url}/?tab=data&ds=seed002&dep=30&dbs=all,1,2&dlr=0.05")
    wait_for_paths(page, 3, "data-path")
    labels = [p["label"] for p in paths(page, "data-path")]
    assert labels == ["batch GD", "stochastic GD", "mini-batch GD (b = 2)"]
    losses = traces(page, "data-loss", "loss")
    assert [len(t["x"]) for t in losses] == [31, 121, 61]  # one loss per update, + the end
    shot(page, "data-tab")
    page.click("#data-play")
    until(page, "document.getElementById('data-play').textContent === 'Play'", timeout=30_000)
    assert len(paths(page, "data-path")[1]["x"]) == 121


def test_ewa_tab_bias_correction_toggle(page, server_url):
    page.goto(f"{server_url}/?tab=ewa&es=constant&eb=0.9&en=50&ebc=0")
    until(page, "(document.getElementById('ewa-plot').data || []).length > 1")
    (raw,) = traces(page, "ewa-plot", "ewa")
    assert raw["meta"]["corrected"] is False and raw["y"][0] == pytest.approx(1.0)  # 10·(1 − 0.9)
    page.check("#ewa-bias")
    until(
        page,
        "(document.getElementById('ewa-plot').data || [])"
        ".some((t) => t.meta && t.meta.corrected === true)",
    )
    (corrected,) = traces(page, "ewa-plot", "ewa")
    assert corrected["y"] == pytest.approx([10.0] * 50)
    assert "ebc=1" in page.url
    shot(page, "ewa-tab")
