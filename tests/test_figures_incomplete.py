"""Tests for em_viz.figures.incomplete, read back through the figures' JSON as the
browser gets it: the linkage example's bounds and table, Murray's profile and points."""

import json

import numpy as np
import pytest
from plotly_json import figure_data

from em_viz import GaussianMixtureEM, GeneticLinkageEM
from em_viz.data.incomplete import murray_points
from em_viz.engine.linkage_em import bound, log_likelihood, maximum_likelihood
from em_viz.engine.profile import correlation_profile
from em_viz.figures.incomplete import (
    correlation,
    figure_incomplete_points,
    figure_linkage,
    figure_profile,
    linkage_table,
    stationary_points,
)

LINKAGE_TRACES = [
    "log L(θ)",
    "earlier bounds",
    "bound at θ<sub>t</sub>",
    "θ<sub>t</sub>",
    "M-step's gain",
    "its top θ<sub>t+1</sub>",
    "shown now",
]


@pytest.fixture(scope="module")
def linkage() -> GeneticLinkageEM:
    em = GeneticLinkageEM()
    em.run()
    return em


def by_name(figure) -> dict[str, dict]:
    return {trace["name"]: trace for trace in figure_data(figure)}


def test_every_state_has_the_same_traces_in_the_same_order(linkage):
    for index in range(len(linkage.history)):
        for zoom in (False, True):
            names = [
                t["name"] for t in figure_data(figure_linkage(linkage.history, index, zoom=zoom))
            ]
            assert names == LINKAGE_TRACES


def test_the_start_has_no_bound_and_rings_theta_0(linkage):
    traces = by_name(figure_linkage(linkage.history, 0))
    assert len(traces["bound at θ<sub>t</sub>"]["x"]) == 0
    assert len(traces["earlier bounds"]["x"]) == 0
    assert len(traces["its top θ<sub>t+1</sub>"]["x"]) == 0
    np.testing.assert_allclose(traces["shown now"]["x"], [0.5])
    np.testing.assert_allclose(traces["shown now"]["y"], [log_likelihood(0.5)])
    curve = traces["log L(θ)"]
    np.testing.assert_allclose(curve["y"], log_likelihood(curve["x"]), rtol=1e-12)


def test_after_the_e_step_the_bound_touches_log_l_at_theta_t_and_peaks_at_theta_1(linkage):
    traces = by_name(figure_linkage(linkage.history, 1))  # iteration 1, after its E-step
    curve, current = traces["log L(θ)"], traces["bound at θ<sub>t</sub>"]
    np.testing.assert_array_equal(current["x"], curve["x"])
    np.testing.assert_allclose(current["y"], bound(curve["x"], 0.5), rtol=1e-12)
    assert np.all(current["y"] <= curve["y"] + 1e-9)
    gap = curve["y"] - current["y"]
    assert curve["x"][np.argmin(gap)] == pytest.approx(0.5, abs=np.ptp(curve["x"]) / 300)
    (top,) = traces["its top θ<sub>t+1</sub>"]["x"]
    assert top == pytest.approx(59 / 97, rel=1e-12)
    assert traces["its top θ<sub>t+1</sub>"]["y"][0] >= current["y"].max()
    assert len(traces["M-step's gain"]["x"]) == 0


def test_after_the_m_step_the_gain_rises_from_the_bound_to_log_l(linkage):
    traces = by_name(figure_linkage(linkage.history, 2))  # iteration 1, after its M-step
    theta_1 = linkage.history[2].theta
    gain = traces["M-step's gain"]
    np.testing.assert_allclose(gain["x"], [theta_1, theta_1])
    np.testing.assert_allclose(gain["y"], [bound(theta_1, 0.5), log_likelihood(theta_1)])
    assert gain["y"][1] > gain["y"][0]  # log L rose more than the bound
    np.testing.assert_allclose(traces["θ<sub>t</sub>"]["x"], [0.5, theta_1])
    np.testing.assert_allclose(traces["shown now"]["x"], [theta_1])


def test_earlier_bounds_are_the_iterations_before_faint(linkage):
    index = 5  # iteration 3, after its E-step
    assert linkage.history[index].phase == "E" and linkage.history[index].iteration == 3
    traces = by_name(figure_linkage(linkage.history, index))
    earlier = traces["earlier bounds"]
    grid = traces["log L(θ)"]["x"]
    pieces = np.split(
        np.asarray(earlier["y"], dtype=float), np.flatnonzero(np.isnan(earlier["y"]))
    )
    starts = [r.theta for r in linkage.history[:index] if r.phase == "E"]
    assert len(starts) == 2
    np.testing.assert_allclose(pieces[0], bound(grid, starts[0]), rtol=1e-12)
    np.testing.assert_allclose(pieces[1][1:], bound(grid, starts[1]), rtol=1e-12)


