"""Reduce-on-plateau: the one stateful schedule, it reads a metric (`step(metric)`)."""

from __future__ import annotations

import math
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

from gdlab.base import check_integer, check_range
from gdlab.schedules.core import Math, Schedule, as_schedule, check_choice, constant, evaluate


@dataclass(eq=False)
class reduce_on_plateau(Schedule):
    """α_t = scale·s(t): scale shrinks by `factor` when a reported metric stops improving.

    `step(metric)` once per epoch (or evaluation) applies torch ReduceLROnPlateau's logic:
    better = metric < best·(1 − threshold) (mode "min", "rel"; "abs": best − threshold; mode "max"
    mirrors), else one more bad epoch; during cooldown bad epochs are not counted; after more
    than `patience` bad epochs the learning rate becomes max(α·factor, min_lr) — applied only if
    that lowers it by more than eps — and cooldown starts.  `min_lr` bounds the reductions, not
    the underlying schedule s.  With a float learning rate this is torch's trajectory; with a
    schedule, `step(metric, count=t)` names the update count at which the reduction is measured.
    """

    learning_rate: Any
    _: KW_ONLY
    factor: float = 0.1
    patience: int = 10
    threshold: float = 1e-4
    threshold_mode: str = "rel"
    mode: str = "min"
    cooldown: int = 0
    min_lr: float = 0.0
    eps: float = 1e-8
    scale: float = field(init=False, repr=False, default=1.0)
    best: float | None = field(init=False, repr=False, default=None)
    num_bad_epochs: int = field(init=False, repr=False, default=0)
    cooldown_counter: int = field(init=False, repr=False, default=0)
    num_reductions: int = field(init=False, repr=False, default=0)

    def __post_init__(self) -> None:
        base = as_schedule(self.learning_rate)
        self.learning_rate = base.value if isinstance(base, constant) else base
        self._base = base
        self.factor = check_range("factor", self.factor, 0.0, 1.0)
        self.patience = check_integer("patience", self.patience, 0)
        self.threshold = check_range("threshold", self.threshold, 0.0)
        self.threshold_mode = check_choice("threshold_mode", self.threshold_mode, ("rel", "abs"))
        self.mode = check_choice("mode", self.mode, ("min", "max"))
        self.cooldown = check_integer("cooldown", self.cooldown, 0)
        self.min_lr = check_range("min_lr", self.min_lr, 0.0)
        self.eps = check_range("eps", self.eps, 0.0)

    def _value(self, t: Any, xp: Math) -> Any:
        return evaluate(self._base, t, xp) * self.scale

    def step(self, metric: float, *, count: int | None = None) -> None:
        """Report one metric value (e.g. the validation loss at the end of an epoch)."""
        current = float(metric)
        if not math.isfinite(current):
            raise ValueError(f"metric must be finite, got {current}")
        if self._is_better(current):
            self.best, self.num_bad_epochs = current, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            self._reduce(count)
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0

    def _is_better(self, current: float) -> bool:
        best, threshold = self.best, self.threshold
        if best is None:
            return True
        if self.mode == "min":
            bound = best * (1.0 - threshold) if self.threshold_mode == "rel" else best - threshold
            return current < bound
        bound = best * (threshold + 1.0) if self.threshold_mode == "rel" else best + threshold
        return current > bound

    def _reduce(self, count: int | None) -> None:
        """α ← max(α·factor, min_lr) if that lowers α by more than eps (torch's _reduce_lr)."""
        if isinstance(self._base, constant):
            base = self._base.value
        elif count is None:
            raise ValueError("count is required when learning_rate is a schedule, got None")
        else:
            base = float(self._base(check_integer("count", count, 0)))
        old = base * self.scale
        new = max(old * self.factor, self.min_lr)
        if old - new > self.eps:
            self.scale = new / base
            self.num_reductions += 1

    def reset(self) -> None:
        """Back to the state of a new object: scale 1, no best, no bad epochs, no cooldown."""
        self.load_state_dict(
            {
                "scale": 1.0,
                "best": None,
                "num_bad_epochs": 0,
                "cooldown_counter": 0,
                "num_reductions": 0,
            }
        )

    def state_dict(self) -> dict[str, Any]:
        """The mutable state as plain floats/ints (best is None before the first metric)."""
        return {name: getattr(self, name) for name in _PLATEAU_STATE}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a state_dict(), checking its keys."""
        if set(state) != set(_PLATEAU_STATE):
            raise ValueError(f"state keys must be {sorted(_PLATEAU_STATE)}, got {sorted(state)}")
        self.scale = check_range("scale", state["scale"], 0.0, 1.0, high_open=False)
        self.best = None if state["best"] is None else check_range("best", state["best"], -math.inf)
        for name in ("num_bad_epochs", "cooldown_counter", "num_reductions"):
            setattr(self, name, check_integer(name, state[name], 0))


_PLATEAU_STATE = ("scale", "best", "num_bad_epochs", "cooldown_counter", "num_reductions")
