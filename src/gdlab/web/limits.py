"""What one request may ask of the playground server (layer L5).

Every bound is checked before any work starts and refused with a 4xx that names it; the work
itself runs against a deadline, so no request holds a worker thread for long:

    body ≤ 64 KiB  ·  steps ≤ 5000  ·  optimizers ≤ 8  ·  grid ≤ 201 × 201  ·  2 s of CPU
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_BODY_BYTES = 64 * 1024  # request body
MAX_STEPS = 5000  # updates per optimizer
MAX_OPTIMIZERS = 8  # optimizers in one run request
MIN_RESOLUTION = 5  # surface grid points per axis
MAX_RESOLUTION = 201
MAX_DIM = 10  # variables of a problem
MAX_COORDINATE = 1e6  # |x0_i| and window bounds
MAX_HYPERPARAMS = 12  # keys in one hyper-parameter mapping
MAX_NAME = 64  # characters of a name or label
MAX_EXPRESSION = 2000  # characters of an expression (the parser's own bound)
MAX_EWA_POINTS = 2000  # length of an EWA series
MAX_BETAS = 6  # EWA curves in one figure
MAX_EPOCHS = 2000  # epochs of a mini-batch fit (seed 002 makes 1000)
MAX_SAMPLES = 1000  # samples of a synthetic data set
MAX_ROWS = 2000  # rows of a fit's path and loss in a response (longer ones are strided)
MAX_FITS = 6  # batch sizes compared in one fit request
MAX_UPDATES = 20_000  # updates of one mini-batch fit (epochs × batches)
TIME_BUDGET_S = 2.0  # CPU time of the work of one request
CACHE_SIZE = 64  # parsed expressions kept per app
RUN_CACHE_ROWS = 200_000  # rows of paths kept per app (a few tens of MB at most)


@dataclass(frozen=True)
class Settings:
    """Per-app settings that tests and deployments may change (the rest are constants).

    time_budget_s: seconds of CPU time a request may use before its runs stop with status
        "stopped" and a message that says the budget ran out.
    cache_size: parsed expressions kept (parsing goes through SymPy and is the slow part).
    run_cache_rows: rows of finished runs kept, so that moving one optimizer's slider re-runs
        only that optimizer (0: keep none).
    """

    time_budget_s: float = TIME_BUDGET_S
    cache_size: int = CACHE_SIZE
    run_cache_rows: int = RUN_CACHE_ROWS

    def __post_init__(self) -> None:
        if not 0 <= self.time_budget_s <= 60:
            raise ValueError(f"time_budget_s must be in [0, 60], got {self.time_budget_s}")
        if self.cache_size < 0:
            raise ValueError(f"cache_size must be >= 0, got {self.cache_size}")
        if self.run_cache_rows < 0:
            raise ValueError(f"run_cache_rows must be >= 0, got {self.run_cache_rows}")
