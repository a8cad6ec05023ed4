"""The playground's JSON API: every endpoint answers what the library computes.

Hand-computed steps, closed forms, and equivalence with direct library calls (a run through
the API is the same trajectory as `gd.minimize` with the same optimizer, bit for bit).
"""

from __future__ import annotations

import math
import socket

import numpy as np
import pytest

import gdlab as gd
from gdlab import catalog, schedules
from gdlab.web import limits

QUADRATIC = {"expression": "x**2 + 10*y**2"}


def close(got, want, **tolerance):
    """Nested lists equal to floating-point tolerance (default: relative 1e-12)."""
    tolerance = tolerance or {"rel": 1e-12, "abs": 1e-15}
    return np.asarray(got, dtype=float) == pytest.approx(np.asarray(want, dtype=float), **tolerance)


def run(client, **body):
    response = client.post("/api/run", json=body)
    assert response.status_code == 200, response.text
    return response.json()


# ---------------------------------------------------------------- /api/run


def test_run_of_gradient_descent_is_the_hand_computed_steps(client):
    # f = x² + 10y², ∇f = (2x, 20y); α = 0.05: x ← 0.9·x, y ← y − 1.0·y = 0
    answer = run(
        client,
        problem=QUADRATIC,
        start=[1.0, 1.0],
        steps=3,
        optimizers=[{"name": "sgd", "hyperparams": {"learning_rate": 0.05}}],
    )
    (only,) = answer["runs"]
    assert close(only["path"], [[1, 1], [0.9, 0], [0.81, 0], [0.729, 0]])
    assert only["loss"] == pytest.approx([11, 0.81, 0.6561, 0.531441], rel=1e-12)
    assert only["grad_norm"][0] == pytest.approx(math.hypot(2, 20))
    assert only["learning_rate"] == [0.05] * 4
    assert (only["status"], only["diverged"], only["nit"]) == ("max_steps", False, 3)
    assert only["x"] == pytest.approx([0.729, 0.0]) and only["fun"] == pytest.approx(0.531441)
    assert answer["problem"]["gradient"] == "[2*x, 20*y]"


def test_a_run_is_the_library_run_bit_for_bit(client):
    problem = gd.problems.get("rosenbrock")
    answer = run(
        client,
        problem={"name": "rosenbrock"},
        start=[-1.5, 2.0],
        steps=60,
        optimizers=[
            {"name": "adam", "hyperparams": {"learning_rate": 0.05}},
            {"name": "rmsprop", "hyperparams": {"learning_rate": 0.01, "rho": 0.8}},
        ],
    )
    direct = [
        gd.minimize(problem, [-1.5, 2.0], optimizer=gd.adam(0.05), steps=60),
        gd.minimize(problem, [-1.5, 2.0], optimizer=gd.rmsprop(0.01, rho=0.8), steps=60),
    ]
    for got, want in zip(answer["runs"], direct, strict=True):
        assert got["path"] == want.history.x.tolist()
        assert got["loss"] == want.history.loss.tolist()
        assert got["x"] == want.x.tolist() and got["fun"] == want.fun


