"""Every way a request can be refused: a 4xx with a sentence that names the problem and where.

Also the hostile-expression corpus: each is refused, quickly, and nothing is executed.
"""

from __future__ import annotations

import time

import pytest

from gdlab.web import limits

OK_RUN = {"problem": {"name": "rosenbrock"}, "steps": 5, "optimizers": [{"name": "adam"}]}


def run_with(**changes):
    return {**OK_RUN, **changes}


def adam(**hyperparams):
    return [{"name": "adam", "hyperparams": hyperparams}]


# (endpoint, body, location of the error, a fragment of its message)
REFUSED = [
    ("/api/run", {}, ["body", "problem"], "Field required"),
    ("/api/run", run_with(optimizers=[]), ["body", "optimizers"], "at least 1"),
    ("/api/run", run_with(optimizers=[{"name": "sgd"}] * 9), ["body", "optimizers"], "at most 8"),
    ("/api/run", run_with(steps=limits.MAX_STEPS + 1), ["body", "steps"], "less than or equal"),
    ("/api/run", run_with(steps=-1), ["body", "steps"], "greater than or equal"),
    ("/api/run", run_with(steps=2.5), ["body", "steps"], "integer"),
    ("/api/run", run_with(colour="red"), ["body", "colour"], "Extra inputs"),
    ("/api/run", run_with(start=[1.0]), ["body", "start"], "start must have 2 numbers (x, y)"),
    ("/api/run", run_with(start=[1e7, 0]), ["body", "start", 0], "less than or equal"),
    ("/api/run", run_with(start=[]), ["body", "start"], "at least 1"),
    ("/api/run", run_with(problem={}), ["body", "problem"], "exactly one"),
    (
        "/api/run",
        run_with(problem={"name": "booth", "expression": "x"}),
        ["body", "problem"],
        "exactly one",
    ),
    (
        "/api/run",
        run_with(problem={"expression": "x", "params": {"a": 1}}),
        ["body", "problem"],
        "params apply to a named problem",
    ),
    (
        "/api/run",
        run_with(problem={"name": "nope"}),
        ["body", "problem", "name"],
        "unknown problem 'nope'",
    ),
    (
        "/api/run",
        run_with(problem={"name": "quadratic", "params": {"condition": -1}}),
        ["body", "problem", "params"],
        "condition",
    ),
    (
        "/api/run",
        run_with(problem={"name": "quadratic", "params": {"size": 2}}),
        ["body", "problem", "params", "size"],
        "quadratic has no parameter size",
    ),
    (
        "/api/run",
        run_with(problem={"name": "rastrigin", "params": {"dim": 2.5}}),
        ["body", "problem", "params", "dim"],
        "dim must be an integer",
    ),
    (
        "/api/run",
        run_with(problem={"name": "rastrigin", "params": {"dim": 11}}),
        ["body", "problem", "params", "dim"],
        "dim must be in [1, 10]",
    ),
    (
        "/api/run",
        run_with(problem={"name": "booth", "window": [[0, 1]]}),
        ["body", "problem", "window"],
        "2 (low, high) pairs",
    ),
    (
        "/api/run",
        run_with(problem={"name": "booth", "window": [[0, 1], [2, 2]]}),
        ["body", "problem", "window"],
        "low < high",
    ),
    (
        "/api/run",
        run_with(optimizers=[{"name": "adamm"}]),
        ["body", "optimizers", 0, "name"],
        "unknown optimizer 'adamm'; choose one of sgd",
    ),
    (
        "/api/run",
        run_with(optimizers=adam(gamma=0.5)),
        ["body", "optimizers", 0, "hyperparams", "gamma"],
        "adam has no parameter gamma",
    ),
    (
        "/api/run",
        run_with(optimizers=adam(beta1=1.0)),
        ["body", "optimizers", 0, "hyperparams"],
        "beta1 must be in [0, 1), got 1",
    ),
    (
        "/api/run",
        run_with(optimizers=adam(learning_rate=-0.1)),
        ["body", "optimizers", 0, "hyperparams"],
        "learning_rate",
    ),
    (
        "/api/run",
        run_with(optimizers=adam(beta1=True)),
        ["body", "optimizers", 0, "hyperparams", "beta1"],
        "beta1 must be a number",
    ),
    (
        "/api/run",
        run_with(optimizers=adam(amsgrad=1)),
        ["body", "optimizers", 0, "hyperparams", "amsgrad"],
        "amsgrad must be true or false",
    ),
    (
        "/api/run",
        run_with(problem={"expression": "x**"}),
        ["body", "problem", "expression"],
        "column",
    ),
    (
        "/api/run",
        run_with(problem={"expression": ""}),
        ["body", "problem", "expression"],
        "at least 1 character",
    ),
    (
        "/api/run",
        run_with(problem={"expression": "log(x)"}, start=[-1.0]),
        ["body", "start"],
        "cannot start from x0",
    ),
    (
        "/api/run",
        run_with(schedule={"name": "wavy"}),
        ["body", "schedule", "name"],
        "unknown schedule 'wavy'",
    ),
    (
        "/api/run",
        run_with(schedule={"name": "reduce_on_plateau"}),
        ["body", "schedule", "name"],
        "reads a metric",
    ),
    (
        "/api/run",
        run_with(schedule={"name": "exponential_decay"}),
        ["body", "schedule", "params"],
        "decay_rate",
    ),
    (
        "/api/run",
        run_with(schedule={"name": "step_decay", "params": {"step_size": 1.5}}),
        ["body", "schedule", "params", "step_size"],
        "step_size must be an integer",
    ),
    (
        "/api/run",
        run_with(schedule={"name": "one_cycle", "params": {"anneal": "sine"}}),
        ["body", "schedule", "params", "anneal"],
        "anneal must be one of cos, linear",
    ),
    (
        "/api/run",
        run_with(schedule={"name": "multistep", "params": {"milestones": 5}}),
        ["body", "schedule", "params", "milestones"],
        "milestones must be a list of integers",
    ),
    (
        "/api/surface",
        {"problem": {"name": "booth"}, "resolution": limits.MIN_RESOLUTION - 1},
        ["body", "resolution"],
        "greater than or equal",
    ),
    (
        "/api/surface",
        {"problem": {"name": "booth"}, "resolution": limits.MAX_RESOLUTION + 1},
        ["body", "resolution"],
        "less than or equal",
    ),
    (
        "/api/surface",
        {"problem": {"expression": "x + y + z"}},
        ["body", "problem"],
        "one or two variables",
    ),
    (
        "/api/schedule",
        {"schedule": {"name": "cosine"}, "learning_rate": 0},
        ["body", "learning_rate"],
        "greater than 0",
    ),
    (
        "/api/schedule",
        {"schedule": {"name": "cosine"}, "steps": 0},
        ["body", "steps"],
        "greater than or equal",
    ),
    ("/api/ewa", {"betas": [1.0]}, ["body", "betas", 0], "less than 1"),
    ("/api/ewa", {"betas": [0.5] * (limits.MAX_BETAS + 1)}, ["body", "betas"], "at most 6"),
    ("/api/ewa", {"points": 1}, ["body", "points"], "greater than or equal"),
    ("/api/ewa", {"series": "prices"}, ["body", "series"], "temperature"),
    ("/api/fit", {"data": {"name": "iris"}}, ["body", "data", "name"], "seed002"),
    ("/api/fit", {"batch_sizes": [10]}, ["body", "batch_sizes", 0], "larger than the 4 samples"),
    ("/api/fit", {"batch_sizes": []}, ["body", "batch_sizes"], "at least 1"),
    (
        "/api/fit",
        {"data": {"name": "linear", "n_samples": 1000}, "batch_sizes": [1], "epochs": 100},
        ["body", "batch_sizes", 0],
        "at most 20000",
    ),
    ("/api/fit", {"data": {"name": "seed002", "noise": 1}}, ["body", "data"], "takes no options"),
    (
        "/api/fit",
        {"data": {"name": "linear", "n_samples": 5000}},
        ["body", "data", "n_samples"],
        "less than or equal",
    ),
    (
        "/api/fit",
        {"optimizer": {"name": "adam", "hyperparams": {"rho": 0.9}}},
        ["body", "optimizer", "hyperparams", "rho"],
        "adam has no parameter rho",
    ),
]


