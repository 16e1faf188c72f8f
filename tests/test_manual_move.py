"""A mean moved by hand: the "moved" record (its parameters, objective and bound), the
E-step that follows, Back, every variant and covariance type against a fresh run from the
moved parameters, the refusals, the run file, and the server's action."""

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from plotly_json import figure_data
from scipy.special import logsumexp
from scipy.stats import multivariate_normal
from streamlit.testing.v1 import AppTest
from test_algorithms import reg_covar_slack

from em_viz import (
    ALGORITHMS,
    COVARIANCE_TYPES,
    BayesianGaussianMixtureEM,
    BernoulliMixtureEM,
    DataError,
    GaussianMixtureEM,
    SettingsError,
    StepError,
)
from em_viz.engine.gaussian_em import GaussianSettings
from em_viz.engine.run_file import run_from_json, run_to_json
from em_viz.figures.curves import figure_log_likelihood, half_step_x
from em_viz.ui.labels import MOVED_CHANGED, what_changed
from em_viz.ui.run import half_step_label, phase_text
from em_viz.ui.stepping import disabled_buttons

TO = np.array([6.0, -2.0])


@pytest.fixture(scope="module")
def X() -> np.ndarray:
    rng = np.random.default_rng(7)
    centres = np.array([[0.0, 0.0], [5.0, 1.0], [1.0, 5.0]])
    return np.concatenate([rng.normal(size=(60, 2)) * [1.0, 0.7] + c for c in centres])


def soft_run(X: np.ndarray, iterations: int = 2, **options) -> GaussianMixtureEM:
    em = GaussianMixtureEM(X, 3, random_state=0, **options)
    for _ in range(iterations):
        em.step()
    return em


def gaussian_joint(X: np.ndarray, params) -> np.ndarray:
    """``log pi_k + log N(x_i | mu_k, Sigma_k)``, written out with SciPy."""
    return np.column_stack(
        [
            np.log(w) + multivariate_normal(m, c).logpdf(X)
            for w, m, c in zip(params.weights, params.means, params.covariances, strict=True)
        ]
    )


def test_a_move_replaces_one_mean_and_evaluates_the_parameters(X):
    em = soft_run(X)
    before = em.history[-1]
    em.move_mean(1, TO)
    moved = em.history[-1]
    assert (moved.phase, moved.iteration, moved.moved) == ("moved", before.iteration, 1)
    assert not moved.converged and em.phase == "moved"
    np.testing.assert_array_equal(moved.means[1], TO)
    np.testing.assert_array_equal(np.delete(moved.means, 1, 0), np.delete(before.means, 1, 0))
    np.testing.assert_array_equal(moved.weights, before.weights)
    np.testing.assert_array_equal(moved.covariances, before.covariances)
    joint = gaussian_joint(X, moved.params)
    np.testing.assert_allclose(moved.log_likelihood, logsumexp(joint, axis=1).sum(), rtol=1e-10)
    assert moved.objective == moved.log_likelihood
    # The bound keeps the q of the latest E-step, now under the moved parameters.
    q = em.history[-3].params  # the E-step's parameters gave q
    resp = np.exp(gaussian_joint(X, q) - logsumexp(gaussian_joint(X, q), axis=1)[:, None])
    entropy = -np.sum(resp * np.log(resp))
    np.testing.assert_allclose(moved.elbo, np.sum(resp * joint) + entropy, rtol=1e-9)
    np.testing.assert_allclose(moved.kl, moved.log_likelihood - moved.elbo)
    assert moved.kl > 0
    # The picture keeps the latest E-step's colours.
    np.testing.assert_array_equal(em.responsibilities, em.responsibilities_at(-3))
    np.testing.assert_array_equal(em.responsibilities_at(-1), em.responsibilities_at(-3))


def test_a_move_can_lower_the_objective_and_before_an_e_step_has_no_bound(X):
    em = soft_run(X, iterations=0)
    em.move_mean(0, [40.0, 40.0])
    moved = em.history[-1]
    assert moved.elbo is None and moved.kl is None
    assert moved.objective < em.history[0].objective
    assert moved.iteration == 0 and em.responsibilities is None