def test_internals_are_the_optimizer_state_after_each_update(client):
    # g0 = ∇f(1, 1) = (2, 20).  momentum(0.1, β=0.9): m1 = 0.1·g0, x1 = x0 − 0.1·m1
    # rmsprop(0.01, ρ=0.9): s1 = 0.1·g0², so √s1 = √0.1·|g0|.
    answer = run(
        client,
        problem=QUADRATIC,
        start=[1.0, 1.0],
        steps=2,
        optimizers=[
            {"name": "momentum", "hyperparams": {"learning_rate": 0.1, "beta": 0.9}},
            {"name": "rmsprop", "hyperparams": {"learning_rate": 0.01, "rho": 0.9}},
            {"name": "sgd", "hyperparams": {"learning_rate": 0.01}},
            {"name": "sgd", "hyperparams": {"learning_rate": 0.01, "momentum": 0.5}},
        ],
    )
    heavy, rms, plain, torch_like = answer["runs"]
    assert heavy["internals"]["momentum_slot"] == "mu"
    assert close(heavy["internals"]["momentum"][:2], [[0, 0], [0.2, 2.0]])
    assert heavy["path"][1] == pytest.approx([0.98, 0.8])
    assert heavy["internals"]["scale"] is None
    assert rms["internals"]["scale_slot"] == "nu"
    assert rms["internals"]["scale"][1] == pytest.approx([math.sqrt(0.1) * 2, math.sqrt(0.1) * 20])
    assert plain["internals"] == {
        "momentum": None,
        "momentum_slot": None,
        "scale": None,
        "scale_slot": None,
    }
    assert torch_like["internals"]["momentum_slot"] == "momentum_buffer"
    assert torch_like["internals"]["momentum"][1] == pytest.approx([2.0, 20.0])  # b1 = g0
    assert all(
        len(r["internals"]["momentum"] or r["path"]) == len(r["path"]) for r in answer["runs"]
    )


def test_internals_can_be_left_out(client):
    answer = run(client, problem=QUADRATIC, steps=2, internals=False, optimizers=[{"name": "adam"}])
    assert answer["runs"][0]["internals"] is None


def test_divergence_is_reported_per_optimizer(client):
    answer = run(
        client,
        problem={"name": "rosenbrock"},
        steps=100,
        optimizers=[
            {"name": "sgd", "hyperparams": {"learning_rate": 1.0}},
            {"name": "adam", "hyperparams": {"learning_rate": 0.01}},
        ],
    )
    wild, calm = answer["runs"]
    assert (wild["status"], wild["diverged"]) == ("diverged", True)
    assert "diverged at step" in wild["message"] and "learning rate 1" in wild["message"]
    assert wild["nit"] < 100 and len(wild["path"]) == wild["nit"] + 1
    assert all(math.isfinite(v) for point in wild["path"] for v in point)
    assert (calm["status"], calm["diverged"], calm["nit"]) == ("max_steps", False, 100)


def test_defaults_come_from_the_problem_and_the_catalog(client):
    answer = run(client, problem={"name": "himmelblau"}, steps=1, optimizers=[{"name": "adam"}])
    (only,) = answer["runs"]
    assert only["path"][0] == list(gd.problems.get("himmelblau").start)
    assert only["hyperparams"]["learning_rate"] == catalog.suggested_learning_rate(
        "adam", "himmelblau"
    )
    assert only["hyperparams"]["beta1"] == 0.9 or "beta1" not in only["hyperparams"]
    assert answer["problem"]["suggested_learning_rates"].keys() == catalog.OPTIMIZERS.keys()


def test_labels_number_repeated_optimizers_and_keep_given_ones(client):
    answer = run(
        client,
        problem=QUADRATIC,
        steps=1,
        optimizers=[
            {"name": "adam"},
            {"name": "adam", "hyperparams": {"learning_rate": 0.5}},
            {"name": "sgd", "label": "plain GD"},
        ],
    )
    assert [r["label"] for r in answer["runs"]] == ["adam #1", "adam #2", "plain GD"]


def test_a_schedule_sets_every_optimizers_learning_rate(client):
    answer = run(
        client,
        problem=QUADRATIC,
        steps=20,
        schedule={"name": "cosine"},
        optimizers=[
            {"name": "sgd", "hyperparams": {"learning_rate": 0.02}},
            {"name": "adam", "hyperparams": {"learning_rate": 0.1}},
        ],
    )
    for got, rate in zip(answer["runs"], (0.02, 0.1), strict=True):
        expected = schedules.cosine(rate, total_steps=20)(np.arange(21))
        assert got["learning_rate"] == pytest.approx(expected.tolist(), abs=1e-15)
        assert got["hyperparams"]["learning_rate"] == rate


def test_a_schedule_accepts_short_names_aliases_and_integers(client):
    answer = run(
        client,
        problem=QUADRATIC,
        steps=6,
        optimizers=[{"name": "sgd"}],
        schedule={"name": "step", "params": {"every": 2, "gamma": 0.5}},
    )
    rates = answer["runs"][0]["learning_rate"]
    assert rates == pytest.approx([0.01, 0.01, 0.005, 0.005, 0.0025, 0.0025, 0.00125])


