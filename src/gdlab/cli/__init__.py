"""The `gdlab` command line (layer L5): thin commands — read the arguments into objects, run,
present — over `gdlab.specs`, `gdlab.catalog`, `gdlab.experiments`, `gdlab.sweeps`,
`gdlab.lrfind`, `gdlab.fitting` and `gdlab.plots`.  See docs/cli.md.

Exit codes: 0 success, 1 a run that diverged or failed, 2 bad input (one line on stderr).
"""

from gdlab.cli import playground, runs, studies, training
from gdlab.cli.app import app, main

__all__ = ["app", "main", "playground", "runs", "studies", "training"]
