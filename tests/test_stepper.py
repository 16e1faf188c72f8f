"""The stepper's API: half-steps, history, undo, convergence, monotonicity, bad set-ups."""

import re
import subprocess
import sys

import numpy as np
import pytest

from em_viz import COVARIANCE_TYPES, INIT_METHODS, GaussianMixtureEM
from em_viz.engine.families import gaussian
from em_viz.engine.validation import DataError, SettingsError, check_choice, check_number


def blobs(n_per: int = 60, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = np.array([(0.0, 0.0), (5.0, 5.0), (0.0, 5.0)])
    return np.vstack([c + rng.normal(size=(n_per, 2)) for c in centres])


def snapshot(em: GaussianMixtureEM) -> tuple:
    resp = None if em.responsibilities is None else em.responsibilities.copy()
    return (em.phase, em.n_iter, em.log_likelihood, em.weights, em.means, em.covariances, resp)


def assert_same_state(a: tuple, b: tuple) -> None:
    assert a[:3] == b[:3]
    for x, y in zip(a[3:], b[3:], strict=True):
        assert (x is None and y is None) or np.array_equal(x, y)


def test_half_steps_build_the_history():
    em = GaussianMixtureEM(blobs(), 3, random_state=0)
    assert (em.phase, em.n_iter, em.responsibilities) == ("init", 0, None)
    em.e_step()
    assert (em.phase, em.n_iter) == ("E", 0)
    assert em.responsibilities.shape == (180, 3)
    np.testing.assert_allclose(em.responsibilities.sum(axis=1), 1.0)
    em.m_step()
    assert (em.phase, em.n_iter) == ("M", 1)
    em.step()
    assert [(r.iteration, r.phase) for r in em.history] == [
        (0, "init"),
        (1, "E"),
        (1, "M"),
        (2, "E"),
        (2, "M"),
    ]


def test_e_step_twice_changes_nothing():
    em = GaussianMixtureEM(blobs(), 3, random_state=0)
    em.e_step()
    before = snapshot(em)
    em.e_step()
    assert len(em.history) == 2
    assert_same_state(before, snapshot(em))


def test_m_step_never_uses_stale_responsibilities():
    em = GaussianMixtureEM(blobs(), 3, random_state=0)
    em.step()
    em.m_step()  # parameters changed since the last E-step: it must do one first
    assert [r.phase for r in em.history[-2:]] == ["E", "M"]
    twin = GaussianMixtureEM(blobs(), 3, random_state=0)
    twin.step()
    twin.e_step()
    twin.m_step()
    np.testing.assert_array_equal(em.means, twin.means)


def test_m_step_leaves_colours_and_e_step_leaves_parameters():
    em = GaussianMixtureEM(blobs(), 3, random_state=0)
    em.e_step()
    resp, params = em.responsibilities, em.params
    em.m_step()
    assert em.responsibilities is resp
    assert em.params is not params
    em.e_step()
    assert em.params is em.history[-2].params
    assert not np.array_equal(em.responsibilities, resp)


def test_reset_returns_to_the_start_and_replays_identically():
    em = GaussianMixtureEM(blobs(), 3, random_state=2)
    start = snapshot(em)
    em.run(max_iter=7)
    end = snapshot(em)
    em.reset()
    assert_same_state(start, snapshot(em))
    em.run(max_iter=7)
    assert_same_state(end, snapshot(em))


def test_responsibilities_at_any_record_are_those_shown_then():
    em = GaussianMixtureEM(blobs(), 3, random_state=3)
    shown = [em.responsibilities]
    for _ in range(5):
        em.e_step()
        shown.append(em.responsibilities.copy())
        em.m_step()
        shown.append(em.responsibilities.copy())
    for index, expected in enumerate(shown):
        actual = em.responsibilities_at(index)
        assert (actual is None) == (expected is None)
        if expected is not None:
            np.testing.assert_array_equal(actual, expected)
    np.testing.assert_array_equal(em.responsibilities_at(-1), shown[-1])


def test_a_copy_stepped_ahead_leaves_the_run_and_is_caught_up_exactly():
    em = GaussianMixtureEM(blobs(), 3, random_state=0)
    em.step()
    before = snapshot(em)
    ahead = em.ahead()
    ahead.step()
    assert len(em.history) == 3
    assert_same_state(before, snapshot(em))
    assert em.catch_up(ahead)
    stepped = GaussianMixtureEM(blobs(), 3, random_state=0)
    stepped.run(max_iter=2)
    assert_same_state(snapshot(stepped), snapshot(em))  # as if it had stepped itself
    assert em.history[-2:] == ahead.history[-2:]  # the very records
    em.step()
    stepped.step()
    assert_same_state(snapshot(stepped), snapshot(em))  # and it goes on from there


def test_catch_up_refuses_a_copy_that_went_on_from_elsewhere():
    em = GaussianMixtureEM(blobs(), 3, random_state=0)
    em.step()
    ahead = em.ahead()
    ahead.step()
    assert not em.catch_up(em.ahead())  # no half-step past the run
    em.back()
    em.back()
    em.e_step()  # the same half-step made again: another record
    before = snapshot(em)
    assert not em.catch_up(ahead)
    assert_same_state(before, snapshot(em))
    assert len(em.history) == 2


def test_history_holds_parameters_not_per_point_arrays():
    X = blobs(n_per=300)
    em = GaussianMixtureEM(X, 3, random_state=0)
    em.run(max_iter=5)
    for record in em.history:
        for value in vars(record.params).values():
            assert np.asarray(value).size <= 3 * 2 * 2
    assert em.responsibilities.flags.writeable is False


def test_run_stops_when_converged_and_reports_iterations():
    em = GaussianMixtureEM(blobs(), 3, random_state=0, tol=1e-3)
    done = em.run(max_iter=500)
    assert em.converged
    assert done == em.n_iter < 500
    ends = [r.log_likelihood for r in em.history if r.phase == "M"]
    assert abs(ends[-1] - ends[-2]) < 1e-3 * len(em.X) <= abs(ends[-2] - ends[-3])
    assert em.run(max_iter=10) == 0


def test_run_respects_max_iter():
    em = GaussianMixtureEM(blobs(), 3, random_state=0, tol=0)
    assert em.run(max_iter=4) == 4
    assert em.n_iter == 4
    assert not em.converged


def test_single_component_equals_the_empirical_covariance():
    X = blobs()
    for covariance_type in COVARIANCE_TYPES:
        em = GaussianMixtureEM(X, 1, covariance_type=covariance_type, reg_covar=1e-6)
        em.step()
        empirical = np.cov(X.T, bias=True)
        expected = {
            "full": empirical,
            "tied": empirical,
            "diag": np.diag(np.diag(empirical)),
            "spherical": np.trace(empirical) / 2 * np.eye(2),
        }[covariance_type] + 1e-6 * np.eye(2)
        np.testing.assert_allclose(em.covariances[0], expected, rtol=1e-12)
        np.testing.assert_allclose(em.means[0], X.mean(axis=0), rtol=1e-12)
        assert em.weights[0] == pytest.approx(1.0)


@pytest.mark.parametrize("init", INIT_METHODS)
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_every_init_starts_inside_the_family(init, covariance_type):
    X = blobs()
    em = GaussianMixtureEM(X, 3, covariance_type=covariance_type, init=init, random_state=5)
    assert em.weights.sum() == pytest.approx(1.0)
    assert np.all(em.weights > 0)
    assert np.all(np.linalg.eigvalsh(em.covariances) > 1e-3)  # sized like the data, not reg
    assert np.isfinite(em.log_likelihood)
    again = GaussianMixtureEM(X, 3, covariance_type=covariance_type, init=init, random_state=5)
    np.testing.assert_array_equal(em.means, again.means)


def test_random_points_start_at_distinct_data_points():
    X = np.repeat(blobs(n_per=5), 20, axis=0)  # every point 20 times
    em = GaussianMixtureEM(X, 15, init="random-points", random_state=0)
    assert len(np.unique(em.means, axis=0)) == 15
    assert all(any(np.array_equal(m, x) for x in X) for m in em.means)


def test_explicit_start_overrides_init():
    X = blobs()
    means = np.array([[0.0, 0.0], [5.0, 5.0], [0.0, 5.0]])
    covariances = np.stack([np.eye(2) * s for s in (1.0, 2.0, 3.0)])
    em = GaussianMixtureEM(
        X, 3, weights_init=[0.2, 0.3, 0.5], means_init=means, covariances_init=covariances
    )
    np.testing.assert_array_equal(em.weights, [0.2, 0.3, 0.5])
    np.testing.assert_array_equal(em.means, means)
    np.testing.assert_array_equal(em.covariances, covariances)


def test_collapse_onto_a_point_is_reported_in_plain_words():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(size=(50, 2)), np.full((5, 2), 8.0)])
    em = GaussianMixtureEM(X, 2, means_init=[[0, 0], [8, 8]], reg_covar=1e-6)
    em.run(max_iter=20)
    assert any("collapsed onto a single point" in w and "Component 2" in w for w in em.warnings)
    assert np.isfinite(em.log_likelihood)
    assert np.all(np.isfinite(em.covariances))
    np.testing.assert_allclose(em.covariances[1], 1e-6 * np.eye(2), rtol=1e-6)