def test_after_a_move_the_next_half_step_is_an_e_step(X):
    em = soft_run(X)
    em.move_mean(2, TO)
    em.m_step()  # the E-step first, as after any change of parameters
    phases = [(r.phase, r.iteration) for r in em.history[-3:]]
    assert phases == [("moved", 2), ("E", 3), ("M", 3)]
    e_record = em.history[-2]
    assert e_record.moved is None and not e_record.converged
    np.testing.assert_array_equal(e_record.means, em.history[-3].means)
    assert e_record.kl == pytest.approx(0, abs=1e-8)
    assert em.n_iter == 3
    em.move_mean(0, TO)
    em.e_step()
    assert [r.phase for r in em.history[-2:]] == ["moved", "E"]
    assert em.history[-1].iteration == 4


def test_a_move_after_an_e_step_ends_that_iteration(X):
    em = soft_run(X)
    em.e_step()
    em.move_mean(0, TO)
    em.step()
    assert [(r.phase, r.iteration) for r in em.history[-4:]] == [
        ("E", 3),
        ("moved", 3),
        ("E", 4),
        ("M", 4),
    ]
    assert [half_step_x(r) for r in em.history[-4:]] == [2.5, 3.0, 3.5, 4.0]


def test_back_undoes_a_move_exactly(X):
    em, untouched = soft_run(X), soft_run(X)
    em.move_mean(1, TO)
    em.step()
    for _ in range(3):
        assert em.back()
    assert [r.phase for r in em.history] == [r.phase for r in untouched.history]
    for a, b in zip(em.history, untouched.history, strict=True):
        np.testing.assert_array_equal(a.means, b.means)
    np.testing.assert_array_equal(em.responsibilities, untouched.responsibilities)
    em.step()
    untouched.step()
    np.testing.assert_array_equal(em.means, untouched.means)
    assert em.objective == untouched.objective


def test_a_converged_run_goes_on_after_a_move(X):
    em = soft_run(X, iterations=0)
    em.run(max_iter=200)
    assert em.converged
    em.move_mean(0, em.means[1] + 0.5)
    assert not em.converged and not em.finished
    assert em.run(max_iter=200) > 0 and em.converged


def test_a_move_off_a_saddle_point_is_not_stuck(X):
    """Two identical components stay identical under EM (stuck); a small move breaks the
    symmetry, though the components are still nearly identical."""
    centre, spread = X.mean(axis=0), np.cov(X.T)
    em = GaussianMixtureEM(
        X, 2, weights_init=[0.5, 0.5], means_init=[centre] * 2, covariances_init=[spread] * 2
    )
    em.run(20, past_saddle=True)
    assert em.stuck and em.finished
    em.move_mean(0, em.means[0] + [0.0, 1e-3])
    em.e_step()
    assert em.at_saddle and not em.stuck and not em.finished
    em.back()
    em.back()
    assert em.stuck and em.finished


def fresh_from(X: np.ndarray, record, algorithm: str, covariance_type: str):
    """A new run started from ``record``'s parameters (the means only where the
    algorithm takes only those)."""
    start = {"means_init": record.means}
    if algorithm in ("soft", "hard"):
        start |= {"weights_init": record.weights, "covariances_init": record.covariances}
    return GaussianMixtureEM(
        X, 3, algorithm=algorithm, covariance_type=covariance_type, epsilon=2.0, **start
    )


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_a_run_after_a_move_is_a_fresh_run_from_the_moved_parameters(
    X, algorithm, covariance_type
):
    em = soft_run(X, algorithm=algorithm, covariance_type=covariance_type, epsilon=2.0)
    em.move_mean(0, TO)
    fresh = fresh_from(X, em.history[-1], algorithm, covariance_type)
    for _ in range(4):
        em.step()
        fresh.step()
    for a, b in zip(em.history[-8:], fresh.history[1:], strict=True):
        assert (a.phase, a.iteration - 2, a.converged) == (b.phase, b.iteration, b.converged)
        assert a.objective == pytest.approx(b.objective, rel=1e-10)
        if a.phase == "M":
            for name in ("weights", "means", "covariances"):
                np.testing.assert_allclose(getattr(a, name), getattr(b, name), atol=1e-10)
            assert a.log_likelihood == pytest.approx(b.log_likelihood, rel=1e-10)
    np.testing.assert_allclose(em.responsibilities, fresh.responsibilities, atol=1e-10)


