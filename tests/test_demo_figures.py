"""Demo figures: one Figure per demo, drawn from the payload, saved without pyplot."""

import io

import pytest
from matplotlib.figure import Figure

from gdlab import demo_figures, demos


@pytest.fixture(scope="module")
def payloads():
    return {name: demos.run(name) for name in demos.names()}


def png(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=40)
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "panels"), [("seed-000", 3), ("seed-001", 9), ("seed-002", 1)])
def test_each_demo_draws_and_saves(payloads, name, panels):
    fig = demo_figures.figure(name, payloads[name])
    assert isinstance(fig, Figure) and len(fig.axes) == panels
    assert png(fig).startswith(b"\x89PNG")


def test_seed_000_scatters_the_data_and_the_prediction(payloads):
    fig = demo_figures.seed_000(payloads["seed-000"])
    parabola, loss, scatter = fig.axes
    assert len(parabola.lines) == 3  # f(x) and the two paths
    assert len(loss.lines[0].get_ydata()) == 50
    assert [len(c.get_offsets()) for c in scatter.collections] == [100, 100]
    assert "2.18870" in scatter.get_title()


def test_seed_002_draws_the_three_loss_histories(payloads):
    (ax,) = demo_figures.seed_002(payloads["seed-002"]).axes
    assert [len(line.get_xdata()) for line in ax.lines] == [1000, 1000, 1000]
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert [label.split(":")[0] for label in labels] == [
        "batch (BGD)", "stochastic (SGD)", "mini-batch 2 (MBGD)",
    ]  # fmt: skip


def test_seed_001_panels(payloads):
    fig = demo_figures.seed_001(payloads["seed-001"])
    titles = [ax.get_title() for ax in fig.axes]
    assert [title[:3] for title in titles] == ["(a)", "(a)", "(b)", "(c)", "(c)", "(d)", "(d)",
                                               "(e)", "(f)"]  # fmt: skip
    assert len(fig.axes[0].lines) == 7  # one loss curve per batch size
    assert len(fig.axes[2].lines) == 7  # the series and 3 β × (raw, corrected)


def test_computes_the_payload_when_none_is_given_and_names_are_checked():
    assert len(demo_figures.figure("seed-002").axes) == 1
    with pytest.raises(ValueError, match="unknown demo 'nope'"):
        demo_figures.figure("nope")


def test_no_pyplot_figure_is_left_open(payloads):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    demo_figures.figure("seed-000", payloads["seed-000"])
    assert plt.get_fignums() == before
