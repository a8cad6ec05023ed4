"""Every optimizer with torch's algorithm equals torch.optim 2.13 in float64.

60 updates on a deterministic non-quadratic gradient, from the same start; after every update
the parameters agree to ≤ 1e-12 relative error.  torch's default dtype is float64 here, so
that its scalar state (step counts, NAdam's μ product) is float64 too, not float32.  The runs
are teacher-forced: torch's run comes first, and each of our updates starts from torch's
parameters before it, so that both take every step from the same point and gradient.  The
optimizer's state still runs through all 60 updates on each side.  Free-running, a
rounding-level difference (torch's kernels round differently on different CPUs) can grow
along a trajectory that amplifies it — NAdam with weight decay multiplied one by 10⁷ in 50
steps on an AMD EPYC — or pick the other branch of a max (AMSGrad, AdaMax).
"""

import itertools

import numpy as np
import pytest
import torch

import gdlab as gd

STEPS = 60
RTOL = 1e-12
MATRIX = np.random.default_rng(42).normal(size=(7, 7)) / 3
SYMMETRIC = MATRIX @ MATRIX.T + np.eye(7)
SHIFT = np.linspace(-2.0, 3.0, 7)
START = np.array([1.5, -0.5, 0.25, 2.0, -1.75, 0.0, 0.8])


@pytest.fixture(autouse=True)
def float64_torch():
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


def gradient(x: np.ndarray) -> np.ndarray:
    """∇ of ½(x−c)ᵀA(x−c) − ¼Σcos(2x) + Σx⁴/40: curved, coupled, not quadratic."""
    return SYMMETRIC @ (x - SHIFT) + 0.5 * np.sin(2 * x) + 0.1 * x**3


def torch_trajectory(make_optimizer, steps=STEPS):
    parameter = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    optimizer = make_optimizer([parameter])
    path = []
    for _ in range(steps):
        parameter.grad = torch.from_numpy(gradient(parameter.detach().numpy().copy()))
        optimizer.step()
        path.append(parameter.detach().numpy().copy())
    return np.array(path)


def gdlab_trajectory(optimizer, starts):
    """Our updates, the k-th from starts[k] (torch's parameters before its k-th update)."""
    state = optimizer.init(starts[0].copy())
    path = []
    for start in starts:
        x = start.copy()
        updates, state = optimizer.update(gradient(x), state, x)
        x = x + updates
        path.append(x)
    return np.array(path)


def assert_same_trajectory(ours, make_torch):
    theirs = torch_trajectory(make_torch)
    assert np.isfinite(theirs).all()
    assert np.abs(theirs[-1] - START).max() > 1e-3, (
        "the run must move for the test to mean anything"
    )
    starts = np.vstack([START, theirs[:-1]])
    ours_path = gdlab_trajectory(ours, starts)
    np.testing.assert_allclose(ours_path, theirs, rtol=RTOL, atol=RTOL * np.abs(theirs).max())


SGD_GRID = [
    dict(lr=lr, momentum=m, dampening=d, nesterov=n, weight_decay=wd)
    for lr, m, d, n, wd in itertools.product(
        [0.01, 0.05], [0.0, 0.9], [0.0, 0.5], [False, True], [0.0, 0.01]
    )
    if not (n and (m == 0 or d != 0))
]


@pytest.mark.parametrize("config", SGD_GRID, ids=str)
def test_sgd(config):
    ours = gd.sgd(
        config["lr"],
        momentum=config["momentum"],
        dampening=config["dampening"],
        nesterov=config["nesterov"],
        weight_decay=config["weight_decay"],
    )
    assert_same_trajectory(ours, lambda p: torch.optim.SGD(p, **config))


@pytest.mark.parametrize("beta", [0.5, 0.9, 0.99])
def test_momentum_is_torch_sgd_with_scaled_lr(beta):
    alpha = 0.05
    ours = gd.momentum(alpha, beta=beta)
    assert_same_trajectory(ours, lambda p: torch.optim.SGD(p, lr=alpha * (1 - beta), momentum=beta))


ADAGRAD_GRID = [
    dict(lr=0.1, lr_decay=k, initial_accumulator_value=a, eps=e, weight_decay=wd)
    for k, a, e, wd in itertools.product([0.0, 0.05], [0.0, 0.5], [1e-10, 1e-3], [0.0, 0.1])
]


@pytest.mark.parametrize("config", ADAGRAD_GRID, ids=str)
def test_adagrad(config):
    ours = gd.adagrad(
        config["lr"],
        lr_decay=config["lr_decay"],
        initial_accumulator=config["initial_accumulator_value"],
        eps=config["eps"],
        weight_decay=config["weight_decay"],
    )
    assert_same_trajectory(ours, lambda p: torch.optim.Adagrad(p, **config))


