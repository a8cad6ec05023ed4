"""`python -m benchmarks.distributed [--quick] [--output PATH]`: fit beyond one machine's memory.

Two groups of rows, every variant timed in turns (benchmarks.timing.interleaved_medians):

* one full-batch step — the loss and gradient on all the rows, the optimizer update aside —
  in memory (NumPy, this process) and as the reduction over Dask chunks persisted on a
  LocalCluster of 1 and 2 worker processes (one thread each: Dask's nannies set the BLAS
  threads to 1); plus the fixed cost of a step on tiny data (the round trip alone);
* one shuffled mini-batch epoch of `gd.fit`: in memory (row permutation) and streamed from a
  .npy file (block-shuffled order, gdlab.data.open_npy), as rows per second.  The file sits in
  the page cache after the first read: the rows measure gdlab's streaming, not the disk.

The runner (`python -m benchmarks`) can add the rows as its group "distributed" by calling
`distributed_rows(quick, repeats)`.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import warnings
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import numpy as np

import gdlab as gd
from benchmarks.report import Row, table, write_json
from benchmarks.timing import interleaved_medians
from gdlab.distributed import ReducedModel, cluster_client
from gdlab.distributed.chunks import persist

GROUP = "distributed"


def data(n: int, d: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    return X, X @ np.linspace(-1.0, 1.0, d) + 0.1 * rng.standard_normal(n)


# ---------------------------------------------------------------- full-batch steps


def step_rows(n: int, d: int, chunks: int, repeats: int) -> list[Row]:
    """One full-batch gradient: in memory and on 1 and 2 workers; and on 64 rows (round trip)."""
    import dask.array as da

    X, y = data(n, d)
    tiny_X, tiny_y = data(64, d)
    model = gd.models.LinearRegression()
    params = model.init(d, seed=0)
    functions = {"NumPy in memory": lambda: model.value_and_grad(params, X, y)}
    with ExitStack() as stack:
        for workers in (1, 2):
            client = stack.enter_context(cluster_client(workers=workers))
            reduced = ReducedModel(model, client)
            with warnings.catch_warnings():  # the data go to the workers in the graph
                warnings.filterwarnings("ignore", "Sending large graph", UserWarning)
                big = persist(client, model, da.from_array(X, chunks=(-(-n // chunks), d)), y)
            tiny = persist(client, model, da.from_array(tiny_X, chunks=(32, d)), tiny_y)
            functions[f"Dask {workers} worker(s)"] = _step(reduced, params, big)
            functions[f"Dask {workers} worker(s) tiny"] = _step(reduced, params, tiny)
        medians = interleaved_medians(functions, repeats=repeats)
    base = medians.pop("NumPy in memory")
    case, tiny_case = f"full-batch step, {n:,}×{d} float64", "full-batch step, 64 rows"
    rows = [Row(GROUP, case, "NumPy in memory", base, 1.0, "× in memory")]
    for name, seconds in medians.items():
        if name.endswith("tiny"):
            rows.append(Row(GROUP, tiny_case, name[:-5], seconds, note="2 chunks: the round trip"))
        else:
            rows.append(Row(GROUP, case, name, seconds, base / seconds, "× in memory",
                            note=f"{chunks} chunks"))  # fmt: skip
    return rows


def _step(reduced: ReducedModel, params: np.ndarray, chunks: Any) -> Any:
    return lambda: reduced.value_and_grad(params, chunks, chunks)


# ---------------------------------------------------------------- streamed epochs


def epoch_rows(n: int, d: int, batch_size: int, repeats: int) -> list[Row]:
    """Rows per second of one shuffled mini-batch epoch: in memory vs streamed from .npy.

    Each fit runs 4 epochs; an epoch's time is the gap between two epoch callbacks (the
    checks, the start's and the final loss stay out); the median over all gaps and runs."""
    X, y = data(n, d)
    model = gd.models.LinearRegression()
    gaps: dict[str, list[float]] = {"gd.fit in memory": [], "gd.fit streamed from .npy": []}
    with tempfile.TemporaryDirectory() as folder:
        np.save(Path(folder) / "X.npy", X)
        X_disk = gd.data.open_npy(Path(folder) / "X.npy")
        sources = dict(zip(gaps, (X, X_disk), strict=True))
        for _ in range(repeats):
            for name, source in sources.items():
                gaps[name] += epoch_gaps(model, source, y, batch_size)
        blocks = X_disk.n_blocks
    case = f"mini-batch {batch_size} epoch, {n:,}×{d} float64"
    memory = statistics.median(gaps["gd.fit in memory"])
    rows = []
    for name, values in gaps.items():
        seconds = statistics.median(values)
        note = (
            f"{blocks} blocks of 8 MiB, block-shuffled" if "streamed" in name else "row permutation"
        )
        rows.append(Row(GROUP, case, name, seconds, n / seconds, "rows/s", note=note,
                        extra={"× in memory": memory / seconds}))  # fmt: skip
    return rows


def epoch_gaps(model: Any, X: Any, y: np.ndarray, batch_size: int) -> list[float]:
    """Seconds between the ends of 4 epochs of a shuffled mini-batch fit."""
    stamps: list[float] = []
    gd.fit(model, X, y, optimizer=gd.sgd(0.01), batch_size=batch_size, epochs=4,
           epoch_callback=lambda _: stamps.append(time.perf_counter()))  # fmt: skip
    return np.diff(stamps).tolist()


# ---------------------------------------------------------------- entry points


def distributed_rows(quick: bool = False, repeats: int = 5) -> list[Row]:
    """Both groups of rows (quick: tiny sizes, a smoke test)."""
    if quick:
        return step_rows(20_000, 10, 4, 2) + epoch_rows(20_000, 10, 256, 2)
    return step_rows(2_000_000, 50, 8, repeats) + epoch_rows(1_000_000, 50, 1024, repeats)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.distributed", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test")
    parser.add_argument("--repeats", type=int, default=5, help="timed repetitions")
    parser.add_argument("--output", type=Path, help="JSON file to write")
    args = parser.parse_args(argv)
    started = time.time()
    rows = distributed_rows(args.quick, args.repeats)
    print(table(rows))
    if args.output:
        write_json(rows, args.output, {"quick": args.quick, "repeats": args.repeats})
        print(f"\nwritten: {args.output}")
    print(f"({time.time() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
