"""The benchmark runner: one quick run in one process writes the whole table as JSON."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_quick_run_measures_every_group_and_writes_json(tmp_path):
    output = tmp_path / "table.json"
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--output", str(output)],
        cwd=ROOT,
        env={**os.environ, "GDLAB_CACHE_DIR": str(tmp_path / "cache")},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr
    assert "written:" in completed.stdout
    document = json.loads(output.read_text())
    rows = document["rows"]
    groups = {"bandwidth", "steps", "overhead", "sweep", "fit", "distributed"}
    assert {row["group"] for row in rows} == groups
    assert document["settings"]["quick"] is True and document["machine"]["cpus"] >= 1
    fused = [row for row in rows if row["variant"] == "gdlab fused"]
    assert {row["case"].split()[0] for row in fused} == {"adam", "sgd-momentum", "rmsprop"}
    assert all(row["seconds"] > 0 and row["floor"] > 0 for row in fused)
    sweep = next(row for row in rows if row["variant"] == "minimize_stacked")
    assert sweep["ratio"] > 0 and sweep["ratio_name"] == "× loop speed"
    fit = [row for row in rows if row["group"] == "fit"]
    ours = [row for row in fit if row["variant"] == "gdlab (gd.fit)"]
    assert {row["case"].split(",")[0].split(" (")[0] for row in ours} == {
        "per-sample SGD epoch", "mini-batch 32 shuffled epoch", "mini-batch 256 shuffled epoch",
        "mini-batch 4096 shuffled epoch", "full-batch epoch", "seed-000 fit",
    }  # fmt: skip
    assert all(row["seconds"] > 0 and row["ratio"] > 0 for row in ours)
    assert all(row["floor"] > 0 for row in ours if not row["case"].startswith("seed-000"))
    sums = [row for row in fit if row["variant"] == "gdlab row sums alone"]
    assert sorted(row["case"].split(" shuffled")[0] for row in sums) == [
        "mini-batch 256", "mini-batch 256", "mini-batch 4096", "mini-batch 4096"
    ]  # fmt: skip
    assert all(row["seconds"] > 0 and row["floor"] > 0 for row in sums)
    order = next(row for row in fit if row["variant"] == "gdlab (permutation)")
    assert order["seconds"] > 0 and order["ratio_name"] == "× NumPy rng.permutation"
    floors = {row["case"]: row for row in fit if row["variant"].startswith("floor")}
    gather = next(row for case, row in floors.items() if case.startswith("gather X's rows"))
    epoch = floors["gather X's rows shuffled + draw the order"]
    assert epoch["seconds"] == pytest.approx(gather["seconds"] + order["seconds"])


def test_the_shuffled_epochs_floor_is_its_gather_plus_its_order(monkeypatch):
    """order_rows: gdlab's and NumPy's permutation, each timed after a pass over X; the floor
    row adds the order to the gather floor, its fraction of the stream floor and the time
    that 40% of the stream floor allows."""
    monkeypatch.syspath_prepend(str(ROOT))
    import numpy as np
    from benchmarks.fitting import make_data, order_rows

    X, _ = make_data(5000, 7)
    ours, numpy, epoch = order_rows(X, 1, stream=0.002, gather=0.004)
    assert ours.variant == "gdlab (permutation)" and numpy.variant == "NumPy rng.permutation"
    assert ours.seconds > 0 and ours.ratio == pytest.approx(numpy.seconds / ours.seconds)
    assert epoch.seconds == pytest.approx(0.004 + ours.seconds)
    assert epoch.floor == pytest.approx(0.002 / epoch.seconds)
    assert "allows 5.0 ms" in epoch.note
    assert np.isfinite([ours.seconds, numpy.seconds]).all()


@pytest.mark.parametrize("size", [64, 128, 130, 256, 1000])
def test_batch_sums_reads_every_row_once_through_the_order(monkeypatch, size):
    """The row-sums-alone measurement runs gd.fit's kernel over every row of the order once:
    at w = 0 its losses add up to Σy² (squared error) and n·log 2 (log loss) — in every run,
    however its threads interleave (a shorter last batch hands a worker another's ranges)."""
    monkeypatch.syspath_prepend(str(ROOT))
    import numpy as np
    from benchmarks.fitting import batch_sums, make_data

    from gdlab.epoch_kernels import LOG_LOSS, SQUARED

    X, targets = make_data(1000, 7)
    order = np.random.default_rng(0).permutation(len(X))
    squares = float(np.sum(targets["linear"].astype(np.float64) ** 2))
    assert batch_sums(X, targets["linear"], order, size, SQUARED) == pytest.approx(squares, 1e-6)
    logs = batch_sums(X, targets["logistic"], order, size, LOG_LOSS)
    assert logs == pytest.approx(len(X) * np.log(2), 1e-9)
    half = order[: len(X) // 2]  # the rows of the order, not of X
    for _ in range(20):
        assert batch_sums(X, targets["logistic"], half, size, LOG_LOSS) == pytest.approx(
            len(half) * np.log(2), 1e-9
        )


@pytest.mark.slow
def test_one_group_can_run_alone(tmp_path):
    output = tmp_path / "overhead.json"
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", "overhead", "--output", output],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr
    rows = json.loads(output.read_text())["rows"]
    assert [row["variant"] for row in rows] == ["gd.minimize", "torch.optim loop"]
    assert rows[0]["ratio"] == rows[0]["seconds"] / rows[1]["seconds"]