def test_variational_bayes_moves_the_posterior_mean(X):
    em = BayesianGaussianMixtureEM(X, 3, random_state=0)
    em.step()
    before = em.history[-1]
    em.move_mean(2, TO)
    moved = em.history[-1]
    np.testing.assert_array_equal(moved.means[2], TO)
    np.testing.assert_array_equal(moved.mean_precision, before.mean_precision)
    assert moved.objective != before.objective and moved.elbo is not None
    assert em.lower_bound_at(-1) <= moved.objective + 1e-9  # the best q(Z) is no lower
    em.step()
    values = [r.objective for r in em.history[-3:]]
    assert np.all(np.diff(values) >= -1e-9 * np.abs(values[1:]))
    em.back()
    em.back()
    em.back()
    np.testing.assert_array_equal(em.means, before.means)
    assert em.objective == before.objective


@pytest.mark.parametrize(
    ("component", "to", "error", "words"),
    [
        (3, TO, StepError, "no component 3; choose 0 to 2"),
        (-1, TO, StepError, "component must be"),
        (1.5, TO, StepError, "whole number"),
        (True, TO, StepError, "whole number"),
        (0, [1.0, 2.0, 3.0], SettingsError, "shape (2,)"),
        (0, [1.0, np.nan], StepError, "finite"),
        (0, [np.inf, 0.0], StepError, "finite"),
        (0, ["left", "up"], StepError, "numbers, one per feature"),
    ],
)
def test_bad_moves_are_refused_in_words_and_change_nothing(X, component, to, error, words):
    em = soft_run(X)
    length, means = len(em.history), em.means.copy()
    with pytest.raises(error) as raised:
        em.move_mean(component, to)
    assert words in str(raised.value)
    assert len(em.history) == length and em.phase == "M"
    np.testing.assert_array_equal(em.means, means)


def test_a_mean_whose_densities_underflow_is_refused(X):
    em = GaussianMixtureEM(X, 1)
    em.step()
    with pytest.raises(StepError, match="move it closer to the points"):
        em.move_mean(0, [1e200, 1e200])
    assert em.phase == "M" and np.isfinite(em.objective)


