"""benchmarks.distributed: a quick run measures every row and writes them as JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_quick_run(tmp_path: Path) -> None:
    output = tmp_path / "distributed.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.distributed", "--quick", "--output", str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = json.loads(output.read_text())["rows"]
    variants = {(row["case"].split(",")[0], row["variant"]) for row in rows}
    assert variants == {
        ("full-batch step", "NumPy in memory"),
        ("full-batch step", "Dask 1 worker(s)"),
        ("full-batch step", "Dask 2 worker(s)"),
        ("mini-batch 256 epoch", "gd.fit in memory"),
        ("mini-batch 256 epoch", "gd.fit streamed from .npy"),
    }
    assert all(row["group"] == "distributed" and row["seconds"] > 0 for row in rows)
