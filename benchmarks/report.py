"""Rows of the benchmark table, printed side by side and written as JSON."""

from __future__ import annotations

import json
import math
import os
import platform
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Row:
    """One measurement.

    group: bandwidth | steps | overhead | sweep | fit;  case: what is measured (e.g.
    "adam 50M float32");  variant: who runs it;  seconds: median time of one unit (a step,
    an epoch, a whole sweep);  ratio: the row's figure of merit, named by `ratio_name`
    (e.g. "× torch fused" = torch fused time / this time);  target: what the issue asks for.
    """

    group: str
    case: str
    variant: str
    seconds: float | None
    ratio: float | None = None
    ratio_name: str = ""
    floor: float | None = None  # fraction of the memory-bandwidth floor reached (floor / time)
    target: str = ""
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def table(rows: list[Row]) -> str:
    """A fixed-width text table of the rows (times in ms)."""
    header = f"{'group':9} {'case':48} {'variant':26} {'ms':>10} {'ratio':>18} {'floor':>6}  note"
    lines = [header, "-" * len(header)]
    for row in rows:
        ms = "—" if row.seconds is None else f"{row.seconds * 1e3:10.3f}"
        ratio = "" if row.ratio is None else f"{row.ratio:.2f} {row.ratio_name}"
        floor = "" if row.floor is None else f"{row.floor:.0%}"
        note = "; ".join(part for part in (row.target and f"target {row.target}", row.note) if part)
        lines.append(
            f"{row.group:9} {row.case:48} {row.variant:26} {ms:>10} {ratio:>18} {floor:>6}  {note}"
        )
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    versions = {}
    for name in ("numpy", "numba", "torch", "sklearn"):
        try:
            versions[name] = __import__(name).__version__
        except ImportError:
            versions[name] = None
    return {
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "versions": versions,
    }


def write_json(rows: list[Row], path: Path, settings: dict[str, Any]) -> None:
    """The table as JSON (non-finite numbers as null)."""
    document = {"machine": machine(), "settings": settings, "rows": [asdict(r) for r in rows]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_finite(document), indent=2), encoding="utf-8")


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value