def test_one_variable_problems_run(client):
    # the seed's parabola: x ← x − α·2x = 0.8·x at α = 0.1, from x = −1
    answer = run(
        client,
        problem={"name": "parabola"},
        steps=3,
        optimizers=[{"name": "sgd", "hyperparams": {"learning_rate": 0.1}}],
    )
    assert close(answer["runs"][0]["path"], [[-1], [-0.8], [-0.64], [-0.512]])


def test_named_problem_parameters_and_window(client):
    answer = run(
        client,
        problem={"name": "quadratic", "params": {"condition": 100}, "window": [[-3, 3], [-1, 1]]},
        steps=1,
        optimizers=[{"name": "sgd"}],
    )
    assert answer["problem"]["window"] == [[-3, 3], [-1, 1]]
    assert answer["problem"]["name"] == "quadratic"


def test_the_time_budget_stops_runs_and_says_so(make_client):
    with make_client(time_budget_s=0.0) as hurried:
        answer = run(hurried, problem=QUADRATIC, steps=50, optimizers=[{"name": "adam"}])
    (only,) = answer["runs"]
    assert (only["status"], only["nit"]) == ("stopped", 0)
    assert "budget of 0 s of CPU time ran out" in only["message"]


def test_the_time_budget_stops_fits_too(make_client):
    with make_client(time_budget_s=0.0) as hurried:
        answer = hurried.post("/api/fit", json={"batch_sizes": [1], "epochs": 5}).json()
    (only,) = answer["runs"]
    assert (only["status"], only["nit"]) == ("stopped", 0)
    assert "budget of CPU time ran out" in only["message"]


def test_a_large_run_fits_the_limits(client):
    optimizers = [{"name": name} for name in list(catalog.OPTIMIZERS)[: limits.MAX_OPTIMIZERS]]
    answer = run(client, problem={"name": "rosenbrock"}, steps=500, optimizers=optimizers)
    assert len(answer["runs"]) == limits.MAX_OPTIMIZERS
    assert answer["elapsed_ms"] < 1e3 * limits.TIME_BUDGET_S + 500


# ---------------------------------------------------------------- /api/surface


def test_surface_is_f_on_the_grid(client):
    response = client.post(
        "/api/surface", json={"problem": {"name": "rosenbrock"}, "resolution": 11}
    )
    assert response.status_code == 200
    answer = response.json()
    problem = gd.problems.get("rosenbrock")
    (x_low, x_high), (y_low, y_high) = problem.window
    assert answer["x"] == np.linspace(x_low, x_high, 11).tolist()
    assert answer["y"] == np.linspace(y_low, y_high, 11).tolist()
    grid = np.stack(np.meshgrid(answer["x"], answer["y"]), axis=-1)
    assert answer["z"] == problem.value(grid).tolist()
    assert answer["z_min"] == 0.0 or answer["z_min"] == pytest.approx(problem.value(grid).min())


def test_surface_of_one_variable_is_a_curve(client):
    answer = client.post(
        "/api/surface", json={"problem": {"name": "parabola"}, "resolution": 5}
    ).json()
    assert answer["y"] == [] and answer["x"] == [-1.5, -0.75, 0.0, 0.75, 1.5]
    assert answer["z"] == [[2.25, 0.5625, 0.0, 0.5625, 2.25]]


def test_surface_writes_undefined_values_as_null(client):
    body = {
        "problem": {"expression": "log(x) + y**2", "window": [[-1, 1], [-1, 1]]},
        "resolution": 5,
    }
    answer = client.post("/api/surface", json=body).json()
    assert answer["z"][0][:3] == [None, None, None]  # log of x ≤ 0
    assert answer["z"][0][4] == pytest.approx(1.0) and answer["z_max"] == pytest.approx(1.0)


# ---------------------------------------------------------------- /api/schedule and /api/ewa


