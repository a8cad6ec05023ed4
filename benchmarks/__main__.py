"""`python -m benchmarks [--quick] [--only GROUP …] [--sizes N,…] [--repeats N] [--output PATH]`.

Runs the groups in one process (bandwidth first: the floors need it), prints the table and
writes it as JSON (default: benchmarks/results/benchmarks-<time>.json, git-ignored).
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.distributed import distributed_rows
from benchmarks.fitting import SETTLE, fit_rows
from benchmarks.memory import bandwidth_rows
from benchmarks.overhead import overhead_rows
from benchmarks.report import Row, table, write_json
from benchmarks.steps import step_rows
from benchmarks.sweeps import sweep_rows

GROUPS = ("bandwidth", "steps", "overhead", "sweep", "fit", "distributed")
RESULTS = Path(__file__).parent / "results"


@dataclass(frozen=True)
class Settings:
    sizes: tuple[int, ...] = (1_000_000, 10_000_000, 50_000_000)
    repeats: int = 7
    budget: float = 2.0  # seconds of turns per case: fast cases get more samples
    overhead_steps: int = 2000
    sweep_count: int = 1000
    sweep_steps: int = 1000
    sweep_repeats: int = 1  # the loop of 1000 runs takes ~25 s
    fit_samples: int = 1_000_000  # X of the training-loop epochs: fit_samples × fit_features
    fit_features: int = 100
    quick: bool = False


QUICK = Settings(
    sizes=(4096, 65536), repeats=3, budget=0.0, overhead_steps=100, sweep_count=8, sweep_steps=20,
    fit_samples=20_000, fit_features=20, quick=True,
)  # fmt: skip


def run(groups: tuple[str, ...], settings: Settings) -> list[Row]:
    """Measure the chosen groups, in one process, in order."""
    rows: list[Row] = []
    sizes = list(settings.sizes)
    bandwidth: dict[int, float] = {}
    if "bandwidth" in groups or "steps" in groups:
        stream_rows, bandwidth = bandwidth_rows(sizes, settings.repeats, settings.budget)
        rows += stream_rows if "bandwidth" in groups else []
    if "steps" in groups:
        rows += step_rows(sizes, settings.repeats, bandwidth, settings.budget)
    if "overhead" in groups:
        rows += overhead_rows(settings.overhead_steps, settings.repeats, settings.budget)
    if "sweep" in groups:
        rows += sweep_rows(
            settings.sweep_count, settings.sweep_steps, max(1, settings.repeats // 2)
        )
    if "fit" in groups:
        turns, settle = (1, 0.0) if settings.quick else (max(3, settings.repeats // 2), SETTLE)
        size = settings.fit_samples, settings.fit_features
        rows += fit_rows(*size, turns, settings.budget, settle)
    if "distributed" in groups:
        rows += distributed_rows(quick=settings.quick, repeats=settings.repeats)
    return rows


def _sizes(text: str) -> tuple[int, ...]:
    return tuple(int(float(size)) for size in text.split(","))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test")
    parser.add_argument("--only", action="append", choices=GROUPS, help="run only this group")
    parser.add_argument("--output", type=Path, help="JSON file to write")
    parser.add_argument("--repeats", type=int, help="timed repetitions per measurement")
    parser.add_argument("--sizes", type=_sizes, help="step sizes, e.g. 1000000,50000000")
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else Settings()
    if args.repeats:
        settings = dataclasses.replace(settings, repeats=args.repeats)
    if args.sizes:
        settings = dataclasses.replace(settings, sizes=args.sizes)
    groups = tuple(args.only or GROUPS)
    started = time.time()
    rows = run(groups, settings)
    print(table(rows))
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(started))
    output = args.output or RESULTS / f"benchmarks-{stamp}.json"
    write_json(rows, output, {**settings.__dict__, "groups": groups, "quick": args.quick})
    print(f"\nwritten: {output}  ({time.time() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