def test_a_model_without_means_refuses_a_move():
    em = BernoulliMixtureEM(np.random.default_rng(0).integers(2, size=(30, 4)), 2)
    with pytest.raises(StepError, match="no means to move"):
        em.move_mean(0, [0.5] * 4)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    algorithm=st.sampled_from(ALGORITHMS),
    covariance_type=st.sampled_from(COVARIANCE_TYPES),
    n_components=st.integers(1, 4),
    before=st.integers(0, 6),
    where=st.tuples(st.floats(-8, 8), st.floats(-8, 8)),
)
def test_em_never_lowers_the_objective_after_a_move(
    seed, algorithm, covariance_type, n_components, before, where
):
    """A move may lower the objective; the half-steps after it never do (soft and hard
    EM up to what reg_covar costs an M-step, as in test_algorithms)."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-5, 5, size=(n_components, 2))
    X = centres[rng.integers(n_components, size=80)] + rng.normal(size=(80, 2))
    em = GaussianMixtureEM(
        X,
        n_components,
        algorithm=algorithm,
        covariance_type=covariance_type,
        random_state=seed,
        tol=0,
    )
    for _ in range(before):
        em.step()
    em.move_mean(int(rng.integers(n_components)), where)
    moved_at = len(em.history) - 1
    em.run(max_iter=15)
    after = em.history[moved_at:]
    values = np.array([r.objective for r in after])
    assert np.all(np.isfinite(values))
    slack = np.zeros(len(values) - 1)
    if algorithm in ("soft", "hard"):
        slack = np.array(
            [
                reg_covar_slack(r.covariances, em.reg_covar, len(X)) if r.phase == "M" else 0
                for r in after[1:]
            ]
        )
    assert np.all(np.diff(values) >= -1e-9 * np.abs(values[1:]) - slack)


# The run file


@pytest.mark.parametrize("algorithm", ["soft", "kmeans", "variational-bayes"])
def test_a_run_with_a_move_in_the_middle_round_trips(X, algorithm):
    settings = GaussianSettings(n_components=3, algorithm=algorithm, random_state=2)
    em = settings.build(X)
    for _ in range(2):
        em.step()
    em.move_mean(1, TO)
    em.step()
    em.step()
    text = run_to_json(em, settings, position=5)
    saved = json.loads(text)["history"]
    moves = [r for r in saved if r["phase"] == "moved"]
    assert len(moves) == 1 and moves[0]["moved_component"] == 1
    assert moves[0]["moved_to"] == TO.tolist()
    assert all("moved_to" not in r for r in saved if r["phase"] != "moved")
    restored = run_from_json(text)
    assert restored.position == 5
    assert [(r.phase, r.iteration, r.moved) for r in restored.em.history] == [
        (r.phase, r.iteration, r.moved) for r in em.history
    ]
    for a, b in zip(em.history, restored.em.history, strict=True):
        np.testing.assert_array_equal(a.means, b.means)
        assert a.objective == b.objective and a.converged == b.converged


def edited_move(X, change) -> str:
    settings = GaussianSettings(n_components=3, random_state=2)
    em = settings.build(X)
    em.step()
    em.move_mean(0, TO)
    em.step()
    content = json.loads(run_to_json(em, settings))
    change(content["history"])
    return json.dumps(content)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda h: h[3].__setitem__("moved_to", [0.0, 0.0]), "differs at half-step 3"),
        (lambda h: h[3].__setitem__("moved_component", 2), "differs at half-step 3"),
        (lambda h: h[3].pop("moved_component"), "no E-step, M-step or move"),
        (lambda h: h[3].__setitem__("moved_component", "one"), "whole number"),
        (lambda h: h[4].__setitem__("moved_component", 0), "differs at half-step 4"),
    ],
)
def test_an_edited_move_is_refused(X, change, words):
    with pytest.raises(DataError, match="edited") as raised:
        run_from_json(edited_move(X, change))
    assert words in str(raised.value)


# What a student reads, and the controls after a move


def test_the_heading_slider_curve_and_caption_name_the_move(X):
    em = soft_run(X)
    em.move_mean(1, TO)
    record = em.history[-1]
    assert phase_text(record) == "Iteration 2 · mean 2 moved by hand"
    assert half_step_label(record) == phase_text(record)
    for variant in ("soft", "hard", "kmeans", "fixed-eps"):
        caption = what_changed(GaussianSettings(algorithm=variant).variant)["moved"]
        assert caption == MOVED_CHANGED
    vb = what_changed(GaussianSettings(algorithm="variational-bayes").variant)["moved"]
    assert "posterior mean" in vb
    figure = figure_data(figure_log_likelihood(em.history, -1, len(X)).to_json())
    moved = next(t for t in figure if t.get("name") == "moved")
    assert moved["showlegend"] is True and moved["marker"]["symbol"] == "star"
    np.testing.assert_array_equal(moved["x"], [2.0])
    np.testing.assert_array_equal(moved["y"], [record.objective])
    before = figure_data(figure_log_likelihood(em.history[:-1], -1, len(X)).to_json())
    assert [t.get("name") for t in before] == [t.get("name") for t in figure]
    assert next(t for t in before if t.get("name") == "moved")["showlegend"] is False
    disabled = disabled_buttons(em, len(em.history) - 1, False, True)
    assert not disabled["E-step"] and not disabled["Run"]


def move_page() -> None:
    """A page with the explorer's run and two buttons that move a mean through the
    server's action (one refused)."""
    import numpy as np
    import streamlit as st

    from em_viz import GaussianMixtureEM
    from em_viz.ui.run import phase_text
    from em_viz.ui.stepping import EXPLORER, move_mean

    state = st.session_state
    if EXPLORER.em not in state:
        rng = np.random.default_rng(1)
        em = GaussianMixtureEM(rng.normal(size=(60, 2)), 3, random_state=0)
        for _ in range(3):
            em.step()
        state[EXPLORER.em] = em
        state[EXPLORER.view] = 2  # the history slider shows iteration 1's M-step
    st.button("move", on_click=move_mean, args=(EXPLORER, 1, (2.5, -1.0)))
    st.button("refused", on_click=move_mean, args=(EXPLORER, 5, (2.5, -1.0)))
    for message in state.get(EXPLORER.error, []):
        st.error(message)
    em = state[EXPLORER.em]
    st.markdown(phase_text(em.history[state[EXPLORER.view]]))


def test_the_server_moves_a_mean_from_the_half_step_shown():
    app = AppTest.from_function(move_page).run()
    app.button[0].click().run()
    em = app.session_state["em"]
    assert [r.phase for r in em.history] == ["init", "E", "M", "moved"]
    assert app.session_state["history_view"] == 3 and not app.session_state["running"]
    np.testing.assert_array_equal(em.means[1], [2.5, -1.0])
    assert app.markdown[0].value == "Iteration 1 · mean 2 moved by hand"
    assert not app.error
    app.button[1].click().run()
    assert "no component 5" in app.error[0].value
    assert len(app.session_state["em"].history) == 4
    assert app.markdown[0].value == "Iteration 1 · mean 2 moved by hand"