def test_collapse_onto_a_line_is_reported():
    rng = np.random.default_rng(0)
    line = np.column_stack([np.linspace(0, 10, 40), np.full(40, 3.0)])
    X = np.vstack([rng.normal(size=(60, 2)) * 3 + (5, 20), line])
    em = GaussianMixtureEM(X, 2, means_init=[[5, 20], [5, 3]], reg_covar=1e-6)
    em.run(max_iter=20)
    assert any("collapsed onto a line" in w for w in em.warnings)


def test_reg_covar_near_the_data_scale_is_reported():
    X = blobs() * 1e-3  # variances about 1e-6, the size of reg_covar
    em = GaussianMixtureEM(X, 3, random_state=0, reg_covar=1e-6)
    em.run(max_iter=10)
    assert any("very narrow" in w and "reg_covar" in w for w in em.warnings)
    assert np.isfinite(em.log_likelihood)
    small_reg = GaussianMixtureEM(X, 3, random_state=0, reg_covar=1e-12)
    small_reg.run(max_iter=10)
    assert small_reg.warnings == []


def test_an_empty_component_keeps_its_place():
    X = blobs()
    far = [1e4, 1e4]
    em = GaussianMixtureEM(X, 2, means_init=[[2.0, 3.0], far])
    em.step()
    assert any("Component 2 is empty" in w for w in em.warnings)
    np.testing.assert_array_equal(em.means[1], far)
    assert np.all(np.isfinite(em.weights)) and em.weights[1] < 1e-12
    assert np.isfinite(em.log_likelihood)


