"""scikit-learn estimators over gdlab's optimizers (see gdlab.estimators for the details).

    from gdlab.sklearn import GDRegressor, GDClassifier, GDMLPRegressor, GDMLPClassifier
    model = GDClassifier(optimizer="adam", epochs=200).fit(X, y)

Importing this module imports scikit-learn; `import gdlab` does not.
"""

from gdlab.estimators import (
    GDClassifier,
    GDMLPClassifier,
    GDMLPRegressor,
    GDRegressor,
    lipschitz_rate,
)

__all__ = ["GDClassifier", "GDMLPClassifier", "GDMLPRegressor", "GDRegressor", "lipschitz_rate"]
