"""gdlab.sklearn: scikit-learn's own estimator checks, Pipeline and GridSearchCV, the scores of
scikit-learn's linear models on the bundled data sets, the step size that cannot diverge, and
partial_fit ≡ fit, epoch for epoch."""

from __future__ import annotations

import pickle
import subprocess
import sys

import numpy as np
import pytest
from sklearn import datasets
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, SGDClassifier, SGDRegressor
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from gdlab import data
from gdlab.sklearn import (
    GDClassifier,
    GDMLPClassifier,
    GDMLPRegressor,
    GDRegressor,
    lipschitz_rate,
)

ESTIMATORS = [
    GDRegressor(),
    GDClassifier(),
    GDMLPRegressor(),
    GDMLPClassifier(),
    GDClassifier(optimizer="adam", batch_size=8, schedule="cosine", early_stopping=True),
    GDRegressor(optimizer="momentum", batch_size=5, alpha=0.01, scale=False),
]


# No check is skipped or expected to fail.  Two notes:
# * ConvergenceWarning is ignored here (and only here): the checks fit tiny random data sets,
#   where reaching tol within the default epochs is not the point; the warning itself is the
#   documented behaviour (test_a_run_out_of_epochs_warns below) and the checks pass either way.
# * scikit-learn itself skips check_array_api_input unless SCIPY_ARRAY_API=1 is set (its own
#   written reason is shown by `pytest -rs`); the estimators declare no Array API support.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(ESTIMATORS)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


# ---------------------------------------------------------------- in scikit-learn's machinery


def test_in_a_pipeline_and_a_grid_search():
    X, y = datasets.load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), GDClassifier(scale=False, random_state=0))
    assert pipe.fit(X, y).score(X, y) > 0.95
    grid = GridSearchCV(
        pipe,
        {"gdclassifier__optimizer": ["sgd", "adam", "momentum:beta=0.8"],
         "gdclassifier__alpha": [1e-4, 1.0]},
        cv=3,
    )  # fmt: skip
    grid.fit(X, y)
    assert grid.best_params_["gdclassifier__alpha"] == 1e-4  # α = 1 underfits
    assert grid.best_score_ > 0.9 and len(grid.cv_results_["params"]) == 6
    assert grid.predict(X[:3]).tolist() == [0, 0, 0]


def test_clone_and_pickle_keep_the_parameters_and_the_fit():
    X, y = datasets.load_wine(return_X_y=True)
    model = GDClassifier(optimizer="adam:beta1=0.8", epochs=50, tol=None, random_state=3).fit(X, y)
    assert clone(model).get_params() == model.get_params()
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.predict_proba(X), model.predict_proba(X))


def test_importing_gdlab_does_not_import_scikit_learn():
    code = "import sys, gdlab; print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---------------------------------------------------------------- scores against scikit-learn


def cross_validated(estimator, X, y, regression):
    splitter = KFold if regression else StratifiedKFold
    folds = splitter(5, shuffle=True, random_state=0)
    return float(cross_val_score(estimator, X, y, cv=folds).mean())


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("name", ["diabetes", "breast_cancer", "iris", "wine", "digits"])
def test_scores_within_one_percent_of_scikit_learn(name):
    """5-fold cross-validated R² / accuracy, defaults on both sides; scikit-learn's linear
    models on standardised features (their documented use), ours on the raw data (it scales
    inside).  The reference is the model with the same objective: SGDRegressor for the
    regression, LogisticRegression (multinomial) for the classifications."""
    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    regression = name == "diabetes"
    ours = cross_validated((GDRegressor if regression else GDClassifier)(random_state=0),
                           X, y, regression)  # fmt: skip
    reference = SGDRegressor(random_state=0) if regression else LogisticRegression(max_iter=5000)
    theirs = cross_validated(make_pipeline(StandardScaler(), reference), X, y, regression)
    assert abs(ours - theirs) <= 0.01 * abs(theirs), (name, ours, theirs)
    if name == "breast_cancer":  # SGDClassifier(log_loss): a noisier estimate of the same model
        sgd = make_pipeline(StandardScaler(), SGDClassifier(loss="log_loss", random_state=0))
        assert ours >= cross_validated(sgd, X, y, regression) - 0.01


# ---------------------------------------------------------------- the step size