@pytest.mark.parametrize(
    ("X", "kwargs", "words"),
    [
        (np.zeros((5, 2)), {"n_components": 2}, "distinct"),
        (blobs(), {"n_components": 0}, "n_components"),
        (blobs(), {"n_components": 2.5}, "n_components"),
        (blobs()[:3], {"n_components": 4}, "at most 3"),
        (np.array([[0.0, np.nan], [1.0, 2.0]]), {"n_components": 1}, "NaN"),
        (np.ones(4), {"n_components": 1}, "shape"),
        (blobs(), {"covariance_type": "round"}, "covariance_type"),
        (blobs(), {"init": "magic"}, "init"),
        (blobs(), {"reg_covar": 0.0}, "reg_covar"),
        (blobs(), {"tol": -1.0}, "tol"),
        (blobs(), {"weights_init": [0.5, 0.5]}, "weights_init"),
        (blobs(), {"weights_init": [0.5, 0.6, -0.1]}, "sum to 1"),
        (blobs(), {"means_init": np.zeros((3, 3))}, "means_init"),
        (blobs(), {"covariances_init": np.ones((3, 2, 2))}, "positive definite"),
        (blobs(), {"covariances_init": np.zeros((3, 2))}, "shape"),
        (
            blobs(),
            {
                "covariance_type": "tied",
                "covariances_init": np.stack([np.eye(2), np.eye(2), 2 * np.eye(2)]),
            },
            "equal",
        ),
        (
            blobs(),
            {
                "covariance_type": "diag",
                "covariances_init": np.tile([[1.0, 0.5], [0.5, 1.0]], (3, 1, 1)),
            },
            "diagonal",
        ),
        (
            blobs(),
            {
                "covariance_type": "spherical",
                "covariances_init": np.tile(np.diag([1.0, 2.0]), (3, 1, 1)),
            },
            "identity",
        ),
    ],
)
def test_impossible_setups_raise_a_plain_value_error(X, kwargs, words):
    kwargs = {"n_components": 3, **kwargs}
    with pytest.raises(ValueError, match=words):
        GaussianMixtureEM(X, **kwargs)


def test_log_prob_takes_raw_or_prepared_data():
    X = blobs()
    em = GaussianMixtureEM(X, 3, random_state=0)
    raw = gaussian.log_prob(X, em.params)
    prepared = gaussian.log_prob(gaussian.prepare(X), em.params)
    np.testing.assert_array_equal(raw, prepared)
    from scipy.stats import multivariate_normal

    direct = np.column_stack(
        [
            np.log(w) + multivariate_normal(m, c).logpdf(X)
            for w, m, c in zip(em.weights, em.means, em.covariances, strict=True)
        ]
    )
    np.testing.assert_allclose(raw, direct, rtol=1e-12)


def test_the_engine_and_the_data_import_neither_plotly_nor_streamlit():
    modules = "em_viz, em_viz.engine.runs, em_viz.engine.equations, em_viz.data"
    code = f"import sys, {modules}; print(sorted({{'plotly', 'streamlit'}} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("value", "rule", "message"),
    [
        (np.float64(-1.0), {}, "tol must be a number >= 0; got -1.0. Choose 0 or more."),
        (float("inf"), {}, "tol must be a number >= 0; got inf."),
        (True, {"minimum": 1, "whole": True}, "a whole number of at least 1; got True."),
        (0, {"above": True, "fix": "Try 1e-4."}, "a positive number; got 0. Try 1e-4."),
    ],
)
def test_one_number_check_says_the_rule_the_value_and_the_fix(value, rule, message):
    with pytest.raises(SettingsError, match=re.escape(message)):
        check_number(value, "tol", **rule)
    assert check_number(np.int64(3), "n", whole=True) == 3


def test_one_choice_check_lists_the_choices_and_raises_the_class_given():
    with pytest.raises(DataError, match=r"^Unknown init 'x'; choose one of a, b\.$"):
        check_choice("x", "init", ("a", "b"), error=DataError)
    assert check_choice("b", "init", ("a", "b")) == "b"