def test_schedule_curve_is_the_librarys(client):
    body = {
        "schedule": {
            "name": "exponential_decay",
            "params": {"decay_rate": 0.5, "transition_steps": 10},
        },
        "learning_rate": 0.2,
        "steps": 30,
    }
    answer = client.post("/api/schedule", json=body).json()
    expected = schedules.exponential_decay(0.2, 0.5, transition_steps=10)(np.arange(30))
    assert answer["step"] == list(range(30))
    assert answer["learning_rate"] == expected.tolist()
    assert answer["schedule"]["name"] == "exponential_decay"


def test_ewa_of_a_constant_is_biased_low_until_corrected(client):
    # v_t = c·(1 − β^t) exactly; v̂_t = v_t / (1 − β^t) = c
    answer = client.post(
        "/api/ewa", json={"series": "constant", "points": 30, "betas": [0.5, 0.9]}
    ).json()
    assert answer["values"] == [10.0] * 30 and answer["t"] == list(range(1, 31))
    for curve in answer["curves"]:
        beta = curve["beta"]
        assert curve["window"] == pytest.approx(1 / (1 - beta))
        assert curve["average"] == pytest.approx([10 * (1 - beta**t) for t in range(1, 31)])
        assert curve["corrected"] == pytest.approx([10.0] * 30)


def test_ewa_curves_are_the_ewa_block(client):
    answer = client.post("/api/ewa", json={"points": 50, "betas": [0.98], "seed": 3}).json()
    (curve,) = answer["curves"]
    assert curve["average"] == gd.ewa(0.98, debias=False).series(answer["values"]).tolist()
    assert curve["corrected"] == gd.ewa(0.98).series(answer["values"]).tolist()
    again = client.post("/api/ewa", json={"points": 50, "betas": [0.98], "seed": 3}).json()
    assert again["values"] == answer["values"]


# ---------------------------------------------------------------- /api/fit


def test_fit_reproduces_seed_002_batch_descent(client):
    # seed 002: BGD, α = 0.01, 1000 iterations from θ = 0 → θ = (0.136307, 1.953639)
    body = {
        "data": {"name": "seed002"},
        "batch_sizes": [None],
        "epochs": 1000,
        "optimizer": {"name": "sgd", "hyperparams": {"learning_rate": 0.01}},
    }
    answer = client.post("/api/fit", json=body).json()
    (bgd,) = answer["runs"]
    assert [round(v, 6) for v in bgd["x"]] == [0.136307, 1.953639]
    assert bgd["path"][0] == [0.0, 0.0] and bgd["nit"] == 1000 and bgd["stride"] == 1
    assert bgd["updates_per_epoch"] == 1 and len(bgd["epoch_loss"]) == 1000
    assert answer["data"]["parameters"] == ["θ0", "θ1"] and answer["data"]["truth"] == [0, 2]
    assert answer["surface"] is not None and len(answer["surface"]["z"]) == 41


def test_fit_compares_batch_stochastic_and_mini_batch(client):
    answer = client.post("/api/fit", json={"epochs": 10, "batch_sizes": [None, 1, 2]}).json()
    batch, stochastic, mini = answer["runs"]
    assert (batch["nit"], stochastic["nit"], mini["nit"]) == (10, 40, 20)
    assert [r["label"] for r in answer["runs"]] == [
        "batch GD",
        "stochastic GD",
        "mini-batch GD (b = 2)",
    ]
    assert stochastic["epoch_update"] == list(range(4, 41, 4))
    assert stochastic["update"][-1] == 40 and len(stochastic["path"]) == 41


def test_fit_of_seed_000_has_three_parameters_and_no_surface(client):
    body = {
        "data": {"name": "seed000"},
        "batch_sizes": [1],
        "epochs": 2,
        "optimizer": {"name": "sgd", "hyperparams": {"learning_rate": 0.1}},
    }
    answer = client.post("/api/fit", json=body).json()
    assert answer["surface"] is None and answer["data"]["powers"] == [2, 1, 0]
    assert answer["runs"][0]["path"][0] == [1.0, 0.0, -1.0]  # the seed's w = (1, 0, −1)


