"""gdlab.distributed (the package): which data take the path, the cluster client, the CLI's
--scheduler / --workers, and Dask staying out of `import gdlab`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import dask.array as da
import numpy as np
import pytest
from typer.testing import CliRunner

import gdlab as gd
from gdlab.cli import app
from gdlab.data.ondisk import in_blocks
from gdlab.distributed import cluster_client, wanted


def test_wanted() -> None:
    assert not wanted(np.ones((3, 2)), None)
    assert not wanted([[1.0]], None)
    assert wanted(np.ones((3, 2)), object())  # NumPy data with a client
    assert wanted(da.ones((3, 2)), None)
    assert wanted(in_blocks(np.ones((3, 2))), None)


def test_cluster_client_arguments() -> None:
    with cluster_client() as nothing:
        assert nothing is None
    with pytest.raises(ValueError, match="not both"), cluster_client("tcp://x:1", 2):
        pass
    with (
        pytest.raises(ValueError, match="workers must be an integer >= 1, got 0"),
        cluster_client(workers=0),
    ):
        pass


def test_a_client_on_an_existing_scheduler(client: Any) -> None:
    X = np.random.default_rng(0).standard_normal((200, 3))
    y = X.sum(axis=1)
    expected = gd.fit(gd.models.LinearRegression(), X, y, optimizer=gd.sgd(0.1), epochs=5)
    with cluster_client(scheduler=client.scheduler.address) as other:
        assert other is not client
        got = gd.fit(gd.models.LinearRegression(), da.from_array(X, chunks=70), y,
                     optimizer=gd.sgd(0.1), epochs=5, client=other)  # fmt: skip
    assert np.max(np.abs(got.x - expected.x)) <= 1e-12 * np.max(np.abs(expected.x))


# ---------------------------------------------------------------- the CLI


def fit_command(*options: str, out: Path) -> dict[str, Any]:
    result = CliRunner().invoke(
        app, ["fit", "diabetes", "--full-batch", "--epochs", "20", "--json", "--out", str(out),
              *options],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_cli_scheduler_and_workers(client: Any, tmp_path: Path) -> None:
    here = fit_command(out=tmp_path / "here")
    remote = fit_command("--scheduler", client.scheduler.address, out=tmp_path / "remote")
    local = fit_command("--workers", "1", out=tmp_path / "local")
    for other in (remote, local):
        assert other["updates"] == here["updates"] == 20
        assert abs(other["final_loss"] - here["final_loss"]) <= 1e-12 * here["final_loss"]
        np.testing.assert_allclose(other["params"]["coef"], here["params"]["coef"], rtol=1e-11)


def test_cli_both_is_bad_input(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["fit", "diabetes", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1",
              "--out", str(tmp_path)],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "not both" in result.stderr


# ---------------------------------------------------------------- Dask is optional


def test_dask_is_imported_only_for_dask_data(tmp_path: Path) -> None:
    np.save(tmp_path / "X.npy", np.ones((10, 2)))
    script = (
        "import sys, numpy as np\n"
        "import gdlab as gd, gdlab.distributed\n"
        "def dask(): return sorted(m for m in sys.modules if m.split('.')[0] in "
        "('dask', 'distributed', 'zarr'))\n"
        "assert not dask(), dask()\n"
        "m = gd.models.LinearRegression()\n"
        "gd.fit(m, np.ones((10, 2)), np.ones(10), optimizer=gd.sgd(0.1), epochs=2)\n"
        f"X = gd.data.ondisk.open_npy({str(tmp_path / 'X.npy')!r}, block_rows=3)\n"
        "gd.fit(m, X, np.ones(10), optimizer=gd.sgd(0.1), batch_size=4, epochs=2)\n"
        "assert not dask(), dask()\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
