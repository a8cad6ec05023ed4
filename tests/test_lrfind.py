"""The learning-rate range test: the growing rate, the bias-corrected EWA, the stop, suggestions."""

from __future__ import annotations

import numpy as np
import pytest

import gdlab as gd
from gdlab import lrfind


def test_exponential_range_hits_both_ends() -> None:
    rate = lrfind.ExponentialRange(1e-4, 1.0, 5)
    assert [rate(t) for t in range(6)] == pytest.approx([1e-4, 1e-3, 1e-2, 1e-1, 1.0, 1.0])
    assert rate(np.arange(5)).tolist() == pytest.approx([1e-4, 1e-3, 1e-2, 1e-1, 1.0])


def test_range_test_on_the_quadratic_stops_past_the_stability_limit() -> None:
    # plain GD on ½(x² + 10y²): x ← (1 − α)x grows once α > 2 (y is ~0 by then), so the
    # smoothed loss blows up past α = 2, and not before
    found = lrfind.lr_find(gd.problems.get("quadratic"), gd.sgd, steps=120)
    assert found.stopped_early
    assert 2.0 < found.learning_rates[-1] < 10
    assert found.learning_rates[0] == 1e-6
    expected = gd.ewa(0.7).series(found.losses)  # f* = 0: smoothing f − f* is smoothing f
    np.testing.assert_allclose(found.smoothed, expected, rtol=1e-14)
    for rate in found.suggestions.values():
        assert found.learning_rates[0] / 10 <= rate <= found.learning_rates[-1]


def test_a_run_that_never_blows_up_uses_every_step() -> None:
    found = lrfind.lr_find(gd.problems.get("quadratic"), gd.sgd, high=0.05, steps=50)
    assert not found.stopped_early and len(found.losses) == 50
    assert found.to_dict()["learning_rates"][-1] == pytest.approx(0.05)


def test_suggestions_on_a_known_curve() -> None:
    rates = np.geomspace(1e-4, 1.0, 9)  # log10 rate = −4 … 0 in steps of ½
    curve = np.array([10.0, 9.0, 7.0, 3.0, 2.0, 1.5, 1.2, 4.0, 50.0])
    found = lrfind.suggest(rates, curve)
    assert found["steepest"] == rates[2]  # log 7 → log 3 is the steepest fall
    assert found["minimum/10"] == pytest.approx(rates[6] / 10)
    # fastai's valley: the longest decreasing run ends at 6 with length 7, start = 6 − 7 = −1,
    # sections = 7/3, index = −1 + int(7/3) + int(7/6) = 2
    assert found["valley"] == rates[2]
    assert lrfind.suggest(rates[:2], curve[:2]) == {}


def test_blow_up_rule() -> None:
    assert not lrfind.blew_up([4.0, 2.0, 7.9], 4.0)
    assert lrfind.blew_up([4.0, 2.0, 8.1], 4.0)
    assert not lrfind.blew_up([-1.0, -3.0, -2.0], 4.0)  # rose 1 after a fall of 2
    assert lrfind.blew_up([-1.0, -3.0, 6.0], 4.0)  # rose 9 > 4·2


def test_unknown_minimum_and_bad_arguments() -> None:
    problem = gd.problems.expression("sin(x)*cos(y)")
    found = lrfind.lr_find(problem, gd.adam, steps=60)
    assert len(found.learning_rates) == len(found.losses) == len(found.smoothed)
    with pytest.raises(ValueError, match="high must be in"):
        lrfind.lr_find(problem, gd.adam, low=1.0, high=0.5)
    with pytest.raises(ValueError, match="steps must be an integer >= 3"):
        lrfind.lr_find(problem, gd.adam, steps=2)
