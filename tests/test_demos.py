"""The seed demos: the issue's numbers, the payload shapes, and the claims each part makes."""

import json
import math

import numpy as np
import pytest

from gdlab import demos


@pytest.fixture(scope="module")
def payloads():
    return {name: demos.run(name) for name in demos.names()}


def test_names_and_unknown_names():
    assert demos.names() == ("seed-000", "seed-001", "seed-002")
    with pytest.raises(ValueError, match="unknown demo 'seed-003'; valid names: seed-000"):
        demos.run("seed-003")


def test_every_payload_is_strict_json(payloads):
    for payload in payloads.values():
        assert json.loads(json.dumps(payload, allow_nan=False)) == payload


def test_seed_000(payloads):
    payload = payloads["seed-000"]
    assert payload["epochs"] == 50 and payload["status"] == "converged"
    np.testing.assert_allclose(payload["weights"], [2.18870, 2.75347, 4.06002], atol=5e-6)
    assert payload["final_loss"] == pytest.approx(9.982101075760426e-05, rel=1e-12)
    assert len(payload["epoch_loss"]) == 50 and payload["epoch_loss"][-1] == payload["final_loss"]
    left, right = payload["parabola"]
    assert (left["start"], left["derivative"], left["direction"]) == (-1.0, -2.0, "increase x")
    assert (right["start"], right["derivative"], right["direction"]) == (1.0, 2.0, "decrease x")
    assert left["path"][:2] == [-1.0, -0.8] and right["path"][:2] == [1.0, 0.8]
    assert np.all(np.diff(left["path"]) > 0) and np.all(np.diff(right["path"]) < 0)
    assert abs(left["x"]) < 1e-5 and left["steps"] == right["steps"]


def test_seed_002(payloads):
    payload = payloads["seed-002"]
    assert set(payload) == {"bgd", "sgd", "mbgd"}
    for entry in payload.values():
        assert set(entry) == {"theta", "loss_history"}
        assert len(entry["theta"]) == 2 and len(entry["loss_history"]) == 1000
        assert entry["loss_history"][-1] < entry["loss_history"][0] / 1000
    np.testing.assert_allclose(payload["bgd"]["theta"], [0.136307, 1.953639], atol=5e-7)
    for key in ("sgd", "mbgd"):  # four updates an iteration get closer to θ* = (0, 2)
        np.testing.assert_allclose(payload[key]["theta"], [0.0, 2.0], atol=0.05)
        assert payload[key]["loss_history"][-1] < payload["bgd"]["loss_history"][-1]


@pytest.fixture(scope="module")
def seed_001(payloads):
    return payloads["seed-001"]


def test_seed_001_parts(seed_001):
    assert list(seed_001) == [
        "batch_sizes", "ewa", "optimizers", "decay", "escape", "learning_rate",
    ]  # fmt: skip


def test_seed_001_a_batch_sizes(seed_001):
    part = seed_001["batch_sizes"]
    runs = {run["batch_size"]: run for run in part["runs"]}
    assert list(runs) == [1, 32, 64, 128, 256, 512, "full"]
    for size, run in runs.items():
        b = part["n_samples"] if size == "full" else size
        assert run["updates"] == part["epochs"] * math.ceil(part["n_samples"] / b)
        assert len(run["loss"]) == len(run["time"]) == part["epochs"] + 1
        assert run["time"] == sorted(run["time"]) and run["seconds"] == run["time"][-1]
    finals = [runs[size]["final_loss"] for size in (64, 128, 256, 512, "full")]
    assert finals == sorted(finals)  # per epoch, more (smaller) batches get further …
    assert runs[1]["final_loss"] > runs[32]["final_loss"]  # … down to the noise of b = 1


def test_seed_001_b_ewa(seed_001):
    part = seed_001["ewa"]
    first = part["series"][0]
    for beta, entry in part["betas"].items():
        assert entry["corrected"][0] == pytest.approx(first)
        assert entry["biased"][0] == pytest.approx((1 - float(beta)) * first)
        assert entry["window"] == math.ceil(1 / (1 - float(beta)))
        assert entry["early_error_corrected"] < entry["early_error_biased"] / 3


def test_seed_001_c_optimizers(seed_001):
    part = seed_001["optimizers"]
    quadratic, rosenbrock = part["problems"]["quadratic"], part["problems"]["rosenbrock"]
    for table in (quadratic, rosenbrock):
        for name in ("momentum", "heavy_ball", "adam"):
            assert table[name]["steps"] < table["gd"]["steps"]
        # the seeds' momentum(α, β) is heavy-ball at α(1 − β): same steps at its best rate
        assert table["momentum"]["steps"] == table["heavy_ball"]["steps"]
        assert table["momentum"]["learning_rate"] * 0.1 == pytest.approx(
            table["heavy_ball"]["learning_rate"]
        )
    assert quadratic["rmsprop"]["steps"] < quadratic["gd"]["steps"]
    assert rosenbrock["rmsprop"]["steps"] is None  # constant-α RMSprop stalls in the valley
    assert rosenbrock["rmsprop"]["final_loss"] > part["tolerance"]


def test_seed_001_d_decay(seed_001):
    part = seed_001["decay"]
    curves = part["schedules"]
    assert list(curves) == ["constant", "exponential", "inverse_time", "inverse_sqrt", "staircase"]
    for name, entry in curves.items():
        assert entry["learning_rate"][0] == 0.1 and len(entry["loss"]) == part["epochs"]
        if name != "constant":
            assert entry["excess_loss"] < curves["constant"]["excess_loss"] / 10
    staircase = curves["staircase"]["learning_rate"]
    assert staircase[9] == 0.1 and staircase[10] == 0.05 and staircase[20] == 0.025


def test_seed_001_e_escapes(seed_001):
    for name, entry in seed_001["escape"].items():
        gd_steps = entry["gd"]["steps"]
        assert gd_steps is not None, name
        assert entry["heavy_ball"]["steps"] < gd_steps / 2
        assert entry["adam"]["steps"] < gd_steps / 2
        assert entry["momentum"]["steps"] >= gd_steps  # the seeds' EWA momentum: no faster


def test_seed_001_f_learning_rates(seed_001):
    part = seed_001["learning_rate"]
    assert part["stable_below"] == pytest.approx(0.2395122, rel=1e-6)
    assert part["too_large"]["status"] == "diverged"
    assert "learning rate 0.3" in part["too_large"]["message"]
    assert part["good"]["status"] == "converged"
    assert part["too_small"]["status"] == "max_steps"
    assert part["too_small"]["final_loss"] > 100 * part["good"]["final_loss"]