RMSPROP_GRID = [
    dict(lr=0.01, alpha=rho, eps=e, centered=c, momentum=m, weight_decay=wd)
    for rho, e, c, m, wd in itertools.product(
        [0.9, 0.99], [1e-8, 1e-3], [False, True], [0.0, 0.9], [0.0, 0.01]
    )
]


@pytest.mark.parametrize("config", RMSPROP_GRID, ids=str)
def test_rmsprop(config):
    ours = gd.rmsprop(
        config["lr"],
        rho=config["alpha"],
        eps=config["eps"],
        centered=config["centered"],
        momentum=config["momentum"],
        weight_decay=config["weight_decay"],
    )
    assert_same_trajectory(ours, lambda p: torch.optim.RMSprop(p, **config))


ADADELTA_GRID = [
    dict(lr=lr, rho=rho, eps=e, weight_decay=wd)
    for lr, rho, e, wd in itertools.product([1.0, 0.5], [0.9, 0.95], [1e-6, 1e-3], [0.0, 0.01])
]


@pytest.mark.parametrize("config", ADADELTA_GRID, ids=str)
def test_adadelta(config):
    ours = gd.adadelta(
        config["lr"], rho=config["rho"], eps=config["eps"], weight_decay=config["weight_decay"]
    )
    assert_same_trajectory(ours, lambda p: torch.optim.Adadelta(p, **config))


BETAS = [(0.9, 0.999), (0.8, 0.9), (0.0, 0.99)]
ADAM_GRID = [
    dict(lr=0.05, betas=b, eps=e, amsgrad=a, weight_decay=wd)
    for b, e, a, wd in itertools.product(BETAS, [1e-8, 1e-3], [False, True], [0.0, 0.05])
]


def adam_kwargs(config):
    beta1, beta2 = config["betas"]
    return dict(
        beta1=beta1,
        beta2=beta2,
        eps=config["eps"],
        amsgrad=config["amsgrad"],
        weight_decay=config["weight_decay"],
    )


@pytest.mark.parametrize("config", ADAM_GRID, ids=str)
def test_adam(config):
    ours = gd.adam(config["lr"], **adam_kwargs(config))
    assert_same_trajectory(ours, lambda p: torch.optim.Adam(p, **config))


@pytest.mark.parametrize(
    "config", [dict(c, weight_decay=wd) for c in ADAM_GRID[::2] for wd in (0.01, 0.2)], ids=str
)
def test_adamw(config):
    ours = gd.adamw(config["lr"], **adam_kwargs(config))
    assert_same_trajectory(ours, lambda p: torch.optim.AdamW(p, **config))


@pytest.mark.parametrize(
    "config",
    [
        dict(lr=0.05, betas=b, eps=e, weight_decay=wd)
        for b, e, wd in itertools.product(BETAS, [1e-8, 1e-3], [0.0, 0.05])
    ],
    ids=str,
)
def test_adamax(config):
    beta1, beta2 = config["betas"]
    ours = gd.adamax(
        config["lr"],
        beta1=beta1,
        beta2=beta2,
        eps=config["eps"],
        weight_decay=config["weight_decay"],
    )
    assert_same_trajectory(ours, lambda p: torch.optim.Adamax(p, **config))


@pytest.mark.parametrize(
    "config",
    [
        dict(lr=0.05, betas=b, eps=e, momentum_decay=psi, weight_decay=wd)
        for b, e, psi, wd in itertools.product(BETAS, [1e-8, 1e-3], [4e-3, 0.05], [0.0, 0.05])
    ],
    ids=str,
)
def test_nadam(config):
    beta1, beta2 = config["betas"]
    ours = gd.nadam(
        config["lr"],
        beta1=beta1,
        beta2=beta2,
        eps=config["eps"],
        momentum_decay=config["momentum_decay"],
        weight_decay=config["weight_decay"],
    )
    assert_same_trajectory(ours, lambda p: torch.optim.NAdam(p, **config))


@pytest.mark.parametrize(
    "config",
    [
        dict(lr=0.05, betas=b, eps=e, weight_decay=wd)
        for b, e, wd in itertools.product(
            [(0.9, 0.999), (0.9, 0.9), (0.5, 0.8)], [1e-8, 1e-3], [0.0, 0.05]
        )
    ],
    ids=str,
)
def test_radam(config):
    beta1, beta2 = config["betas"]
    ours = gd.radam(
        config["lr"],
        beta1=beta1,
        beta2=beta2,
        eps=config["eps"],
        weight_decay=config["weight_decay"],
    )
    assert_same_trajectory(ours, lambda p: torch.optim.RAdam(p, **config))


def test_radam_grid_reaches_the_rectified_branch():
    """With β2 = 0.9, ρ∞ = 19 and ρ_t passes 5 within the 60 compared steps."""
    beta2 = 0.9
    rho_inf = 2 / (1 - beta2) - 1
    t = np.arange(1, STEPS + 1)
    rho = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
    assert (rho > 5).any() and (rho <= 5).any()
