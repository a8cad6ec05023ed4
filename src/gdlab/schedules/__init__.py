"""Learning-rate schedules: α_t as a pure function of the update count t (layer L1).

t = 0 is the *first* update, so α_0 is the learning rate of the first step — the value torch's
`scheduler.get_last_lr()` holds after t calls to `scheduler.step()`.  Every schedule is a small
frozen dataclass whose class name is its public name (its repr is the call that rebuilds it):

    schedule(7)               -> float                  (one update: the hot path, pure Python)
    schedule(np.arange(100))  -> float64 array          (plots, vectorised runs)

Both paths run the *same* formula, written once with arithmetic and a few functions taken from
a namespace (`SCALAR` = math/bisect, `ARRAY` = NumPy, in `core`); they agree to within one ulp
(NumPy's vectorised pow and C's pow may round differently).  The formulas follow the operation
order of torch.optim.lr_scheduler's closed forms (2.13), so parity with torch is to rounding.

`reduce_on_plateau` is the one stateful exception: it reads a metric (`step(metric)`).
See docs/schedules.md for the table of formulas and torch/optax equivalents.

The modules: `core` (the contract, constant, as_schedule, describe), `decays`, `cycles`
(cosine restarts, one-cycle, cyclic), `composition` (warmup, join, per_epoch), `plateau`.

>>> import numpy as np
>>> from gdlab import schedules
>>> lr = schedules.warmup(schedules.cosine(0.1, total_steps=90), warmup_steps=10)
>>> lr(0), lr(5), lr(10), lr(55), lr(100)
(0.03333333333333333, 0.06666666666666668, 0.1, 0.05, 0.0)
>>> lr(np.arange(0, 101, 25)).round(4).tolist()
[0.0333, 0.0933, 0.0587, 0.0179, 0.0]
>>> schedules.describe(lr)["schedule"]
{'name': 'cosine', 'init_value': 0.1, 'total_steps': 90, 'end_value': 0.0}
"""

from gdlab.schedules.composition import join, per_epoch, warmup
from gdlab.schedules.core import Schedule, as_schedule, constant, describe
from gdlab.schedules.cycles import cosine_restarts, cyclic, one_cycle
from gdlab.schedules.decays import (
    cosine,
    exponential_decay,
    inverse_sqrt_decay,
    inverse_time_decay,
    multistep,
    polynomial,
    step_decay,
)
from gdlab.schedules.plateau import reduce_on_plateau

__all__ = [
    "Schedule",
    "as_schedule",
    "constant",
    "cosine",
    "cosine_restarts",
    "cyclic",
    "describe",
    "exponential_decay",
    "inverse_sqrt_decay",
    "inverse_time_decay",
    "join",
    "multistep",
    "one_cycle",
    "per_epoch",
    "polynomial",
    "reduce_on_plateau",
    "step_decay",
    "warmup",
]
