"""Variational Bayes in the explorer, through Streamlit's AppTest: the algorithm and its
weight prior in the model panel, the caption's count of active components, the faded
components in the figure sent to the browser, the lower bound on the curve, the link."""

import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from test_app_compare import open_page
from test_app_explorer import APP, TIMEOUT, button, click, curve, figures, mixture, slide, stepper

from em_viz import BayesianGaussianMixtureEM
from em_viz.data import old_faithful
from em_viz.figures.mixture import FADED_OPACITY
from em_viz.ui.sidebar import CONCENTRATION_CHOICES

TRACES_PER_COMPONENT = 3
FIRST_COMPONENT_TRACE = 2  # after the points and the halo


def variational(n_components: int = 10, concentration: float | None = None) -> AppTest:
    """The explorer on Old Faithful with variational Bayes and K components, run to
    convergence at once."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.selectbox(key="preset").set_value("Old Faithful").run()
    at.selectbox(key="algorithm").set_value("variational-bayes").run()
    at.number_input(key="n_components").set_value(n_components).run()
    if concentration is not None:
        at.select_slider(key="weight_concentration_prior").set_value(concentration).run()
    at.button_group(key="speed").set_value("Instant").run()
    return click(at, "Run")


def active_in_caption(at: AppTest) -> tuple[int, int]:
    (caption,) = [c.value for c in at.caption if "components are active now" in c.value]
    active, total = re.search(r"\*\*(\d+) of (\d+)\*\*", caption).groups()
    return int(active), int(total)


def component_opacities(at: AppTest) -> np.ndarray:
    """Each component's three traces' opacities, one row per component."""
    traces = mixture(at)
    n_components = stepper(at).n_components
    chosen = traces[FIRST_COMPONENT_TRACE : FIRST_COMPONENT_TRACE + 3 * n_components]
    return np.array([t.get("opacity", 1.0) for t in chosen]).reshape(n_components, 3)


@pytest.fixture(scope="module")
def faithful_ten() -> AppTest:
    return variational()


def test_the_model_panel_offers_variational_bayes_with_a_log_slider(faithful_ten):
    at = faithful_ten
    assert not at.exception
    em = stepper(at)
    assert isinstance(em, BayesianGaussianMixtureEM)
    np.testing.assert_array_equal(em.X, old_faithful().X)
    slider = at.select_slider(key="weight_concentration_prior")
    assert slider.options[0] == "0.001" and slider.options[-1] == "1000"
    ratios = np.diff(np.log10([float(v) for v in slider.options]))
    assert np.all((ratios > 0.4) & (ratios < 0.6))  # two steps a decade
    assert em.prior.weight_concentration == slider.value


def test_the_run_stops_converged_with_the_badge(faithful_ten):
    em = stepper(faithful_ten)
    assert em.converged and em.finished
    assert any(f"Converged after {em.n_iter} iterations" in s.value for s in faithful_ten.success)
    assert button(faithful_ten, "Run").disabled


def test_the_caption_counts_the_components_above_one_percent(faithful_ten):
    em = stepper(faithful_ten)
    active, total = active_in_caption(faithful_ten)
    assert total == 10
    assert active == int(np.sum(em.weights >= 0.01))
    assert 0 < active < 10  # some switched off on Old Faithful
    assert "EM cannot choose K" in next(
        c.value for c in faithful_ten.caption if "active now" in c.value
    )


def test_switched_off_components_fade_in_the_figure(faithful_ten):
    em = stepper(faithful_ten)
    opacities = component_opacities(faithful_ten)
    off = em.weights < 0.01
    np.testing.assert_array_equal(opacities[off], FADED_OPACITY)
    np.testing.assert_array_equal(opacities[~off], 1.0)
    halo = np.asarray(mixture(faithful_ten)[1]["x"], dtype=float).reshape(10, -1)
    assert np.isnan(halo[off]).all() and not np.isnan(halo[~off]).all()


def test_every_state_has_the_same_traces_in_the_same_order(faithful_ten):
    at = faithful_ten
    last = [(t.get("name"), t.get("mode")) for t in mixture(at)]
    slide(at, 2)
    assert [(t.get("name"), t.get("mode")) for t in mixture(at)] == last
    np.testing.assert_array_equal(component_opacities(at), 1.0)  # nothing off yet
    slide(at, len(stepper(at).history) - 1)


def test_the_curve_is_the_lower_bound(faithful_ten):
    em = stepper(faithful_ten)
    traces = curve(faithful_ten)
    assert traces[0]["name"] == "lower bound (ELBO)"
    np.testing.assert_allclose(traces[0]["y"], [r.objective for r in em.history])
    (shown,) = [v for k, v in figures(faithful_ten).items() if "log_likelihood" in k]
    assert shown[0]["y"][-1] == pytest.approx(em.objective)


def test_a_lower_concentration_switches_off_at_least_as_many():
    low = active_in_caption(variational(concentration=CONCENTRATION_CHOICES[0]))[0]
    high = active_in_caption(variational(concentration=CONCENTRATION_CHOICES[-1]))[0]
    assert low <= high


def test_other_algorithms_have_no_prior_and_fade_nothing():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert "weight_concentration_prior" not in [s.key for s in at.select_slider]
    assert not [c for c in at.caption if "active now" in c.value]
    np.testing.assert_array_equal(component_opacities(at), 1.0)


def test_a_link_with_the_prior_round_trips():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    link = {
        "data": "Old Faithful",
        "k": "6",
        "alg": "variational-bayes",
        "wpt": "dirichlet_distribution",
        "w0": "30.0",
    }
    at.query_params.update(link)
    at.run()
    assert not at.exception and not at.toast
    em = stepper(at)
    assert isinstance(em, BayesianGaussianMixtureEM) and em.n_components == 6
    assert not em.prior.process and em.prior.weight_concentration == 30.0
    for name, value in link.items():
        assert at.query_params[name] == value


@pytest.mark.parametrize(
    ("name", "value"), [("w0", "0.5"), ("w0", "nan"), ("w0", "-1"), ("wpt", "uniform")]
)
def test_bad_prior_values_in_a_link_get_the_toast(name, value):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"data": "Old Faithful", "alg": "variational-bayes", name: value})
    at.run()
    assert not at.exception
    assert any(f"value for {name} was not understood" in t.value for t in at.toast)
    em = stepper(at)
    assert em.prior.weight_concentration == 0.1 and em.prior.process


def test_why_em_works_shows_ems_point_against_a_posteriors_spread():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    click(at, "Step", 2)
    open_page(at, "bound")
    at.selectbox(key="bound_component").set_value(1).run()
    assert not at.exception
    em = stepper(at)
    density, spike = figures(at)["point_spread"]
    mean = em.means[1, 0]
    np.testing.assert_allclose(spike["x"], [mean, mean])
    x, y = np.asarray(density["x"], dtype=float), np.asarray(density["y"], dtype=float)
    assert x[np.argmax(y)] == pytest.approx(mean)
    sd = np.sqrt(em.covariances[1, 0, 0] / (em.weights[1] * len(em.X)))
    assert np.sum((y[1:] + y[:-1]) / 2 * np.diff(x)) == pytest.approx(1.0, abs=1e-4)
    assert np.sum(y * x**2) / np.sum(y) - mean**2 == pytest.approx(sd**2, rel=1e-3)
    assert any("q over the parameters squeezed to a point" in m.value for m in at.markdown)


def test_switched_off_components_are_said_once_in_the_caption_not_as_warnings(faithful_ten):
    em = stepper(faithful_ten)
    assert len(em.warnings) == int(np.sum(em.weights < 0.01)) > 0  # the engine names each
    assert not [w for w in faithful_ten.warning if "switched off" in w.value]


def test_the_half_steps_are_captioned_as_variational_bayes(faithful_ten):
    at = faithful_ten
    assert any("pulled toward the prior" in c.value for c in at.caption)  # after an M-step
    slide(at, len(stepper(at).history) - 2)
    assert any("expected weight and density under the posterior" in c.value for c in at.caption)
    slide(at, len(stepper(at).history) - 1)


def test_why_em_works_says_it_explains_em_when_the_run_is_variational():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.selectbox(key="algorithm").set_value("variational-bayes").run()
    open_page(at, "bound")
    assert not at.exception
    assert any("The explorer's run is variational Bayes" in i.value for i in at.info)
    assert "bound" not in figures(at)
