"""The bound's figures: the stairs over half-steps and Bishop's figure 9.14 along one
parameter, checked against the engine's numbers."""

import numpy as np
import pytest
from plotly_json import figure_data

from em_viz.data import three_gaussians
from em_viz.engine.bound import argmax_along, bound_along
from em_viz.engine.gaussian_em import GaussianMixtureEM
from em_viz.figures.bound import bound_grid, figure_bound, figure_bound_along


@pytest.fixture
def em() -> GaussianMixtureEM:
    return GaussianMixtureEM(three_gaussians().X, 3, random_state=0)


def test_the_stairs_have_every_half_step_and_the_bound_from_the_first_e_step(em):
    figure = figure_bound(em.history, -1, len(em.X))
    traces = figure_data(figure)
    assert len(traces) == 5
    assert len(traces[2]["y"]) == 1 and len(traces[1]["y"]) == 0 and len(traces[4]["y"]) == 0
    assert "No bound yet" in figure.layout.title.text
    em.e_step()
    for _ in range(3):
        em.step()
    traces = figure_data(figure_bound(em.history, -1, len(em.X)))
    assert len(traces) == 5
    np.testing.assert_array_equal(traces[2]["y"], [r.log_likelihood for r in em.history])
    np.testing.assert_array_equal(traces[1]["y"], [r.elbo for r in em.history[1:]])
    np.testing.assert_array_equal(traces[0]["y"], [r.log_likelihood for r in em.history[1:]])
    assert traces[1]["fill"] == "tonexty" and traces[1]["line"]["shape"] == "hv"
    np.testing.assert_array_equal(traces[1]["x"], [0.5, 1, 1.5, 2, 2.5, 3])


def test_the_title_and_rings_give_the_current_gap(em):
    em.step()
    em.e_step()
    figure = figure_bound(em.history, 2, len(em.X))
    record = em.history[2]
    assert f"{record.kl:,.3f}" in figure.layout.title.text
    traces = figure_data(figure)
    assert traces[3]["y"] == [record.log_likelihood] and traces[4]["y"] == [record.elbo]
    assert traces[3]["x"] == [1.0]


@pytest.mark.parametrize("coordinate", [0, 1, None])
@pytest.mark.parametrize("phase", ["E", "M"])
def test_the_curves_at_the_current_value_are_the_engines(em, coordinate, phase):
    em.step()
    em.e_step()
    if phase == "M":
        em.m_step()
    for component in range(3):
        traces = figure_data(
            figure_bound_along(em.X, em.params, em.responsibilities, component, coordinate)
        )
        current = traces[2]["y"]
        assert current[0] == pytest.approx(em.log_likelihood, rel=1e-12)
        assert current[1] == pytest.approx(em.elbo, rel=1e-12)
        values = bound_grid(em.X, em.params, component, coordinate)
        log_likelihood, elbo = traces[0]["y"], traces[1]["y"]
        assert len(values) == len(elbo) > 100
        # the bound never crosses the log-likelihood; after an E-step they touch
        assert np.all(elbo <= log_likelihood + 1e-9 * np.abs(log_likelihood))
        if phase == "E":
            assert current[1] == pytest.approx(current[0], rel=1e-12)
            apart = np.abs(values - traces[2]["x"][0]) > 0.05 * np.ptp(values)
            assert np.all(elbo[apart] < log_likelihood[apart])


@pytest.mark.parametrize("coordinate", [0, 1, None])
def test_after_an_m_step_the_current_value_is_the_peak_of_the_bound(em, coordinate):
    """The M-step maximises L(q, .) over all parameters at once, so along any one of them
    its new value is the bound's peak: on a fine grid, and in closed form."""
    em.e_step()
    em.step()
    em.e_step()
    before = em.responsibilities
    em.m_step()
    for k in range(3):
        new = em.means[k, coordinate] if coordinate is not None else em.weights[k]
        assert argmax_along(em.X, em.params, before, k, coordinate) == pytest.approx(
            new, rel=1e-12, abs=1e-12
        )
        step = 1e-4
        values = new + step * np.arange(-50, 51)
        _, elbo = bound_along(em.X, em.params, before, k, values, coordinate)
        assert abs(values[elbo.argmax()] - new) <= 1e-6 * step + 1e-15


def test_after_an_e_step_the_peak_of_a_weight_is_the_next_m_steps_weight(em):
    em.step()
    em.e_step()
    peaks = [argmax_along(em.X, em.params, em.responsibilities, k) for k in range(3)]
    em.m_step()
    np.testing.assert_allclose(peaks, em.weights, rtol=1e-12)


def test_an_empty_component_has_no_peak():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [5.0, 5.0]])
    em = GaussianMixtureEM(X, 2, algorithm="hard", means_init=[[0.3, 0.3], [50, 50]])
    em.e_step()
    assert argmax_along(X, em.params, em.responsibilities, 1, 0) is None
    traces = figure_data(figure_bound_along(X, em.params, em.responsibilities, 1, 0))
    assert len(traces[3]["x"]) == 0