def test_lipschitz_rate_by_hand():
    X = np.array([[3.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    # with the intercept: rows (3,0,1), (0,1,1), (1,1,1) → max ‖x̃‖² = 10;
    # X̃ᵀX̃ = [[10,1,4],[1,2,2],[4,2,3]] has λ_max = 12.3154…; b = 1 → min(10, 12.3) = 10
    assert lipschitz_rate(X, 1, curvature=1.0, alpha=0.0) == pytest.approx(0.1)
    top = np.linalg.eigvalsh(np.array([[10.0, 1, 4], [1, 2, 2], [4, 2, 3]]))[-1]
    assert lipschitz_rate(X, 3, curvature=0.25, alpha=0.5) == pytest.approx(1 / (top / 12 + 0.5))
    # batch 2 of 3 samples: the last batch has 1 sample, so b_min = 1
    assert lipschitz_rate(X, 2, curvature=1.0, alpha=0.0) == pytest.approx(0.1)


@pytest.mark.parametrize(("curvature", "batch"), [(1.0, 1), (1.0, 7), (0.25, 7), (0.5, 50)])
def test_the_rate_bounds_the_curvature_of_every_batch(curvature, batch):
    """λ_max of the batch loss's Hessian ≤ 1/α for random batches of badly scaled data."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 4)) * np.array([1e-3, 1.0, 1e2, 1e4])
    rate = lipschitz_rate(X, batch, curvature=curvature, alpha=0.1)
    design = np.hstack([X, np.ones((50, 1))])
    sizes = (batch, 50 % batch or batch)  # the full batches and the last one of an epoch
    for _ in range(200):
        rows = rng.choice(50, size=sizes[rng.integers(2)], replace=False)
        hessian = curvature * design[rows].T @ design[rows] / len(rows) + 0.1 * np.eye(5)
        assert np.linalg.eigvalsh(hessian)[-1] <= (1 / rate) * (1 + 1e-12)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("estimator", [GDRegressor, GDClassifier])
def test_the_default_step_cannot_diverge_even_without_scaling(estimator):
    """scale=False on columns of scales 1e-3 … 1e4: the full-batch loss never goes up."""
    ds = data.make_linear(n_samples=200, n_features=4, scales=(1e-3, 1.0, 1e2, 1e4), seed=1)
    y = ds.y if estimator is GDRegressor else (ds.y > np.median(ds.y)).astype(int)
    model = estimator(scale=False, epochs=300, tol=None, random_state=0).fit(ds.X, y)
    losses = model.history_.loss
    assert np.all(np.isfinite(losses)) and np.all(np.diff(losses) <= 1e-12 * losses[:-1])
    assert losses[-1] < losses[0]


def test_with_scaling_the_coefficients_are_in_the_data_units():
    ds = data.make_linear(n_samples=300, n_features=3, scales=(1e-2, 1.0, 1e3), noise=0.5)
    model = GDRegressor(alpha=0.0, tol=None, epochs=3000, random_state=0).fit(ds.X, ds.y)
    design = np.hstack([ds.X, np.ones((300, 1))])
    exact = np.linalg.lstsq(design, ds.y, rcond=None)[0]
    np.testing.assert_allclose(model.coef_, exact[:3], rtol=1e-6)
    np.testing.assert_allclose(model.intercept_, exact[3:], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(model.predict(ds.X), design @ exact, rtol=1e-7, atol=1e-6)


def test_a_learning_rate_that_diverges_is_an_error_naming_it():
    X, y = datasets.load_diabetes(return_X_y=True)
    with pytest.raises(ValueError, match=r"diverged at update \d+ .*learning rate 100"):
        GDRegressor(learning_rate=100.0, scale=False, epochs=50).fit(X * 100, y)


# ---------------------------------------------------------------- partial_fit, warm_start


@pytest.mark.parametrize(
    ("estimator", "options"),
    [
        (GDClassifier, {"batch_size": 8}),
        (GDClassifier, {"optimizer": "adam", "batch_size": 5, "schedule": "cosine"}),
        (GDMLPClassifier, {"batch_size": 16, "hidden_layer_sizes": (6,)}),
    ],
)
def test_partial_fit_epoch_by_epoch_is_fit(estimator, options):
    """k calls of partial_fit ≡ fit with epochs=k: same start, orders, state, schedule."""
    X, y = datasets.load_iris(return_X_y=True)
    settings = {**options, "epochs": 4, "tol": None, "random_state": 7}
    whole = estimator(**settings).fit(X, y)
    steps = estimator(**settings)
    for _ in range(4):
        steps.partial_fit(X, y, classes=[0, 1, 2])
    np.testing.assert_array_equal(steps.predict_proba(X), whole.predict_proba(X))
    assert steps.loss_curve_ == whole.loss_curve_ and steps.t_ == whole.t_ and steps.n_iter_ == 4


def test_partial_fit_needs_the_classes_first_and_then_keeps_them():
    X, y = datasets.load_iris(return_X_y=True)
    model = GDClassifier()
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        model.partial_fit(X, y)
    model.partial_fit(X[:10], y[:10], classes=[0, 1, 2])  # only class 0 in this batch
    assert model.classes_.tolist() == [0, 1, 2] and model.coef_.shape == (3, 4)
    with pytest.raises(ValueError, match=r"labels \[7\] that are not in classes_"):
        model.partial_fit(X[:2], [0, 7])


def test_warm_start_goes_on_from_the_fitted_weights():
    X, y = datasets.load_breast_cancer(return_X_y=True)
    options = {"batch_size": 32, "epochs": 2, "tol": None, "random_state": 0}
    cold = GDClassifier(**options).fit(X, y)
    warm = GDClassifier(warm_start=True, **options).fit(X, y).fit(X, y)
    assert warm.history_.loss[0] < cold.history_.loss[0]
    assert warm.history_.loss[0] <= cold.history_.loss[-1] * 1.5


# ---------------------------------------------------------------- what fit leaves behind


def test_fitted_attributes_of_the_classifiers():
    X, y = datasets.load_iris(return_X_y=True)
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    model = GDClassifier(random_state=0).fit(X, labels)
    assert model.classes_.tolist() == ["setosa", "versicolor", "virginica"]
    assert model.coef_.shape == (3, 4) and model.intercept_.shape == (3,)
    np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(model.decision_function(X), X @ model.coef_.T + model.intercept_,
                               rtol=1e-9, atol=1e-9)  # fmt: skip
    assert model.n_iter_ == len(model.loss_curve_) == len(model.history_.epoch_loss)
    binary = GDClassifier(random_state=0).fit(X[:100], labels[:100])
    assert binary.coef_.shape == (1, 4) and binary.decision_function(X[:100]).shape == (100,)
    assert np.mean(binary.predict(X[:100]) == labels[:100]) == 1.0


def test_fitted_attributes_of_the_networks():
    X, y = datasets.load_diabetes(return_X_y=True)
    model = GDMLPRegressor((8, 4), activation="relu", epochs=30, tol=None, random_state=0).fit(X, y)
    assert [w.shape for w in model.coefs_] == [(10, 8), (8, 4), (4, 1)]
    assert [b.shape for b in model.intercepts_] == [(8,), (4,), (1,)]
    assert model.learning_rate_ == 0.001 and model.t_ == 30 * 14
    assert model.score(X, y) > 0.3


def test_early_stopping_holds_out_a_validation_fraction():
    X, y = datasets.load_breast_cancer(return_X_y=True)
    model = GDClassifier(batch_size=16, early_stopping=True, validation_fraction=0.2,
                         n_iter_no_change=3, tol=1e-3, random_state=0).fit(X, y)  # fmt: skip
    assert model.n_iter_ < model.epochs
    assert model.t_ <= model.n_iter_ * 29  # ⌈455/16⌉ = 29 updates per epoch on 80 % of 569
    assert model.history_.epoch_val_loss is not None


def test_a_run_out_of_epochs_warns():
    X, y = datasets.load_digits(return_X_y=True)
    with pytest.warns(ConvergenceWarning, match="made all 2 epochs without converging"):
        GDClassifier(epochs=2).fit(X, y)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"optimizer": "adamm"}, ValueError, "unknown optimizer 'adamm'"),
        ({"optimizer": 3}, TypeError, "optimizer must be a spec string"),
        ({"learning_rate": -1}, ValueError, "learning_rate must be 'auto' or a number > 0"),
        ({"learning_rate": "fast"}, ValueError, "learning_rate must be 'auto'"),
        ({"optimizer": "adam:lr=0.1", "learning_rate": 0.2}, ValueError, "given twice"),
        ({"schedule": "cosin"}, ValueError, "cosin"),
        ({"batch_size": 0}, ValueError, "batch_size must be an integer >= 1 or None"),
        ({"epochs": 2.5}, ValueError, "epochs must be an integer >= 1"),
        ({"tol": -1}, ValueError, "tol must be a number >= 0 or None"),
        ({"n_iter_no_change": 0}, ValueError, "n_iter_no_change must be"),
        ({"validation_fraction": 1.0}, ValueError, r"validation_fraction must be in \(0, 1\)"),
        ({"alpha": float("nan")}, ValueError, "alpha must be a number >= 0"),
        ({"shuffle": "yes"}, TypeError, "shuffle must be True or False"),
    ],
)
def test_bad_parameters_are_named_by_fit_not_by_init(options, error, message):
    model = GDClassifier(**options)  # the scikit-learn contract: __init__ only stores them
    with pytest.raises(error, match=message):
        model.fit(*datasets.load_iris(return_X_y=True))


def test_bad_network_parameters():
    X, y = datasets.load_iris(return_X_y=True)
    with pytest.raises(ValueError, match="hidden_layer_sizes must be layer widths >= 1"):
        GDMLPClassifier((4, 0)).fit(X, y)
    with pytest.raises(ValueError, match="activation must be one of tanh, relu, sigmoid"):
        GDMLPClassifier(activation="gelu").fit(X, y)


def test_partial_fit_carries_a_plateau_schedule_like_fit():
    X, y = datasets.load_iris(return_X_y=True)
    settings = {"optimizer": "sgd", "schedule": "plateau:patience=0,factor=0.5,threshold=0.5",
                "epochs": 6, "batch_size": 10, "learning_rate": 5.0, "tol": None,
                "random_state": 1}  # fmt: skip
    whole = GDClassifier(**settings).fit(X, y)
    steps = GDClassifier(**settings)
    for _ in range(6):
        steps.partial_fit(X, y, classes=[0, 1, 2])
    rates = np.unique(whole.history_.learning_rate)
    assert len(rates) > 1  # the plateau reduced the rate during the fit
    assert steps.history_.learning_rate[-1] == whole.history_.learning_rate[-1]
    np.testing.assert_array_equal(steps.coef_, whole.coef_)
