"""The Gaussian mixture on data with missing entries: every step against the formulas
written out per point, the observed-data log-likelihood never lower, the imputed values,
the refusals, and Murray's twelve points (two maxima and a saddle point)."""

import numpy as np
import pytest
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

from em_viz import COVARIANCE_TYPES, GaussianMixtureEM


def incomplete_clusters(
    n_samples: int, n_features: int, seed: int, share: float = 0.25
) -> np.ndarray:
    """Points from three Gaussians with about ``share`` of the entries hidden at random,
    never a whole row."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-4, 4, size=(3, n_features))
    X = centres[rng.integers(3, size=n_samples)] + rng.normal(size=(n_samples, n_features))
    hidden = rng.random(X.shape) < share
    hidden[hidden.all(axis=1), rng.integers(n_features)] = False
    X[hidden] = np.nan
    return X


def reference_step(X, weights, means, covariances, covariance_type, reg_covar):
    """One EM iteration for a Gaussian mixture with missing entries, point by point.

    Returns the observed-data log-likelihood at the given parameters and the next
    parameters (weights, means, covariances).
    """
    n_samples, n_features = X.shape
    n_components = len(weights)
    log_p = np.empty((n_samples, n_components))
    completed = np.empty((n_samples, n_components, n_features))
    spread = np.zeros((n_samples, n_components, n_features, n_features))
    for i in range(n_samples):
        o = ~np.isnan(X[i])
        m = ~o
        for k in range(n_components):
            mu, sigma = means[k], covariances[k]
            s_oo = sigma[np.ix_(o, o)]
            log_p[i, k] = np.log(weights[k]) + multivariate_normal.logpdf(X[i, o], mu[o], s_oo)
            gain = sigma[np.ix_(m, o)] @ np.linalg.inv(s_oo)
            x = X[i].copy()
            x[m] = mu[m] + gain @ (X[i, o] - mu[o])
            completed[i, k] = x
            spread[i, k][np.ix_(m, m)] = sigma[np.ix_(m, m)] - gain @ sigma[np.ix_(o, m)]
    log_norm = logsumexp(log_p, axis=1)
    resp = np.exp(log_p - log_norm[:, None])
    nk = resp.sum(axis=0)
    new_means = np.empty((n_components, n_features))
    new_covariances = np.empty((n_components, n_features, n_features))
    for k in range(n_components):
        new_means[k] = resp[:, k] @ completed[:, k] / nk[k]
        scatter = np.zeros((n_features, n_features))
        for i in range(n_samples):
            gap = completed[i, k] - new_means[k]
            scatter += resp[i, k] * (np.outer(gap, gap) + spread[i, k])
        new_covariances[k] = scatter / nk[k]
    if covariance_type == "diag":
        new_covariances = new_covariances * np.eye(n_features)
    elif covariance_type == "tied":
        shared = np.einsum("k,kij->ij", nk, new_covariances) / n_samples
        new_covariances = np.array([shared] * n_components)
    elif covariance_type == "spherical":
        variances = np.trace(new_covariances, axis1=1, axis2=2) / n_features
        new_covariances = variances[:, None, None] * np.eye(n_features)
    new_covariances = new_covariances + reg_covar * np.eye(n_features)
    return log_norm.sum(), (nk / n_samples, new_means, new_covariances)


@pytest.mark.parametrize("n_features", [2, 3])
@pytest.mark.parametrize("n_components", [1, 2, 3])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_every_step_matches_the_formulas_point_by_point(n_features, n_components, covariance_type):
    X = incomplete_clusters(30, n_features, seed=n_features * 10 + n_components)
    em = GaussianMixtureEM(
        X,
        n_components,
        covariance_type=covariance_type,
        init="random-responsibilities" if n_components > 1 else "kmeans",
        random_state=2,
        missing="em",
        reg_covar=1e-3,
    )
    for _ in range(4):
        before = em.params
        log_likelihood, expected = reference_step(
            X, before.weights, before.means, before.covariances, covariance_type, 1e-3
        )
        assert em.log_likelihood == pytest.approx(log_likelihood, rel=1e-10)
        em.step()
        for ours, theirs in zip((em.weights, em.means, em.covariances), expected, strict=True):
            np.testing.assert_allclose(ours, theirs, rtol=1e-8, atol=1e-10)
