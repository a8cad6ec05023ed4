"""`import gdlab` needs NumPy only, and exposes the public names the design promises."""

import subprocess
import sys

import gdlab as gd

HEAVY = [
    "numba",
    "sympy",
    "matplotlib",
    "typer",
    "rich",
    "fastapi",
    "uvicorn",
    "pydantic",
    "sklearn",
    "dask",
    "distributed",
    "torch",
    "jax",
    "pandas",
    "pyarrow",
    "scipy",
    "zarr",
]


def test_import_gdlab_loads_nothing_heavier_than_numpy():
    code = (
        "import sys, gdlab as gd; "
        "gd.minimize(gd.problems.get('rosenbrock'), [0.0, 0.0], optimizer=gd.adam(0.1), steps=3); "
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"


def test_the_public_names_of_the_design():
    for name in ("sgd", "momentum", "adagrad", "rmsprop", "adadelta", "adam", "adamw", "adamax",
                 "nadam", "radam", "lion", "ewa", "minimize", "fit", "check_grad",
                 "chain"):  # fmt: skip
        assert callable(getattr(gd, name)), name
    for name in ("exponential_decay", "inverse_time_decay", "inverse_sqrt_decay", "step_decay",
                 "multistep", "polynomial", "cosine", "cosine_restarts", "warmup", "join",
                 "one_cycle", "cyclic", "reduce_on_plateau", "constant"):  # fmt: skip
        assert callable(getattr(gd.schedules, name)), name
    for name in ("LinearRegression", "PolynomialRegression", "LogisticRegression",
                 "SoftmaxRegression", "MLP"):  # fmt: skip
        assert callable(getattr(gd.models, name)), name
    assert callable(gd.problems.get) and callable(gd.problems.expression)
