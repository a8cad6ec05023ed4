"""The EWA building block: hand-computed values, the closed form, bias correction."""

import numpy as np
import pytest

import gdlab as gd
from gdlab.averages import accumulate, bias_correction, debias, ewa_step


def closed_form(values: np.ndarray, beta: float) -> np.ndarray:
    """v_t = (1 − β) Σ_{i ≤ t} β^{t−i} x_i, evaluated directly for every t."""
    t = np.arange(1, len(values) + 1)
    lag = np.maximum(t[:, None] - t[None, :], 0)
    weights = (1 - beta) * np.where(t[:, None] >= t[None, :], beta**lag, 0.0)
    return weights @ values


def test_ewa_step_by_hand():
    # β = 0.9: v1 = 0.1·10 = 1, v2 = 0.9·1 + 0.1·20 = 2.9
    v1 = ewa_step(0.0, 10.0, 0.9)
    assert v1 == pytest.approx(1.0, abs=1e-15)
    assert ewa_step(v1, 20.0, 0.9) == pytest.approx(2.9, abs=1e-15)


def test_bias_correction_by_hand():
    # v1 / (1 − 0.9) = 1 / 0.1 = 10: the first value itself, not a tenth of it
    assert debias(1.0, bias_correction(0.9, 1)) == pytest.approx(10.0, rel=1e-15)
    assert bias_correction(0.5, 3) == 0.875


def test_accumulate_is_ewa_with_complementary_weight():
    assert accumulate(2.0, 3.0, 0.25, 0.75) == ewa_step(2.0, 3.0, 0.25)
    assert accumulate(2.0, 3.0, 0.9, 1.0) == pytest.approx(4.8)


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.98])
def test_series_equals_closed_form(beta):
    values = np.random.default_rng(0).normal(size=200)
    raw = gd.ewa(beta, debias=False).series(values)
    np.testing.assert_allclose(raw, closed_form(values, beta), rtol=1e-10, atol=1e-13)
    corrected = gd.ewa(beta).series(values)
    t = np.arange(1, 201)
    np.testing.assert_allclose(
        corrected, closed_form(values, beta) / (1 - beta**t), rtol=1e-10, atol=1e-13
    )


def test_bias_correction_reproduces_a_constant_series():
    corrected = gd.ewa(0.98).series(np.full(50, 7.0))
    raw = gd.ewa(0.98, debias=False).series(np.full(50, 7.0))
    np.testing.assert_allclose(corrected, 7.0, rtol=1e-12)
    assert raw[0] == pytest.approx(0.14)  # the bias the seed warns about: 0.02·7
    assert raw[-1] < 7.0 * (1 - 0.98**50) + 1e-12


def test_stream_updates_equal_series_and_continue():
    values = np.linspace(-1, 3, 30)
    stream = gd.ewa(0.9)
    one_by_one = [stream.update(v) for v in values]
    np.testing.assert_array_equal(one_by_one, gd.ewa(0.9).series(values))
    assert stream.count == 30
    assert stream.estimate == one_by_one[-1]


def test_ewa_over_arrays_averages_each_coordinate():
    rows = np.random.default_rng(1).normal(size=(40, 3))
    both = gd.ewa(0.8).series(rows)
    for column in range(3):
        np.testing.assert_array_equal(both[:, column], gd.ewa(0.8).series(rows[:, column]))


def test_estimate_before_any_value_is_zero():
    assert gd.ewa(0.9).estimate == 0.0


@pytest.mark.parametrize("beta", [-0.1, 1.0, 1.5, float("nan")])
def test_beta_out_of_range(beta):
    with pytest.raises(ValueError, match=r"beta must be in \[0, 1\)"):
        gd.ewa(beta)


def test_beta_wrong_type():
    with pytest.raises(TypeError, match="beta must be a real number"):
        gd.ewa("0.9")


def test_series_needs_a_series():
    with pytest.raises(ValueError, match="at least 1-D"):
        gd.ewa(0.9).series(3.0)
