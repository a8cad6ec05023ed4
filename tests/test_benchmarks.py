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
