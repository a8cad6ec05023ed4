"""The Typer application and its error policy: exit 0 on success, 1 when a run diverged or
failed, 2 on bad input — a one-line message on stderr, never a traceback.

Bad input is a usage error (a missing argument, an option out of range) or a ValueError /
TypeError raised while reading the arguments (an unknown name, a bad spec, a bad file).  Any
other exception is reported in one line with exit code 1; set GDLAB_DEBUG=1 to see its traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperGroup

BAD_INPUT = 2
FAILED = 1


class BadInput(Exception):
    """Bad input found while reading the arguments: exit code 2."""


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def report(message: str) -> None:
    """One line on stderr, prefixed with the program name."""
    typer.echo(f"gdlab: {_one_line(message)}", err=True)


class Group(TyperGroup):
    """A Typer group whose `main` applies the exit-code policy, for the console script and for
    CliRunner alike."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        code = self._run(args, prog_name or "gdlab", complete_var, **extra)
        if standalone_mode:
            sys.exit(code)
        return code

    def _run(
        self, args: Sequence[str] | None, prog_name: str, complete_var: str | None, **extra: Any
    ) -> int:
        try:
            result = super().main(
                args=args, prog_name=prog_name, complete_var=complete_var,
                standalone_mode=False, **extra,
            )  # fmt: skip
        except typer.Exit as error:
            return int(error.exit_code)
        except typer.Abort:
            report("aborted")
            return 130
        except BadInput as error:
            report(str(error))
            return BAD_INPUT
        except typer.TyperException as error:  # typer's usage errors (its own click)
            return _usage(error)
        except (ValueError, TypeError) as error:
            return _unexpected(error, BAD_INPUT)
        except Exception as error:
            return _unexpected(error, FAILED)
        return result if isinstance(result, int) else 0


def _usage(error: Any) -> int:
    """A usage error in one line (no arguments at all: the help, exit 0)."""
    context = getattr(error, "ctx", None)
    if type(error).__name__ == "NoArgsIsHelpError" and context is not None:
        typer.echo(context.get_help())
        return 0
    where = f" {context.info_name}" if context is not None and context.parent else ""
    report(f"{error.format_message()} (see 'gdlab{where} --help')")
    return int(getattr(error, "exit_code", BAD_INPUT))


def _unexpected(error: Exception, code: int) -> int:
    if os.environ.get("GDLAB_DEBUG"):
        raise error
    report(str(error) if code == BAD_INPUT else f"{type(error).__name__}: {error}")
    return code


app = typer.Typer(
    cls=Group,
    name="gdlab",
    help="Gradient descent, run and shown: compare optimizers, sweep learning rates, fit models.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def main(argv: Sequence[str] | None = None) -> int:
    """The `gdlab` console script: run the app, return (and exit with) its exit code."""
    return int(app(args=argv, prog_name="gdlab", standalone_mode=False) or 0)
