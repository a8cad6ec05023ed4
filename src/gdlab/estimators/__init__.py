"""scikit-learn estimators trained by `gd.fit` (layer L4); users import them from `gdlab.sklearn`.

    GDRegressor      ŷ = X·w + b;  (1/2b)·Σ(ŷ − y)² + alpha·½‖w‖²   (SGDRegressor's objective)
    GDClassifier     σ(X·w + b) (2 classes), softmax(X·W + b) (K);  log loss + alpha·½‖W‖²
    GDMLPRegressor   a multilayer perceptron;  half squared error + alpha·½Σ‖Wᵢ‖²
    GDMLPClassifier  a multilayer perceptron;  softmax cross-entropy + alpha·½Σ‖Wᵢ‖²

The scikit-learn contract: `__init__` stores the parameters and nothing else; `fit` checks them
and the data; `partial_fit` makes one epoch over the data it is given and carries the optimizer
state (and its update count, so that schedules go on) from call to call.  `optimizer` and
`schedule` are spec strings of `gdlab.specs` ("adam:beta1=0.8", "cosine", "step:every=100").
Fitted: coef_, intercept_ (linear; in the data's units) or coefs_, intercepts_ (MLP), n_iter_
(epochs), t_ (updates), loss_curve_ (epoch losses), history_ (the gd History), learning_rate_
(the α used), classes_ (classifiers).

A default step size that cannot diverge on unscaled data, from two things together:

1. scale=True: the features are standardised inside the estimator (the regressors' target too),
   from the data of `fit` (or of the first `partial_fit` call); coef_ and intercept_ come back
   in the original units, and alpha applies to the standardised weights.
2. learning_rate="auto": for "sgd" and "momentum" on the linear models, α = 1/L where
       L = c·min(max_i ‖x̃_i‖², λ_max(X̃ᵀX̃)/b_min) + alpha,
   x̃ = (x, 1) the scaled features and the intercept's 1, b_min the smallest batch of an epoch,
   c the loss's curvature bound (1 for half squared error, ¼ logistic, ½ softmax).  Every batch
   loss then has a Hessian ⪯ L·I (X_BᵀX_B/b ⪯ max‖x̃‖²·I and ⪯ X̃ᵀX̃/b), so each update is a
   descent step on its batch, at any batch size, whatever the units of X (scale=False too).
   For the adaptive optimizers, whose steps are about α per coordinate whatever the size of the
   gradient, "auto" is 0.01 on the linear models and 0.001 (scikit-learn's MLP default) on the
   MLPs; adadelta keeps its 1.0.  docs/sklearn.md has the table against scikit-learn.
"""

from gdlab.estimators.base import lipschitz_rate
from gdlab.estimators.linear import GDClassifier, GDRegressor
from gdlab.estimators.mlp import GDMLPClassifier, GDMLPRegressor

__all__ = ["GDClassifier", "GDMLPClassifier", "GDMLPRegressor", "GDRegressor", "lipschitz_rate"]