@pytest.mark.parametrize(("endpoint", "body", "loc", "fragment"), REFUSED)
def test_bad_requests_are_refused_with_a_precise_422(client, endpoint, body, loc, fragment):
    response = client.post(endpoint, json=body)
    assert response.status_code == 422, response.text
    answer = response.json()
    assert any(item["loc"] == loc and fragment in item["message"] for item in answer["errors"]), (
        answer
    )
    assert answer["detail"] and "Value error," not in answer["detail"]


def test_numbers_must_be_finite(client):
    text = '{"problem": {"name": "booth"}, "start": [NaN, 1], "optimizers": [{"name": "sgd"}]}'
    response = client.post("/api/run", content=text, headers={"content-type": "application/json"})
    assert response.status_code == 422


def test_malformed_json_is_a_422(client):
    response = client.post("/api/run", content=b"{", headers={"content-type": "application/json"})
    assert response.status_code == 422 and response.json()["errors"][0]["loc"][0] == "body"


def test_a_large_body_is_refused_before_it_is_read(client):
    big = b'{"x": "' + b"a" * limits.MAX_BODY_BYTES + b'"}'
    response = client.post("/api/run", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["detail"] == "the request body is larger than 65536 bytes"


def test_a_large_streamed_body_is_refused_too(client):
    def chunks():
        yield b'{"x": "'
        for _ in range(80):
            yield b"a" * 1024
        yield b'"}'

    response = client.post(
        "/api/run", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


def test_unknown_paths_and_methods_answer_json(client):
    missing = client.get("/api/nothing")
    assert missing.status_code == 404 and missing.json()["detail"] == "Not Found"
    wrong = client.get("/api/run")
    assert wrong.status_code == 405 and wrong.json()["detail"] == "Method Not Allowed"
    assert wrong.headers["allow"] == "POST"


def test_only_the_allowed_hosts_are_answered(make_client):
    # a page elsewhere that rebinds its DNS name to 127.0.0.1 still sends its own Host header
    guarded = make_client(allowed_hosts=("127.0.0.1",), base_url="http://evil.test")
    assert guarded.get("/api/catalog").status_code == 400
    local = make_client(allowed_hosts=("127.0.0.1",), base_url="http://127.0.0.1:8765")
    assert local.get("/api/catalog").status_code == 200


# ---------------------------------------------------------------- hostile expressions


def hostile(marker: str) -> list[str]:
    return [
        "__import__('os')",
        f"__import__('os').system('touch {marker}')",
        "x.__class__",
        "().__class__.__bases__[0].__subclasses__()",
        "__builtins__",
        "lambda: 1",
        "[x for x in (1, 2)]",
        "{x: 1}",
        "9**9**9",
        "(" * 10_000 + "x" + ")" * 10_000,
        "open('/etc/passwd')",
        "eval('1')",
        "exec('x = 1')",
        "getattr(x, 'real')",
        "x if y else 1",
        "f'{x}'",
        "'a' * 10",
        "x[0]",
        "x; y",
        f"x\n__import__('os').system('touch {marker}')",
        "x == y",
        "sin",
        "sin(x, y)",
        "1e999 * x",
        "x" * 3000,
    ]


@pytest.mark.parametrize("endpoint", ["/api/run", "/api/surface"])
def test_hostile_expressions_are_refused_and_never_run(client, tmp_path, endpoint):
    marker = tmp_path / "pwned"
    for text in hostile(str(marker)):
        body = {"problem": {"expression": text}}
        if endpoint == "/api/run":
            body.update(steps=3, optimizers=[{"name": "sgd"}])
        began = time.perf_counter()
        response = client.post(endpoint, json=body)
        assert 400 <= response.status_code < 500, (text[:60], response.text)
        assert time.perf_counter() - began < 5, text[:60]
    assert not marker.exists()


def test_a_hundred_kilobytes_of_expression_is_too_large(client):
    body = {"problem": {"expression": "x+" * 50_000 + "x"}, "optimizers": [{"name": "sgd"}]}
    assert client.post("/api/run", json=body).status_code == 413
