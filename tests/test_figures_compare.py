"""The small charts' axes and marks: a multi-start's optima on an axis whose tick labels
differ, and the objective curve's "shown now" ring whole at the plot's edge."""

import json

import numpy as np
import pytest
from plotly_json import figure_data

from em_viz.engine.families.gaussian import GaussianParams
from em_viz.engine.gaussian_em import GaussianMixtureEM
from em_viz.engine.runs import StartResult
from em_viz.figures.compare import TICKS, figure_multi_start, value_axis
from em_viz.figures.curves import figure_log_likelihood

NO_PARAMS = GaussianParams(np.ones(1), np.zeros((1, 2)), np.eye(2)[None])


def starts(per_point: list[float], n_samples: int = 150) -> list[StartResult]:
    return [
        StartResult(
            seed, 10 + seed, value * n_samples, value * n_samples, 0.01, True, NO_PARAMS, n_samples
        )
        for seed, value in enumerate(per_point)
    ]


def tick_labels(y_axis: dict) -> list[str]:
    """The labels of ``TICKS`` evenly spaced ticks over the axis's range, formatted as
    Plotly formats them (d3's ``,.Nf``: N decimals)."""
    decimals = int(y_axis["tickformat"].removeprefix(",.").removesuffix("f"))
    low, high = y_axis["range"]
    return [f"{value:,.{decimals}f}" for value in np.linspace(low, high, TICKS + 1)]


@pytest.mark.parametrize(
    "per_point",
    [
        [-2.47441, -2.474412, -2.474415, -2.474411, -2.47442],  # optima 1e-5 apart
        [-2.4744] * 5,  # one optimum: all starts agree
        [-2.4744, -2.4744 + 1e-12],  # agree up to rounding
        [-1.49, -1.81, -2.10],  # far apart
        [-1250.3, -1250.31],
    ],
)
def test_multi_start_ticks_never_repeat_a_label(per_point):
    figure = json.loads(figure_multi_start(starts(per_point)).to_json())
    y_axis = figure["layout"]["yaxis"]
    labels = tick_labels(y_axis)
    assert len(set(labels)) == len(labels), labels
    low, high = y_axis["range"]
    assert low < min(per_point) and max(per_point) < high


def test_the_former_four_decimals_repeated_labels_for_close_optima():
    """Why the decimals follow the spread: at four, five close optima read alike."""
    values = [-2.47441, -2.474412, -2.474415, -2.474411, -2.47442]
    assert len({f"{v:.4f}" for v in np.linspace(min(values), max(values), TICKS)}) == 1
    assert value_axis(values)["tickformat"] == ",.6f"


def test_the_decimals_are_no_more_than_the_spread_needs():
    assert value_axis([-1.49, -1.81, -2.10])["tickformat"] == ",.2f"
    assert value_axis([-2.4744] * 5)["tickformat"] == ",.6f"  # a range of 1e-5 relative


def test_the_ring_and_the_markers_are_drawn_whole_at_the_plots_edge():
    em = GaussianMixtureEM(np.random.default_rng(0).normal(size=(200, 2)), 2, random_state=0)
    for _ in range(30):
        em.step()
    figure = json.loads(figure_log_likelihood(em.history, -1, 200).to_json())
    data = figure_data(figure)
    ring = data[-1]
    assert ring["name"] == "shown now" and ring["cliponaxis"] is False
    assert all(t["cliponaxis"] is False for t in data[1:4])
    # The latest record sits on the right edge's last half iteration.
    assert figure["layout"]["xaxis"]["range"][1] - ring["x"][0] <= 0.5
    legend = figure["layout"]["legend"]
    assert legend["entrywidthmode"] == "pixels" and legend["entrywidth"] >= 60