def test_long_fits_are_strided(client):
    body = {
        "data": {"name": "linear", "n_samples": 1000, "noise": 0.5, "seed": 1},
        "batch_sizes": [1],
        "epochs": 5,
    }
    (only,) = client.post("/api/fit", json=body).json()["runs"]
    assert only["stride"] == 3 and only["update"][-1] == only["nit"] == 5000
    assert len(only["path"]) == len(only["loss"]) == len(only["update"]) <= limits.MAX_ROWS + 1


# ---------------------------------------------------------------- catalog, page, schema


def test_catalog_lists_what_the_catalog_module_holds(client):
    answer = client.get("/api/catalog").json()
    assert [o["name"] for o in answer["optimizers"]] == list(catalog.OPTIMIZERS)
    adam = next(o for o in answer["optimizers"] if o["name"] == "adam")
    beta1 = next(p for p in adam["parameters"] if p["name"] == "beta1")
    assert (beta1["symbol"], beta1["default"], beta1["low"], beta1["high"]) == ("β1", 0.9, 0, 0.999)
    assert [p["name"] for p in answer["problems"]] == list(catalog.PROBLEMS)
    assert {s["name"] for s in answer["schedules"]} == set(catalog.SCHEDULES)
    assert {d["name"] for d in answer["datasets"]} == set(catalog.DATASETS)
    assert answer["limits"]["max_steps"] == limits.MAX_STEPS
    assert "sin" in answer["functions"]


def test_page_and_assets_are_served_from_the_package(client):
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert (
        "/static/vendor/plotly.min.js" in page.text and "http" not in page.text.split("<body>")[0]
    )
    assert "default-src 'self'" in page.headers["content-security-policy"]
    from gdlab.web.app import plotly_js

    plotly = client.get("/static/vendor/plotly.min.js")
    assert plotly.status_code == 200 and plotly.content == plotly_js().read_bytes()
    for module in (
        "main",
        "descent",
        "descent_plots",
        "controls",
        "state",
        "api",
        "i18n",
        "data_tab",
        "ewa_tab",
    ):
        asset = client.get(f"/static/js/{module}.js")
        assert asset.status_code == 200 and "javascript" in asset.headers["content-type"]
    assert client.get("/static/style.css").status_code == 200
    assert client.get("/docs").status_code == 404  # the docs page would load a CDN


def test_openapi_schema_lists_every_endpoint(client):
    schema = client.get("/api/openapi.json").json()
    assert set(schema["paths"]) == {
        "/api/catalog",
        "/api/run",
        "/api/surface",
        "/api/schedule",
        "/api/ewa",
        "/api/fit",
    }
    assert {"200", "413", "422"} <= set(schema["paths"]["/api/run"]["post"]["responses"])


def test_serve_opens_the_browser_once_the_server_listens(monkeypatch):
    from gdlab.web import app as web_app

    opened: list[str] = []
    monkeypatch.setattr(web_app.webbrowser, "open", opened.append)
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        port = listening.getsockname()[1]
        assert web_app._open_when_ready("127.0.0.1", port, "http://x/")
    assert opened == ["http://x/"]
    assert not web_app._open_when_ready("127.0.0.1", port, "http://y/", tries=2)
    assert opened == ["http://x/"]
    assert web_app._url("0.0.0.0", 80) == "http://127.0.0.1:80/"
    assert web_app._url("::1", 9) == "http://[::1]:9/"


def test_workers_read_their_hosts_from_the_environment(monkeypatch):
    from gdlab.web import app as web_app

    monkeypatch.setenv(web_app.HOSTS_VARIABLE, "127.0.0.1,localhost")
    app = web_app.served_app()
    guard = next(m for m in app.user_middleware if m.cls.__name__ == "TrustedHostMiddleware")
    assert guard.kwargs["allowed_hosts"] == ["127.0.0.1", "localhost"]
    with pytest.raises(ValueError, match="workers must be >= 1, got 0"):
        web_app.serve(workers=0)
