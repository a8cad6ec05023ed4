"""gdlab — gradient descent as real software.

    import gdlab as gd
    result = gd.minimize(gd.problems.get("rosenbrock"), [-1.5, 2.0],
                         optimizer=gd.adam(0.05), steps=2000)

Optimizers are short recipes over one building block, the exponentially weighted average
(`gd.ewa`); they match torch.optim for the same hyper-parameters.  `import gdlab` needs NumPy
only: compiled kernels, SymPy, plotting and the command line load when first used.
"""

from gdlab import data, problems, schedules
from gdlab.averages import EWA, ewa
from gdlab.base import Rule, RuleState, Transform, chain
from gdlab.gradcheck import GradCheck, check_grad
from gdlab.history import History, Result
from gdlab.loop import StepInfo, minimize
from gdlab.optimizers import (
    adadelta,
    adagrad,
    adam,
    adamax,
    adamw,
    lion,
    momentum,
    nadam,
    radam,
    rmsprop,
    sgd,
)
from gdlab.problems import models
from gdlab.stacked import StackedResult, minimize_stacked
from gdlab.training import fit
from gdlab.transforms import (
    add_decayed_weights,
    clip_by_global_norm,
    clip_by_value,
    ema,
    scale,
    scale_by_adadelta,
    scale_by_adam,
    scale_by_adamax,
    scale_by_learning_rate,
    scale_by_lion,
    scale_by_nadam,
    scale_by_radam,
    scale_by_rms,
    scale_by_rss,
    trace,
)

__version__ = "0.1.0"

__all__ = [
    "EWA",
    "GradCheck",
    "History",
    "Result",
    "Rule",
    "RuleState",
    "StackedResult",
    "StepInfo",
    "Transform",
    "__version__",
    "adadelta",
    "adagrad",
    "adam",
    "adamax",
    "adamw",
    "add_decayed_weights",
    "chain",
    "check_grad",
    "clip_by_global_norm",
    "clip_by_value",
    "data",
    "ema",
    "ewa",
    "fit",
    "lion",
    "minimize",
    "minimize_stacked",
    "models",
    "momentum",
    "nadam",
    "problems",
    "radam",
    "rmsprop",
    "scale",
    "scale_by_adadelta",
    "scale_by_adam",
    "scale_by_adamax",
    "scale_by_learning_rate",
    "scale_by_lion",
    "scale_by_nadam",
    "scale_by_radam",
    "scale_by_rms",
    "scale_by_rss",
    "schedules",
    "sgd",
    "trace",
]
