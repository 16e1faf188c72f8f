"""Saddle points as unstable fixed points: the power method against the whole Jacobian
and Murray's 16/15, the flag where components look nothing alike (Murray's saddle point,
on the engine and on the Incomplete data page), no flag at maxima however slow, and the
check asked only at convergence."""

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from test_app_compare import open_page
from test_app_incomplete import murray

from em_viz import GaussianMixtureEM
from em_viz.data import old_faithful
from em_viz.data.incomplete import murray_points
from em_viz.engine.families import gaussian, gaussian_missing, saddle
from em_viz.engine.posterior import posterior
from em_viz.ui.run import SADDLE_BADGE, STUCK_BADGE

TIMEOUT = 60
APP = str(Path(__file__).resolve().parent.parent / "app.py")


def em_map(family, X: np.ndarray, reg_covar: float = 1e-6):
    """One soft EM iteration of a full-covariance Gaussian mixture, from the family's
    functions."""
    data = family.prepare(X)

    def step(params: gaussian.GaussianParams) -> gaussian.GaussianParams:
        resp = posterior(family.log_prob(data, params))[1]
        return family.estimate(data, resp, previous=params, reg_covar=reg_covar)

    return step


def murray_run(correlation: float, tol: float = 1e-12, **settings) -> GaussianMixtureEM:
    """One Gaussian on Murray's points, started as the Incomplete data page starts it."""
    return GaussianMixtureEM(
        murray_points(),
        1,
        missing="em",
        tol=tol,
        weights_init=[1.0],
        means_init=[[0.0, 0.0]],
        covariances_init=[[[1.0, correlation], [correlation, 1.0]]],
        **settings,
    )


def two_close_clusters() -> np.ndarray:
    """Two unit-variance clusters of 300 points 1.5 apart: EM converges very slowly."""
    rng = np.random.default_rng(1)
    return np.vstack([rng.normal(size=(300, 2)), rng.normal(size=(300, 2)) + np.array([1.5, 0.0])])


def jacobian_eigenvalue(step, params: gaussian.GaussianParams) -> float:
    """The largest eigenvalue of the map's Jacobian, column by column by central
    differences in free coordinates (all weights but the last, means, the covariances'
    upper triangles)."""
    n_components, n_features = params.means.shape
    rows, cols = np.triu_indices(n_features)

    def flat(p):
        return np.concatenate(
            [p.weights[:-1], p.means.ravel(), p.covariances[:, rows, cols].ravel()]
        )

    def unflat(x):
        weights = np.append(x[: n_components - 1], 1 - x[: n_components - 1].sum())
        start = n_components - 1
        means = x[start : start + means_size].reshape(n_components, n_features)
        covariances = np.zeros((n_components, n_features, n_features))
        upper = x[start + means_size :].reshape(n_components, -1)
        covariances[:, rows, cols] = upper
        covariances[:, cols, rows] = upper
        return gaussian.GaussianParams(weights, means, covariances)

    means_size = n_components * n_features
    x = flat(params)
    columns = []
    for j in range(x.size):
        h = 1e-6 * max(abs(x[j]), 1.0)
        up, down = x.copy(), x.copy()
        up[j] += h
        down[j] -= h
        columns.append((flat(step(unflat(up))) - flat(step(unflat(down)))) / (2 * h))
    return float(np.max(np.linalg.eigvals(np.column_stack(columns)).real))


def fixed_point(em: GaussianMixtureEM) -> gaussian.GaussianParams:
    em.tol = 0
    em.run(300)
    return em.params


@pytest.mark.parametrize(
    ("name", "family", "X", "build"),
    [
        ("Murray's saddle", gaussian_missing, murray_points(), lambda: murray_run(0.0)),
        ("Murray's maximum", gaussian_missing, murray_points(), lambda: murray_run(0.3)),
        (
            "Old Faithful's maximum",
            gaussian,
            old_faithful().X,
            lambda: GaussianMixtureEM(old_faithful().X, 2, init="kmeans", random_state=0),
        ),
    ],
)
def test_the_power_method_finds_the_largest_eigenvalue_of_the_jacobian(name, family, X, build):
    params = fixed_point(build())
    step = em_map(family, X)
    expected = jacobian_eigenvalue(step, params)
    assert saddle.largest_growth(params, step, steps=100) == pytest.approx(expected, rel=1e-4)


def test_at_murrays_saddle_a_correlation_grows_by_16_15_per_iteration():
    """At the saddle (means 0, variances s = 5/2, correlation 0) the four complete points'
    cross products cancel, and each of the eight others adds ``E[x1 x2 | x] = 4 c / s``
    for a covariance ``c``: the next covariance is ``32 c / (12 s) = 16/15 c``."""
    params = fixed_point(murray_run(0.0))
    np.testing.assert_allclose(params.covariances[0], 5 / 2 * np.eye(2), atol=1e-5)
    growth = saddle.largest_growth(params, em_map(gaussian_missing, murray_points()))
    assert growth == pytest.approx(16 / 15, rel=1e-5)