def test_zoom_keeps_the_shown_theta_and_the_maximum_in_a_narrow_view(linkage):
    layout = json.loads(figure_linkage(linkage.history, -1, zoom=True).to_json())["layout"]
    low, high = layout["xaxis"]["range"]
    assert low < linkage.theta < high and low < maximum_likelihood() < high
    assert high - low < 1e-6
    traces = by_name(figure_linkage(linkage.history, -1, zoom=True))
    curve = traces["log L(θ)"]
    # Heights from the maximum's, which the zoomed view can tell apart.
    difference = log_likelihood(curve["x"]) - log_likelihood(maximum_likelihood())
    np.testing.assert_allclose(curve["y"], difference, atol=1e-12)
    assert np.all(curve["y"] <= 1e-12) and np.ptp(curve["y"]) > 0
    assert layout["yaxis"]["title"]["text"] == "log L(θ) - log L(θ*)"
    whole = json.loads(figure_linkage(linkage.history, -1).to_json())["layout"]
    assert whole["xaxis"]["range"][0] < 0.5 < whole["xaxis"]["range"][1]


def test_table_of_errors_and_their_ratios(linkage):
    table = linkage_table(linkage.history)
    assert list(table.columns) == ["θ_t", "error θ_t - θ*", "ratio of errors"]
    assert table.index.name == "t"
    assert table["θ_t"][1] == pytest.approx(0.6082474, abs=5e-8)
    np.testing.assert_allclose(table["error θ_t - θ*"], table["θ_t"] - maximum_likelihood())
    assert np.isnan(table["ratio of errors"][0])
    assert table["ratio of errors"][1] == pytest.approx(
        table["error θ_t - θ*"][1] / table["error θ_t - θ*"][0]
    )
    assert table["ratio of errors"].iloc[-1] == pytest.approx(0.1328, abs=5e-5)


# Murray's twelve points -----------------------------------------------------------------

GRID = np.linspace(-0.95, 0.95, 191)


@pytest.fixture(scope="module")
def profile() -> np.ndarray:
    return correlation_profile(murray_points(), GRID)


def murray_run(rho: float) -> GaussianMixtureEM:
    return GaussianMixtureEM(
        murray_points(),
        1,
        missing="em",
        tol=1e-12,
        weights_init=[1.0],
        means_init=[[0.0, 0.0]],
        covariances_init=[[[1.0, rho], [rho, 1.0]]],
    )


def test_the_profile_has_two_maxima_and_a_saddle_between(profile):
    points = stationary_points(GRID, profile)
    assert [kind for kind, _ in points] == ["maximum", "saddle", "maximum"]
    np.testing.assert_allclose([GRID[i] for _, i in points], [-0.5, 0.0, 0.5], atol=1e-9)
    traces = by_name(figure_profile(GRID, profile, murray_run(0.2).history, 0))
    np.testing.assert_allclose(traces["maxima"]["x"], [-0.5, 0.5], atol=1e-9)
    np.testing.assert_allclose(traces["saddle point"]["x"], [0.0], atol=1e-9)


@pytest.mark.parametrize("rho", [0.0, 0.2, -0.6])
def test_em_path_lies_under_the_profile_and_ends_on_it(profile, rho):
    em = murray_run(rho)
    em.run(500)
    traces = by_name(figure_profile(GRID, profile, em.history, -1))
    path = traces["EM's path"]
    assert [t["name"] for t in figure_data(figure_profile(GRID, profile, em.history, 0))] == list(
        traces
    )
    assert len(path["x"]) == em.n_iter + 1
    under = np.interp(path["x"], GRID, profile)
    assert np.all(np.asarray(path["y"]) <= under + 1e-3)  # the grid's interpolation
    assert path["y"][-1] == pytest.approx(np.interp(path["x"][-1], GRID, profile), abs=1e-4)
    expected = 0.0 if rho == 0 else 0.5 * np.sign(rho)
    assert path["x"][-1] == pytest.approx(expected, abs=1e-4)
    np.testing.assert_allclose(traces["shown now"]["x"], [correlation(em.covariances[0])])


def test_points_figure_shows_complete_points_solid_and_filled_ones_hollow_on_their_axis():
    em = murray_run(0.3)
    em.step()
    em.e_step()
    X = murray_points()
    imputed, spread = em.imputed_at(-1)
    figure = figure_incomplete_points(X, imputed, spread, em.means[0], em.covariances[0])
    traces = by_name(figure)
    solid, hollow = traces["complete points"], traces["filled in by EM"]
    np.testing.assert_array_equal(np.column_stack([solid["x"], solid["y"]]), X[:4])
    filled = np.column_stack([hollow["x"], hollow["y"]])
    np.testing.assert_allclose(filled, imputed[4:])
    observed = ~np.isnan(X[4:])
    np.testing.assert_array_equal(filled[observed], X[4:][observed])
    assert hollow["marker"]["symbol"] == "circle-open"
    lines = traces["± 1 sd of a missing value"]
    xs = np.asarray(lines["x"], dtype=float).reshape(-1, 3)[:, :2]
    ys = np.asarray(lines["y"], dtype=float).reshape(-1, 3)[:, :2]
    # Points without x2: a vertical segment of length 2 sd; without x1: a horizontal one.
    np.testing.assert_allclose(xs[:4, 0], xs[:4, 1])
    np.testing.assert_allclose(ys[:4, 1] - ys[:4, 0], 2 * spread[4:8, 1])
    np.testing.assert_allclose(ys[4:, 0], ys[4:, 1])
    np.testing.assert_allclose(xs[4:, 1] - xs[4:, 0], 2 * spread[8:, 0])
    assert np.all(spread[4:8, 1] > 0)
