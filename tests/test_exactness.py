"""The stepper against scikit-learn's GaussianMixture, started from the same parameters."""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.mixture import GaussianMixture

from em_viz import COVARIANCE_TYPES, INIT_METHODS, GaussianMixtureEM
from em_viz.data import old_faithful, three_gaussians


def sklearn_from(em: GaussianMixtureEM, max_iter: int, tol: float = 0) -> GaussianMixture:
    """scikit-learn's GaussianMixture fitted from em's start (``max_iter`` iterations when
    ``tol`` is 0)."""
    precisions = np.linalg.inv(em.history[0].covariances)
    precisions_init = {
        "full": precisions,
        "tied": precisions[0],
        "diag": np.diagonal(precisions, axis1=1, axis2=2),
        "spherical": precisions[:, 0, 0],
    }[em.covariance_type]
    model = GaussianMixture(
        em.n_components,
        covariance_type=em.covariance_type,
        weights_init=em.history[0].weights,
        means_init=em.history[0].means,
        precisions_init=precisions_init,
        reg_covar=em.reg_covar,
        max_iter=max_iter,
        tol=tol,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(em.X)


def full_matrices(model: GaussianMixture) -> np.ndarray:
    """scikit-learn's covariances as (K, D, D) full matrices."""
    n_components, n_features = model.means_.shape
    covariances = model.covariances_
    if model.covariance_type == "tied":
        return np.broadcast_to(covariances, (n_components, n_features, n_features))
    if model.covariance_type == "diag":
        return covariances[:, :, None] * np.eye(n_features)
    if model.covariance_type == "spherical":
        return covariances[:, None, None] * np.eye(n_features)
    return covariances


def assert_same_as_sklearn(em: GaussianMixtureEM, model: GaussianMixture) -> None:
    np.testing.assert_allclose(em.weights, model.weights_, rtol=1e-8, atol=1e-14)
    np.testing.assert_allclose(em.means, model.means_, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(em.covariances, full_matrices(model), rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(
        em.log_likelihood, model.score(em.X) * len(em.X), rtol=1e-10, atol=0
    )


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("dataset", ["three_gaussians", "old_faithful"])
def test_matches_sklearn_step_for_step(covariance_type, dataset):
    X = {"three_gaussians": three_gaussians, "old_faithful": old_faithful}[dataset]().X
    em = GaussianMixtureEM(
        X, 3, covariance_type=covariance_type, init="random-points", random_state=3
    )
    for t in (1, 2, 3, 10, 25, 50):
        while em.n_iter < t:
            em.step()
        assert_same_as_sklearn(em, sklearn_from(em, t))


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_matches_sklearn_in_higher_dimensions(covariance_type):
    rng = np.random.default_rng(7)
    X = rng.normal(size=(200, 4)) @ rng.normal(size=(4, 4)) + rng.integers(0, 3, (200, 1)) * 4
    em = GaussianMixtureEM(X, 4, covariance_type=covariance_type, init="kmeans", random_state=0)
    for _ in range(20):
        em.step()
    assert_same_as_sklearn(em, sklearn_from(em, 20))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n_components=st.integers(1, 4),
    covariance_type=st.sampled_from(COVARIANCE_TYPES),
    init=st.sampled_from(INIT_METHODS),
    iterations=st.integers(1, 15),
)
def test_matches_sklearn_on_random_problems(seed, n_components, covariance_type, init, iterations):
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-5, 5, size=(n_components, 2))
    X = centres[rng.integers(n_components, size=150)] + rng.normal(size=(150, 2))
    em = GaussianMixtureEM(
        X, n_components, covariance_type=covariance_type, init=init, random_state=seed
    )
    for _ in range(iterations):
        em.step()
    assert_same_as_sklearn(em, sklearn_from(em, iterations))


def test_convergence_is_sklearns_gain_one_e_step_sooner():
    X = old_faithful().X
    em = GaussianMixtureEM(X, 2, init="random-points", random_state=0, tol=1e-6)
    done = em.run(max_iter=500)
    assert em.converged
    assert done == em.n_iter
    model = sklearn_from(em, 500, tol=1e-6)
    assert model.converged_
    assert model.n_iter_ == em.n_iter + 1
