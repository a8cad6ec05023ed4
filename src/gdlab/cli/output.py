"""What the commands share: the common options, reading arguments as bad-input-aware, and the
output — rich tables, one JSON document with --json, progress bars only on a terminal.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from gdlab.cli.app import FAILED, BadInput

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document, nothing else.")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars or notes.")]
OutOption = Annotated[Path, typer.Option("--out", "-o", help="Directory for the files written.")]
StepsOption = Annotated[int, typer.Option("--steps", "-n", min=1, help="Updates per run.")]
StartOption = Annotated[
    str | None, typer.Option("--start", help="Start point 'x,y' (default: the problem's).")
]
OptimizersOption = Annotated[
    list[str] | None,
    typer.Option(
        "--optimizers", "-O",
        help="Optimizer specs, comma-separated or repeated: 'sgd,adam:lr=0.1,rmsprop' "
        "(default: all, each at its tuned learning rate).",
    ),
]  # fmt: skip
DEFAULT_OUT = Path("gdlab-out")


@contextmanager
def reading() -> Iterator[None]:
    """Turn the ValueError/TypeError/OSError of reading arguments into bad input (exit 2)."""
    try:
        yield
    except (ValueError, TypeError) as error:
        raise BadInput(str(error)) from None
    except OSError as error:
        raise BadInput(f"{error.strerror or error}: {error.filename or ''}".strip(": ")) from None


def point(text: str | None) -> list[float] | None:
    """'x,y' → [x, y] (None stays None)."""
    if text is None:
        return None
    try:
        return [float(part) for part in text.split(",")]
    except ValueError:
        raise ValueError(f"--start must be numbers separated by commas, got {text!r}") from None


def plain(value: Any) -> Any:
    """JSON-ready: numpy to Python, non-finite floats to null, paths to text."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, np.generic):
        return plain(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    return value


def number(value: float | None, digits: int = 4) -> str:
    """A number for a table cell ('—' for None or NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.{digits}g}"


def _numeric(cell: Any) -> bool:
    """A number, or text that reads as one (or '—'): right-aligned in a table."""
    if isinstance(cell, (int, float)):
        return True
    try:
        float(str(cell).split()[0] if str(cell).strip() else "x")
    except ValueError:
        return str(cell) == "—"
    return True


class Output:
    """Where a command's results go: stdout tables and notes, or one JSON document."""

    def __init__(self, *, json_output: bool = False, quiet: bool = False) -> None:
        self.json = json_output
        self.quiet = quiet
        terminal = sys.stdout.isatty()
        self.console = Console(highlight=False, width=None if terminal else 120, soft_wrap=True)
        self.live = terminal and not (json_output or quiet)

    @contextmanager
    def progress(self, total: int, description: str) -> Iterator[Callable[[str], None]]:
        """A progress bar on stderr (terminal only, not --quiet/--json); yields advance(label)."""
        if not self.live:
            yield lambda label: None
            return
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn())  # fmt: skip
        with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task(description, total=total)
            yield lambda label: bar.update(task, advance=1, description=f"{description} {label}")

    def table(self, title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        if self.json:
            return
        table = Table(title=title, title_justify="left", header_style="bold")
        for index, column in enumerate(columns):
            numeric = index > 0 and all(_numeric(row[index]) for row in rows)
            table.add_column(column, justify="right" if numeric else "left")
        for row in rows:
            table.add_row(*(str(cell) for cell in row))
        self.console.print(table)

    def note(self, text: str) -> None:
        if not (self.json or self.quiet):
            self.console.print(text)

    def files(self, written: dict[str, Path]) -> None:
        for path in written.values():
            self.note(f"wrote {path}")

    def document(self, document: dict[str, Any]) -> None:
        """With --json, the one JSON document on stdout."""
        if self.json:
            sys.stdout.write(json.dumps(plain(document)) + "\n")
            sys.stdout.flush()


def finish(failed: Sequence[str], output: Output) -> None:
    """Exit 1 when some run failed (diverged), after saying which on stderr."""
    if failed:
        typer.echo(f"gdlab: diverged: {', '.join(failed)}", err=True)
        raise typer.Exit(FAILED)


def out_dir(path: Path) -> Path:
    """The output directory, created if needed."""
    with reading():
        path.mkdir(parents=True, exist_ok=True)
    return path