def test_murray_from_correlation_zero_stops_on_the_saddle_and_says_so():
    em = murray_run(0.0)
    em.run(500)
    assert em.converged and em.at_saddle
    assert saddle.identical_groups(em.params) == ()  # one component: the new test alone
    np.testing.assert_allclose(em.covariances[0], 5 / 2 * np.eye(2), atol=1e-6)
    assert not any(record.saddle for record in em.history if not record.converged)
    # Exactly symmetric, EM never leaves: Run goes on until an iteration changes nothing.
    done = em.run(500, past_saddle=True)
    assert 0 < done < 100
    assert em.stuck and em.finished and em.at_saddle and em.covariances[0, 0, 1] == 0
    before = em.params
    em.step()
    assert all(np.array_equal(vars(em.params)[k], v) for k, v in vars(before).items())


def test_a_run_slowly_leaving_a_saddle_is_not_stuck():
    em = murray_run(0.05, tol=1e-4)
    em.run(500)
    assert em.at_saddle and not em.stuck and not em.finished


def test_murray_from_correlation_005_ends_at_the_maximum_unflagged():
    em = murray_run(0.05)
    em.run(500)
    assert em.finished and not em.at_saddle
    covariance = em.covariances[0]
    assert covariance[0, 1] / covariance[0, 0] == pytest.approx(0.5, abs=1e-4)


def test_a_coarse_tolerance_stopping_near_murrays_saddle_is_flagged_and_run_goes_on():
    em = murray_run(0.05, tol=1e-4)
    em.run(500)
    assert em.converged and em.at_saddle
    stopped = em.log_likelihood
    em.run(500, past_saddle=True)
    assert em.finished and em.log_likelihood > stopped + 0.02
    covariance = em.covariances[0]
    assert covariance[0, 1] / covariance[0, 0] > 0.4


def test_old_faithful_from_k_means_converges_unflagged():
    em = GaussianMixtureEM(old_faithful().X, 2, init="kmeans", random_state=0)
    em.run(500)
    assert em.finished and not em.at_saddle
    assert saddle.largest_growth(em.params, em_map(gaussian, old_faithful().X)) < 0.5


def test_a_slowly_converging_maximum_is_not_flagged():
    X = two_close_clusters()
    em = GaussianMixtureEM(X, 2, init="kmeans", random_state=0)
    em.run(500)
    assert em.finished and not em.at_saddle and em.n_iter < 50
    slow = GaussianMixtureEM(X, 2, init="kmeans", random_state=0, tol=1e-7)
    slow.run(2000)
    assert slow.finished and not slow.at_saddle and slow.n_iter > 300
    growth = saddle.largest_growth(slow.params, em_map(gaussian, X))
    assert 0.95 < growth < 1  # a maximum, left by perturbations very slowly


def test_the_random_responsibilities_saddle_is_flagged_by_both_tests():
    X = old_faithful().X
    em = GaussianMixtureEM(X, 2, init="random-responsibilities", random_state=0)
    em.run(500)
    assert em.converged and em.at_saddle and not em.finished
    assert saddle.identical_groups(em.params) == ((0, 1),)
    assert saddle.unstable(em.params, em_map(gaussian, X))


def test_the_check_is_asked_at_convergence_and_again_only_while_at_a_saddle(monkeypatch):
    asked = []
    unstable = saddle.unstable

    def counting(params, step):
        asked.append(params)
        return unstable(params, step)

    monkeypatch.setattr(saddle, "unstable", counting)
    em = GaussianMixtureEM(old_faithful().X, 2, init="kmeans", random_state=0)
    em.run(500)
    first = next(r for r in em.history if r.converged)
    for _ in range(3):
        em.step()
    assert [id(p) for p in asked] == [id(first.params)]
    del asked[:]
    em = murray_run(0.0)
    em.run(500)
    for _ in range(3):
        em.step()
    assert len(asked) == 4 and em.at_saddle


@pytest.mark.parametrize(("rho", "saddle_point"), [(0.0, True), (0.05, False)])
def test_the_incomplete_data_page_badges_murrays_saddle_as_a_saddle(rho, saddle_point):
    at = open_page(AppTest.from_file(APP, default_timeout=TIMEOUT).run(), "incomplete")
    murray(at, rho)
    assert not at.exception
    warned = [w.value for w in at.warning]
    converged = [s.value for s in at.success if s.value.startswith("Converged after")]
    # Exactly on the saddle, Run stops once an iteration changes nothing, and says so.
    assert (STUCK_BADGE in warned) == saddle_point
    assert SADDLE_BADGE not in warned
    assert bool(converged) != saddle_point
