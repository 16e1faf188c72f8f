"""The lower bound: log p(X) = L(q, theta) + KL(q || posterior) at every half-step of every
algorithm, the E-step closing the gap and the M-step raising the bound."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import multivariate_normal
from test_algorithms import reg_covar_slack

from em_viz import ALGORITHMS, COVARIANCE_TYPES, GaussianMixtureEM
from em_viz.engine.bound import (
    elbo,
    entropy,
    expected_complete_log_likelihood,
    kl_divergence,
    log_likelihood,
)
from em_viz.engine.families import gaussian


def random_run(seed: int, n_components: int, algorithm: str, covariance_type: str):
    """A stepper on random clusters, run 12 iterations."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-5, 5, size=(n_components, 2))
    X = centres[rng.integers(n_components, size=120)] + rng.normal(size=(120, 2))
    em = GaussianMixtureEM(
        X,
        n_components,
        algorithm=algorithm,
        covariance_type=covariance_type,
        random_state=seed,
        tol=0,
    )
    em.run(max_iter=12)
    return em


runs = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])(
    given(
        seed=st.integers(0, 10_000),
        n_components=st.integers(1, 5),
        algorithm=st.sampled_from(ALGORITHMS),
        covariance_type=st.sampled_from(COVARIANCE_TYPES),
    )
)


@runs
def test_log_likelihood_is_the_bound_plus_the_gap_at_every_half_step(
    seed, n_components, algorithm, covariance_type
):
    em = random_run(seed, n_components, algorithm, covariance_type)
    assert em.history[0].elbo is None and em.history[0].kl is None
    for index, record in enumerate(em.history[1:], start=1):
        scale = abs(record.log_likelihood)
        assert record.log_likelihood == pytest.approx(record.elbo + record.kl, rel=1e-9)
        assert record.kl >= -1e-9 * scale
        # the stepper's short cut (no logarithms) against the definitions
        q = em.responsibilities_at(index)
        log_prob = gaussian.log_prob(em.X, record.params)
        assert record.elbo == pytest.approx(elbo(log_prob, q), rel=1e-9, abs=1e-9)
        assert record.kl == pytest.approx(kl_divergence(log_prob, q), abs=1e-9 * scale)
    assert em.elbo == em.history[-1].elbo and em.kl == em.history[-1].kl


@runs
def test_a_soft_e_step_closes_the_gap_and_a_hard_one_leaves_it_open(
    seed, n_components, algorithm, covariance_type
):
    em = random_run(seed, n_components, algorithm, covariance_type)
    for record in em.history:
        if record.phase == "E":
            if algorithm in ("soft", "fixed-eps"):
                assert abs(record.kl) <= 1e-12 * abs(record.log_likelihood)
            else:  # the bound of a 0/1 q is the complete-data log-likelihood
                assert record.kl >= -1e-12 * abs(record.log_likelihood)
                if algorithm == "hard":
                    assert record.elbo == pytest.approx(record.objective, rel=1e-12)


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_components=st.integers(1, 5),
    covariance_type=st.sampled_from(COVARIANCE_TYPES),
)
def test_the_m_step_never_lowers_the_bound(seed, n_components, covariance_type):
    """The M-step maximises L(q, .) exactly but for reg_covar, which can cost at most
    ``reg_covar_slack`` (see tests/test_algorithms.py)."""
    em = random_run(seed, n_components, "soft", covariance_type)
    for before, after in zip(em.history[1:], em.history[2:], strict=False):
        if after.phase == "M":
            slack = reg_covar_slack(after.covariances, em.reg_covar, len(em.X))
            assert after.elbo >= before.elbo - 1e-9 * abs(before.elbo) - slack
            assert after.log_likelihood - before.log_likelihood >= (
                after.elbo - before.elbo - 1e-9 * abs(before.elbo)
            )


def test_the_bound_by_brute_force_on_a_tiny_example():
    """Three points, two components: the bound written out term by term with SciPy's
    densities, for a q that is not the posterior (and holds a zero)."""
    X = np.array([[0.0, 0.0], [1.0, 2.0], [3.0, -1.0]])
    params = gaussian.GaussianParams(
        weights=np.array([0.3, 0.7]),
        means=np.array([[0.0, 1.0], [2.0, 0.0]]),
        covariances=np.array([[[1.0, 0.3], [0.3, 2.0]], [[0.5, 0.0], [0.0, 1.5]]]),
    )
    q = np.array([[1.0, 0.0], [0.25, 0.75], [0.5, 0.5]])
    joint = np.array(
        [
            [
                w * multivariate_normal(m, c).pdf(x)
                for w, m, c in zip(*vars(params).values(), strict=True)
            ]
            for x in X
        ]
    )
    expected = sum(q[i, k] * np.log(joint[i, k]) for i in range(3) for k in range(2) if q[i, k])
    h = -sum(q[i, k] * np.log(q[i, k]) for i in range(3) for k in range(2) if q[i, k])
    ll = sum(np.log(joint[i].sum()) for i in range(3))
    posterior = joint / joint.sum(axis=1, keepdims=True)
    kl = sum(
        q[i, k] * np.log(q[i, k] / posterior[i, k]) for i in range(3) for k in range(2) if q[i, k]
    )
    log_prob = gaussian.log_prob(X, params)
    assert expected_complete_log_likelihood(log_prob, q) == pytest.approx(expected, rel=1e-12)
    assert entropy(q) == pytest.approx(h, rel=1e-12)
    assert elbo(log_prob, q) == pytest.approx(expected + h, rel=1e-12)
    assert log_likelihood(log_prob) == pytest.approx(ll, rel=1e-12)
    assert kl_divergence(log_prob, q) == pytest.approx(kl, rel=1e-9)
    assert kl > 0
    assert kl_divergence(log_prob, posterior) == pytest.approx(0, abs=1e-12)


def test_entropy_of_a_zero_one_assignment_is_zero_and_of_uniform_is_n_log_k():
    assert entropy(np.eye(3)[[0, 2, 1, 1]]) == 0
    assert entropy(np.full((5, 4), 0.25)) == pytest.approx(5 * np.log(4))


def test_back_and_forth_give_the_same_bounds_bit_for_bit():
    em = random_run(3, 3, "soft", "full")
    records = list(em.history)
    for _ in range(5):
        em.back()
    em.run(max_iter=12 - em.n_iter)
    em.e_step()
    em.back()
    assert [(r.elbo, r.kl) for r in em.history] == [(r.elbo, r.kl) for r in records]


def test_after_a_hard_e_step_the_gap_is_what_the_assignment_ignores():
    """KL(0/1 q || posterior) = -sum_i log p(z_i = assigned | x_i): positive as soon as
    one point is not certain."""
    em = random_run(1, 3, "hard", "full")
    em.e_step()
    log_prob = gaussian.log_prob(em.X, em.params)
    log_posterior = log_prob - np.logaddexp.reduce(log_prob, axis=1, keepdims=True)
    assert em.kl == pytest.approx(-log_posterior.max(axis=1).sum(), rel=1e-9)
    assert em.kl > 1e-3
