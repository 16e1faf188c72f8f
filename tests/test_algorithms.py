"""The variants of EM on the one stepper: soft, hard, k-means and fixed-variance EM."""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.special import logsumexp
from scipy.stats import multivariate_normal
from sklearn.cluster import KMeans

from em_viz import ALGORITHMS, COVARIANCE_TYPES, INIT_METHODS, GaussianMixtureEM
from em_viz.engine.families import gaussian


def clusters(n_components: int, seed: int, n_samples: int = 300, spread: float = 1.5):
    """Points around ``n_components`` random centres in the square [-6, 6]^2."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-6, 6, size=(n_components, 2))
    return centres[rng.integers(n_components, size=n_samples)] + spread * rng.normal(
        size=(n_samples, 2)
    )


def separated(seed: int = 0) -> np.ndarray:
    """Three tight clusters far apart (every point far nearer one centre than another)."""
    rng = np.random.default_rng(seed)
    centres = np.array([(0.0, 0.0), (20.0, 0.0), (0.0, 20.0)])
    return np.vstack([c + rng.normal(size=(40, 2)) for c in centres])


def data_points(X: np.ndarray, n_components: int, seed: int) -> np.ndarray:
    """``n_components`` distinct rows of ``X``, drawn at random."""
    rng = np.random.default_rng(seed)
    return X[rng.choice(len(X), n_components, replace=False)]


def sklearn_kmeans(X: np.ndarray, centres: np.ndarray, max_iter: int) -> KMeans:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # empty or duplicate clusters warn
        return KMeans(
            n_clusters=len(centres),
            init=centres,
            n_init=1,
            max_iter=max_iter,
            algorithm="lloyd",
            tol=0,
        ).fit(X)


def assert_matches_sklearn_kmeans(X: np.ndarray, centres: np.ndarray, iterations: int) -> None:
    """After t = 1..iterations steps from ``centres``, the means, inertia and labels are
    scikit-learn's ``KMeans(max_iter=t)``'s."""
    em = GaussianMixtureEM(X, len(centres), algorithm="kmeans", means_init=centres, tol=0)
    for t in range(1, iterations + 1):
        em.step()
        model = sklearn_kmeans(X, centres, t)
        np.testing.assert_allclose(em.means, model.cluster_centers_, rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(-em.objective, model.inertia_, rtol=1e-10)
        em.e_step()  # the labels scikit-learn reports are those of its final centres
        np.testing.assert_array_equal(em.responsibilities.argmax(axis=1), model.labels_)


def reg_covar_slack(covariances: np.ndarray, reg_covar: float, n_samples: int) -> float:
    """How far below the exact maximiser of its objective an M-step that added
    ``reg_covar`` to these covariances can be.

    With scatter eigenvalues ``l`` (the covariance's less ``reg_covar``), each component
    loses ``n_k / 2 * sum_j [log(1 + r / l_j) - r / (l_j + r)]`` of Gaussian
    log-likelihood against ``r = 0``; for every covariance type the constrained
    maximiser plus ``r I`` has this form. Infinite for a collapsed component.
    """
    scatter = np.linalg.eigvalsh(covariances) - reg_covar
    if np.any(scatter <= 0):
        return np.inf
    loss = np.log1p(reg_covar / scatter) - reg_covar / (scatter + reg_covar)
    return n_samples / 2 * loss.sum(axis=1).max()


def snapshot(em: GaussianMixtureEM) -> tuple:
    resp = None if em.responsibilities is None else em.responsibilities.copy()
    return (
        em.phase,
        em.n_iter,
        em.log_likelihood,
        em.objective,
        em.weights,
        em.means,
        em.covariances,
        resp,
    )


def assert_same_state(a: tuple, b: tuple) -> None:
    assert a[:4] == b[:4]
    for x, y in zip(a[4:], b[4:], strict=True):
        assert (x is None and y is None) or np.array_equal(x, y)


# k-means against scikit-learn


@pytest.mark.parametrize("n_components", [2, 3, 5, 8])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kmeans_matches_sklearn_lloyd_step_for_step(n_components, seed):
    X = clusters(n_components, seed)
    assert_matches_sklearn_kmeans(X, data_points(X, n_components, seed + 100), 20)


@pytest.mark.parametrize("far", [[[100.0, 100.0]], [[100.0, 100.0], [-100.0, 50.0]]])
def test_kmeans_relocates_empty_clusters_as_sklearn_does(far):
    X = clusters(4, 0)
    centres = np.vstack([data_points(X, 4 - len(far), 0), far])
    assert_matches_sklearn_kmeans(X, centres, 10)
    em = GaussianMixtureEM(X, 4, algorithm="kmeans", means_init=centres)
    em.step()
    assert np.all(np.abs(em.means) < 20)  # the far centres moved to data points
    for mean in em.means[4 - len(far) :]:
        assert np.abs(X - mean).sum(axis=1).min() < 1e-12


def test_kmeans_cluster_left_empty_by_relocation_joins_the_largest_as_sklearn_does():
    # (10, 0) alone nearest (16, 0) is the farthest point from its centre, so it moves
    # to the empty cluster at (1000, 1000) and empties its own.
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(size=(50, 2)), [[10.0, 0.0]]])
    centres = np.array([[0.0, 0.0], [16.0, 0.0], [1000.0, 1000.0]])
    assert_matches_sklearn_kmeans(X, centres, 8)
    em = GaussianMixtureEM(X, 3, algorithm="kmeans", means_init=centres)
    em.step()
    np.testing.assert_array_equal(em.means[1], em.means[0])
    np.testing.assert_allclose(em.means[2], [10.0, 0.0], rtol=0, atol=1e-12)


def test_kmeans_converges_one_iteration_before_sklearn_notices():
    for seed in range(5):
        X = clusters(4, seed)
        centres = data_points(X, 4, seed)
        em = GaussianMixtureEM(X, 4, algorithm="kmeans", means_init=centres, tol=0)
        done = em.run(max_iter=300)
        assert em.converged
        model = sklearn_kmeans(X, centres, 300)
        assert done == em.n_iter == model.n_iter_ - 1
        means = em.means
        em.step()  # the assignments stayed, so the means do too
        np.testing.assert_array_equal(em.means, means)


def test_kmeans_is_the_equal_weight_shared_spherical_model():
    X = clusters(3, 4)
    reg_covar = 1e-6
    em = GaussianMixtureEM(X, 3, algorithm="kmeans", random_state=0, reg_covar=reg_covar)
    start = X.var(axis=0).mean() + reg_covar  # the whole data's variance per dimension
    np.testing.assert_allclose(em.covariances, np.tile(start * np.eye(2), (3, 1, 1)))
    for _ in range(4):
        em.step()
        labels = em.responsibilities.argmax(axis=1)  # the assignment this M-step used
        variance = ((X - em.means[labels]) ** 2).sum() / X.size + reg_covar
        np.testing.assert_allclose(em.covariances, np.tile(variance * np.eye(2), (3, 1, 1)))
        np.testing.assert_array_equal(em.weights, np.full(3, 1 / 3))
        densities = [
            multivariate_normal(m, c).logpdf(X)
            for m, c in zip(em.means, em.covariances, strict=True)
        ]
        expected = logsumexp(np.log(1 / 3) + np.column_stack(densities), axis=1).sum()
        assert em.log_likelihood == pytest.approx(expected, rel=1e-10)
        nearest = ((X[:, None, :] - em.means[None]) ** 2).sum(axis=2).min(axis=1)
        assert em.objective == pytest.approx(-nearest.sum(), rel=1e-10)


def test_kmeans_ignores_covariance_type_and_the_starting_weights_and_covariances():
    X = clusters(3, 5)
    base = GaussianMixtureEM(X, 3, algorithm="kmeans", random_state=1)
    other = GaussianMixtureEM(
        X,
        3,
        algorithm="kmeans",
        random_state=1,
        covariance_type="diag",
        weights_init=[0.2, 0.3, 0.5],
        covariances_init=np.tile(np.diag([1.0, 4.0]), (3, 1, 1)),
    )
    for _ in range(5):
        base.step()
        other.step()
    for a, b in zip(base.history, other.history, strict=True):
        np.testing.assert_array_equal(a.means, b.means)
        np.testing.assert_array_equal(a.covariances, b.covariances)
        np.testing.assert_array_equal(a.weights, b.weights)


# monotone objectives


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    algorithm=st.sampled_from(ALGORITHMS),
    n_samples=st.integers(8, 150),
    n_components=st.integers(1, 5),
    covariance_type=st.sampled_from(COVARIANCE_TYPES),
    init=st.sampled_from(INIT_METHODS),
    scale=st.floats(1e-3, 1e3),
    log_epsilon=st.floats(-3, 2),
)
def test_objective_never_worsens(
    seed, algorithm, n_samples, n_components, covariance_type, init, scale, log_epsilon
):
    """k-means (whose objective ignores reg_covar) and fixed-eps (an exact M-step for
    the means, the only free parameters) never lower their objective. Soft and hard EM
    never lower theirs by more than reg_covar costs the M-step: their covariance update
    is the exact maximiser only for reg_covar = 0 (and each E-step is exact), so an
    iteration can lose at most that M-step's ``reg_covar_slack``."""
    rng = np.random.default_rng(seed)
    n_components = min(n_components, n_samples)
    centres = rng.uniform(-5, 5, size=(n_components, 2))
    X = centres[rng.integers(n_components, size=n_samples)] + rng.normal(size=(n_samples, 2))
    X = scale * X @ rng.normal(size=(2, 2))
    em = GaussianMixtureEM(
        X,
        n_components,
        algorithm=algorithm,
        epsilon=10.0**log_epsilon * scale**2,
        covariance_type=covariance_type,
        init=init,
        random_state=seed,
        tol=0,
    )
    em.run(max_iter=25)
    values = np.array([r.objective for r in em.history])
    assert np.all(np.isfinite(values))
    assert np.all(np.isfinite([r.log_likelihood for r in em.history]))
    slack = np.zeros(len(values) - 1)
    if algorithm in ("soft", "hard"):
        slack = np.array(
            [
                reg_covar_slack(r.covariances, em.reg_covar, n_samples) if r.phase == "M" else 0
                for r in em.history[1:]
            ]
        )
    assert np.all(np.diff(values) >= -1e-9 * np.abs(values[1:]) - slack)


def test_hard_em_objective_can_rise_while_the_log_likelihood_falls():
    """Hard EM raises the complete-data log-likelihood, not the mixture's: the
    monotone test above checks the right quantity."""
    X = clusters(3, 1)
    em = GaussianMixtureEM(X, 3, algorithm="hard", init="random-points", random_state=1, tol=0)
    em.run(max_iter=30)
    objective = np.array([r.objective for r in em.history])
    log_likelihood = np.array([r.log_likelihood for r in em.history])
    assert np.all(np.diff(objective) >= -1e-9 * np.abs(objective[1:]))
    assert not any(r.warnings for r in em.history)
    assert np.any(np.diff(log_likelihood) < -0.1)
    assert np.all(objective <= log_likelihood)  # max_k p(x, k) <= sum_k p(x, k)


# hard responsibilities


@pytest.mark.parametrize("algorithm", ["hard", "kmeans"])
def test_hard_responsibilities_are_one_hot_at_the_most_probable_component(algorithm):
    X = clusters(4, 6)
    em = GaussianMixtureEM(X, 4, algorithm=algorithm, random_state=6)
    em.run(max_iter=6)
    for index, record in enumerate(em.history):
        if record.phase != "E":
            continue
        resp = em.responsibilities_at(index)
        assert set(np.unique(resp)) <= {0.0, 1.0}
        np.testing.assert_array_equal(resp.sum(axis=1), 1.0)
        expected = gaussian.log_prob(X, record.params).argmax(axis=1)
        np.testing.assert_array_equal(resp.argmax(axis=1), expected)


def test_hard_ties_go_to_the_lowest_index():
    X = clusters(2, 7)
    em = GaussianMixtureEM(X, 3, algorithm="hard", means_init=[[1.0, 1.0], [0.0, 0.0], [0.0, 0.0]])
    em.e_step()
    labels = em.responsibilities.argmax(axis=1)
    assert 1 in labels
    assert 2 not in labels  # every point nearer (0, 0) goes to component 1, not 2


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_hard_em_m_step_is_the_soft_m_step_of_the_hard_responsibilities(covariance_type):
    X = clusters(3, 8)
    em = GaussianMixtureEM(
        X, 3, algorithm="hard", covariance_type=covariance_type, random_state=8, reg_covar=1e-5
    )
    for _ in range(4):
        previous = em.params
        em.e_step()
        expected = gaussian.estimate(
            X,
            em.responsibilities,
            covariance_type=covariance_type,
            reg_covar=1e-5,
            previous=previous,
        )
        em.m_step()
        np.testing.assert_allclose(em.means, expected.means, rtol=1e-12)
        np.testing.assert_allclose(em.covariances, expected.covariances, rtol=1e-12)
        np.testing.assert_allclose(em.weights, expected.weights, rtol=1e-12)


def test_hard_objective_is_the_complete_data_log_likelihood():
    X = clusters(3, 9)
    em = GaussianMixtureEM(X, 3, algorithm="hard", random_state=9)
    em.run(max_iter=5)
    for record in em.history:
        joint = np.column_stack(
            [
                np.log(w) + multivariate_normal(m, c).logpdf(X)
                for w, m, c in zip(record.weights, record.means, record.covariances, strict=True)
            ]
        )
        assert record.objective == pytest.approx(joint.max(axis=1).sum(), rel=1e-10)
        assert record.log_likelihood == pytest.approx(logsumexp(joint, axis=1).sum(), rel=1e-10)


def test_hard_em_converges_when_the_assignments_stop_changing():
    X = clusters(3, 10)
    em = GaussianMixtureEM(X, 3, algorithm="hard", random_state=10, tol=0)
    done = em.run(max_iter=200)
    assert em.converged and done < 200
    params = em.params
    em.step()  # the same assignments give the same parameters
    assert em.params is not params
    np.testing.assert_array_equal(em.means, params.means)
    np.testing.assert_array_equal(em.covariances, params.covariances)
    np.testing.assert_array_equal(em.weights, params.weights)
    em.back()
    em.back()
    em.back()  # before the last completed iteration: not settled yet
    assert not em.converged


def test_converged_is_kept_in_the_records_and_reading_it_evaluates_nothing():
    X = clusters(3, 10)
    em = GaussianMixtureEM(X, 3, algorithm="hard", random_state=10, tol=0)
    em.run(max_iter=200)
    calls = []
    log_prob = em._log_prob
    em._log_prob = lambda *args: calls.append(1) or log_prob(*args)
    em.e_step()  # an E-step carries its M-step's decision
    assert em.converged and em.history[-1].converged and em.history[-2].converged
    assert not any(record.converged for record in em.history[:-2])
    assert calls == []
    em.back()
    em.back()
    assert not em.converged and em.converged == em.history[-1].converged


# fixed-eps


def test_fixed_eps_moves_only_the_means_to_the_weighted_means():
    X = clusters(3, 11)
    em = GaussianMixtureEM(X, 3, algorithm="fixed-eps", epsilon=2.0, random_state=11)
    for _ in range(5):
        em.e_step()
        resp = em.responsibilities
        em.m_step()
        np.testing.assert_array_equal(em.weights, np.full(3, 1 / 3))
        np.testing.assert_array_equal(em.covariances, np.tile(2.0 * np.eye(2), (3, 1, 1)))
        expected = resp.T @ X / resp.sum(axis=0)[:, None]
        np.testing.assert_allclose(em.means, expected, rtol=1e-10)
        assert em.objective == em.log_likelihood
        densities = [multivariate_normal(m, 2.0 * np.eye(2)).logpdf(X) for m in em.means]
        expected_ll = logsumexp(np.log(1 / 3) + np.column_stack(densities), axis=1).sum()
        assert em.log_likelihood == pytest.approx(expected_ll, rel=1e-10)


def test_fixed_eps_with_tiny_epsilon_steps_as_kmeans():
    X = separated()
    centres = data_points(X, 3, 1)
    kmeans = GaussianMixtureEM(X, 3, algorithm="kmeans", means_init=centres)
    fixed = GaussianMixtureEM(X, 3, algorithm="fixed-eps", epsilon=1e-6, means_init=centres)
    for _ in range(10):
        kmeans.step()
        fixed.step()
        np.testing.assert_array_equal(fixed.responsibilities, kmeans.responsibilities)
        np.testing.assert_allclose(fixed.means, kmeans.means, rtol=1e-14)


def test_fixed_eps_responsibilities_harden_as_epsilon_shrinks():
    X = clusters(3, 12, spread=1.0)
    centres = data_points(X, 3, 12)
    kmeans = GaussianMixtureEM(X, 3, algorithm="kmeans", means_init=centres)
    for _ in range(10):
        kmeans.step()
    softness, distance = [], []
    for epsilon in (4.0, 1.0, 0.25, 0.05, 0.01, 1e-6):
        em = GaussianMixtureEM(X, 3, algorithm="fixed-eps", epsilon=epsilon, means_init=centres)
        em.e_step()  # from the same means: the mean share of the points' other components
        softness.append(1 - em.responsibilities.max(axis=1).mean())
        for _ in range(10):
            em.step()
        distance.append(np.abs(em.means - kmeans.means).max())
    assert np.all(np.diff(softness) < 0)
    assert softness[0] > 0.1  # soft: many points shared between components
    assert softness[-1] == 0.0
    assert distance[0] > 0.1 and distance[-1] < 1e-12


# every algorithm: history, undo, soft unchanged


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_back_undoes_every_half_step_exactly(algorithm):
    X = clusters(3, 13)
    em = GaussianMixtureEM(
        X, 3, algorithm=algorithm, init="random-responsibilities", random_state=1
    )
    states = [snapshot(em)]
    for _ in range(4):
        em.e_step()
        states.append(snapshot(em))
        em.m_step()
        states.append(snapshot(em))
    for expected in reversed(states[:-1]):
        assert em.back()
        assert_same_state(expected, snapshot(em))
    assert not em.back()


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_reset_replays_and_past_responsibilities_are_recomputed(algorithm):
    X = clusters(3, 14)
    em = GaussianMixtureEM(X, 3, algorithm=algorithm, random_state=14)
    shown = [em.responsibilities]
    for _ in range(4):
        em.e_step()
        shown.append(em.responsibilities.copy())
        em.m_step()
        shown.append(em.responsibilities.copy())
    end = snapshot(em)
    for index, expected in enumerate(shown):
        actual = em.responsibilities_at(index)
        assert (actual is None) == (expected is None)
        if expected is not None:
            np.testing.assert_array_equal(actual, expected)
    em.reset()
    assert len(em.history) == 1 and em.responsibilities is None
    em.run(max_iter=4)
    assert_same_state(end, snapshot(em))


@pytest.mark.parametrize(
    ("algorithm", "name"),
    [
        ("soft", "log-likelihood"),
        ("hard", "complete-data log-likelihood"),
        ("kmeans", "negative sum of squared distances"),
        ("fixed-eps", "log-likelihood"),
    ],
)
def test_each_algorithm_names_its_objective(algorithm, name):
    em = GaussianMixtureEM(clusters(2, 15), 2, algorithm=algorithm, random_state=0)
    assert (em.algorithm, em.objective_name) == (algorithm, name)
    em.step()
    assert em.history[-1].objective == em.objective


def test_soft_is_the_default_and_its_objective_is_the_log_likelihood():
    X = clusters(3, 16)
    default = GaussianMixtureEM(X, 3, random_state=16)
    soft = GaussianMixtureEM(X, 3, random_state=16, algorithm="soft", epsilon=123.0)
    default.run(max_iter=8)
    soft.run(max_iter=8)
    assert default.algorithm == "soft"
    for a, b in zip(default.history, soft.history, strict=True):
        assert a.objective == a.log_likelihood == b.log_likelihood
        np.testing.assert_array_equal(a.means, b.means)
        np.testing.assert_array_equal(a.covariances, b.covariances)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"algorithm": "magic"}, "Unknown algorithm 'magic'; choose one of soft, hard"),
        ({"algorithm": "Soft"}, "algorithm"),
        ({"algorithm": None}, "algorithm"),
        ({"epsilon": 0.0}, "epsilon must be a positive number"),
        ({"epsilon": -1.0}, "epsilon must be a positive number"),
        ({"epsilon": float("nan")}, "epsilon"),
        ({"epsilon": float("inf")}, "epsilon"),
        ({"epsilon": "1"}, "epsilon"),
        pytest.param(
            {"algorithm": "fixed-eps", "epsilon": 1e-320},
            "epsilon=.* too small",
            marks=pytest.mark.filterwarnings("ignore::RuntimeWarning"),  # the underflow
        ),
    ],
)
def test_bad_algorithm_settings_raise_a_plain_value_error(kwargs, words):
    with pytest.raises(ValueError, match=words):
        GaussianMixtureEM(clusters(3, 17), 3, **kwargs)
