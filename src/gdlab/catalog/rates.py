"""Learning rates that suit each optimizer on each built-in problem (layer L4).

Found with `gdlab.sweeps.tune` (see docs/optimizers.md for the procedure and the table); a test
re-runs the procedure and checks that it still gives these numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from gdlab.catalog.registry import optimizer_entry

DEFAULT_PROBLEM = "rosenbrock"
DEFAULT_STEPS = 1000
FALLBACK_LEARNING_RATE = 0.01
# The grid the tuned rates are chosen from: 1, 2, 5 per decade, 1e-6 … 10.
TUNING_GRID = tuple(float(f"{m}e{e}") for e in range(-6, 2) for m in (1, 2, 5))[:-2]


# For each problem with a known minimum, the rate on TUNING_GRID whose worst f(x) after
# DEFAULT_STEPS updates from 5 starts (the problem's and 4 seeded ones near it) is lowest, each
# optimizer at its default hyper-parameters: `gdlab.sweeps.tune`, docs/optimizers.md.
def _rates(**rates: float) -> Mapping[str, float]:
    return MappingProxyType(rates)


SUGGESTED_LEARNING_RATES: Mapping[str, Mapping[str, float]] = MappingProxyType(
    {
        "parabola": _rates(sgd=0.2, momentum=1.0, adagrad=0.5, rmsprop=0.002, adadelta=0.5,
            adam=0.1, adamw=10.0, adamax=0.5, nadam=0.1, radam=0.2, lion=0.002),
        "quadratic": _rates(sgd=0.1, momentum=0.2, adagrad=1.0, rmsprop=0.002, adadelta=0.5,
            adam=1.0, adamw=10.0, adamax=0.5, nadam=0.2, radam=0.1, lion=0.005),
        "booth": _rates(sgd=0.05, momentum=0.1, adagrad=2.0, rmsprop=0.02, adadelta=5.0, adam=0.2,
            adamw=0.5, adamax=1.0, nadam=0.1, radam=0.2, lion=0.02),
        "rosenbrock": _rates(sgd=0.002, momentum=0.01, adagrad=0.5, rmsprop=0.005, adadelta=0.5,
            adam=0.5, adamw=0.2, adamax=0.5, nadam=0.1, radam=0.002, lion=0.005),
        "beale": _rates(sgd=0.005, momentum=0.005, adagrad=2.0, rmsprop=0.005, adadelta=1.0,
            adam=2.0, adamw=0.5, adamax=1.0, nadam=0.05, radam=0.002, lion=0.005),
        "himmelblau": _rates(sgd=0.01, momentum=0.01, adagrad=1.0, rmsprop=0.005, adadelta=0.5,
            adam=0.1, adamw=0.5, adamax=1.0, nadam=0.05, radam=0.05, lion=0.01),
        "six_hump_camel": _rates(sgd=0.01, momentum=0.5, adagrad=1.0, rmsprop=2.0, adadelta=0.2,
            adam=0.5, adamw=0.5, adamax=1.0, nadam=1.0, radam=0.2, lion=0.01),
        "goldstein_price": _rates(sgd=1e-05, momentum=0.0001, adagrad=0.5, rmsprop=2.0,
            adadelta=0.5, adam=1.0, adamw=1.0, adamax=2.0, nadam=2.0, radam=2e-05, lion=0.005),
        "styblinski_tang": _rates(sgd=0.05, momentum=0.05, adagrad=5.0, rmsprop=5.0, adadelta=1.0,
            adam=2.0, adamw=2.0, adamax=5.0, nadam=5.0, radam=0.02, lion=0.05),
        "rastrigin": _rates(sgd=0.0001, momentum=0.0001, adagrad=5.0, rmsprop=0.0005,
            adadelta=0.1, adam=0.002, adamw=5.0, adamax=0.005, nadam=0.002, radam=0.01,
            lion=0.001),
        "ackley": _rates(sgd=0.1, momentum=0.0005, adagrad=2.0, rmsprop=0.5, adadelta=0.05,
            adam=0.5, adamw=0.1, adamax=0.005, nadam=0.5, radam=0.005, lion=0.5),
        "plateau": _rates(sgd=0.5, momentum=5.0, adagrad=0.5, rmsprop=0.005, adadelta=0.5,
            adam=0.5, adamw=1.0, adamax=2.0, nadam=0.05, radam=1.0, lion=0.01),
    }
)  # fmt: skip


def suggested_learning_rate(optimizer_name: str, problem_name: str) -> float:
    """The rate tuned for this optimizer on this problem (see docs/optimizers.md), else the
    optimizer's own default, else 0.01.

    >>> suggested_learning_rate("adadelta", "no such problem")
    1.0
    """
    tuned = SUGGESTED_LEARNING_RATES.get(problem_name, {})
    if optimizer_name in tuned:
        return tuned[optimizer_name]
    default = optimizer_entry(optimizer_name).parameter("learning_rate").default
    return FALLBACK_LEARNING_RATE if default is None else float(default)
