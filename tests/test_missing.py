"""The Gaussian mixture on data with missing entries: every step against the formulas
written out per point, the observed-data log-likelihood never lower, the imputed values,
the refusals, and Murray's twelve points (two maxima and a saddle point)."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.special import logsumexp
from scipy.stats import multivariate_normal
from test_algorithms import reg_covar_slack

from em_viz import COVARIANCE_TYPES, INIT_METHODS, GaussianMixtureEM, GaussianSettings
from em_viz.data.incomplete import murray, murray_points
from em_viz.engine.profile import correlation_profile
from em_viz.engine.validation import DataError, SettingsError


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


def test_imputed_is_the_mixtures_conditional_mean_and_keeps_every_observed_entry():
    X = incomplete_clusters(40, 3, seed=5, share=0.3)
    em = GaussianMixtureEM(X, 2, init="kmeans", random_state=0, missing="em")
    em.step()
    em.e_step()
    params, resp = em.params, em.responsibilities
    expected = X.copy()
    expected_std = np.zeros_like(X)
    for i in range(len(X)):
        o = ~np.isnan(X[i])
        m = ~o
        means, variances = [], []
        for k in range(2):
            mu, sigma = params.means[k], params.covariances[k]
            gain = sigma[np.ix_(m, o)] @ np.linalg.inv(sigma[np.ix_(o, o)])
            means.append(mu[m] + gain @ (X[i, o] - mu[o]))
            variances.append(np.diag(sigma[np.ix_(m, m)] - gain @ sigma[np.ix_(o, m)]))
        mean = resp[i] @ np.array(means)
        second = resp[i] @ (np.array(variances) + np.array(means) ** 2)
        expected[i, m] = mean
        expected_std[i, m] = np.sqrt(second - mean**2)
    observed = ~np.isnan(X)
    np.testing.assert_array_equal(em.imputed[observed], X[observed])
    np.testing.assert_array_equal(em.missing_mask, ~observed)
    np.testing.assert_allclose(em.imputed, expected, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(em.imputed_std, expected_std, rtol=1e-7, atol=1e-12)
    assert np.all(em.imputed_std[~observed] > 0)


def test_imputed_comes_from_the_latest_e_step_and_follows_the_history():
    X = incomplete_clusters(60, 2, seed=1)
    em = GaussianMixtureEM(X, 2, init="random-points", random_state=0, missing="em")
    at_start = em.imputed
    em.e_step()
    np.testing.assert_array_equal(em.imputed, at_start)  # the first E-step's, as promised
    em.m_step()
    np.testing.assert_array_equal(em.imputed, at_start)  # no E-step since
    em.e_step()
    moved = em.imputed
    assert not np.allclose(moved, at_start)
    np.testing.assert_array_equal(em.imputed_at(1)[0], at_start)
    em.back()
    np.testing.assert_array_equal(em.imputed, at_start)
    em.e_step()
    np.testing.assert_array_equal(em.imputed, moved)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n_samples=st.integers(12, 80),
    n_features=st.integers(2, 4),
    n_components=st.integers(1, 4),
    covariance_type=st.sampled_from(COVARIANCE_TYPES),
    init=st.sampled_from(INIT_METHODS),
    share=st.floats(0.05, 0.5),
)
def test_the_observed_data_log_likelihood_never_decreases(
    seed, n_samples, n_features, n_components, covariance_type, init, share
):
    """As for complete data, an iteration may lose at most what reg_covar costs the
    M-step (the M-step maximises the expected complete-data log-likelihood, whose gain
    bounds the observed data's from below)."""
    X = incomplete_clusters(n_samples, n_features, seed, share)
    em = GaussianMixtureEM(
        X,
        n_components,
        covariance_type=covariance_type,
        init=init,
        random_state=seed,
        tol=0,
        missing="em",
    )
    em.run(max_iter=20)
    values = np.array([r.log_likelihood for r in em.history])
    assert np.all(np.isfinite(values))
    slack = [
        reg_covar_slack(r.covariances, em.reg_covar, n_samples) if r.phase == "M" else 0
        for r in em.history[1:]
    ]
    assert np.all(np.diff(values) >= -1e-9 * np.abs(values[1:]) - np.array(slack))
    elbo = np.array([r.elbo for r in em.history[1:]])
    assert np.all(elbo <= values[1:] + 1e-9 * np.abs(values[1:]))


def test_without_nan_missing_em_is_exactly_the_complete_data_run():
    X = incomplete_clusters(80, 2, seed=3, share=0)
    assert not np.isnan(X).any()
    runs = [GaussianMixtureEM(X, 3, random_state=4, missing=m, tol=0) for m in ("refuse", "em")]
    for em in runs:
        em.run(max_iter=10)
    for a, b in zip(*(em.history for em in runs), strict=True):
        assert a.log_likelihood == b.log_likelihood
        for name in ("weights", "means", "covariances"):
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    np.testing.assert_array_equal(runs[1].imputed, X)
    np.testing.assert_array_equal(runs[1].imputed_std, np.zeros_like(X))


def test_settings_build_a_run_with_missing_entries():
    X = murray_points()
    em = GaussianSettings(n_components=1, missing="em").build(X)
    assert em.missing == "em"
    assert np.isfinite(em.log_likelihood)


@pytest.mark.parametrize(
    ("X", "kwargs", "error", "words"),
    [
        ([[1.0, 2.0], [np.nan, 1.0], [3.0, 0.0]], {}, SettingsError, 'missing="em"'),
        ([[1.0, np.inf], [2.0, 1.0], [3.0, 0.0]], {"missing": "em"}, SettingsError, "infinite"),
        (
            [[1.0, 2.0], [np.nan, np.nan], [3.0, 0.0]],
            {"missing": "em"},
            DataError,
            "every entry missing (e.g. rows 1), so they say nothing about the data; remove those"
            " rows",
        ),
        (
            [[1.0, np.nan], [2.0, np.nan], [3.0, np.nan]],
            {"missing": "em"},
            DataError,
            "Column(s) 1 have no observed value",
        ),
        (
            [[1.0, 2.0], [np.nan, 1.0], [3.0, 0.0]],
            {"missing": "em", "algorithm": "hard"},
            SettingsError,
            'choose algorithm="soft"',
        ),
        ([[1.0, 2.0], [2.0, 1.0]], {"missing": "yes"}, SettingsError, "Unknown missing 'yes'"),
    ],
)
def test_data_it_cannot_fit_is_refused_in_words(X, kwargs, error, words):
    with pytest.raises(error) as raised:
        GaussianMixtureEM(X, 1, **kwargs)
    assert words in str(raised.value)


def test_the_saddle_check_works_with_missing_entries():
    """Random responsibilities put both components on top of one another, with missing
    entries as without."""
    X = incomplete_clusters(100, 2, seed=7)
    em = GaussianMixtureEM(X, 2, init="random-responsibilities", random_state=0, missing="em")
    assert em.at_saddle
    assert "nearly identical" in em.warnings[0]
    em.run(max_iter=200, past_saddle=True)
    assert em.finished


# Murray's twelve points


def murray_run(correlation: float, iterations: int) -> GaussianMixtureEM:
    """One full-covariance Gaussian on Murray's points, started at the means 0,
    variances 1 and 4 and the given correlation."""
    covariance = 2 * correlation
    em = GaussianMixtureEM(
        murray_points(),
        1,
        means_init=[[0.0, 0.0]],
        covariances_init=[[[1.0, covariance], [covariance, 4.0]]],
        reg_covar=1e-12,
        tol=0,
        missing="em",
    )
    em.run(max_iter=iterations)
    return em


def test_murray_from_correlation_zero_em_stays_on_the_saddle_point():
    em = murray_run(0.0, 40)
    assert all(r.covariances[0, 0, 1] == 0 for r in em.history)
    np.testing.assert_allclose(em.covariances[0], 5 / 2 * np.eye(2), rtol=1e-10)
    np.testing.assert_allclose(em.means, 0, atol=1e-12)
    assert em.log_likelihood == pytest.approx(profile_of_murray(0.0), rel=1e-12)


@pytest.mark.parametrize("correlation", [0.01, 0.9, -0.01, -0.9])
def test_murray_from_any_other_correlation_em_climbs_to_the_maximum_of_its_sign(correlation):
    em = murray_run(correlation, 250)
    sign = np.sign(correlation)
    expected = 8 / 3 * np.array([[1, sign / 2], [sign / 2, 1]])
    np.testing.assert_allclose(em.covariances[0], expected, rtol=1e-9)
    np.testing.assert_allclose(em.means, 0, atol=1e-12)
    assert em.log_likelihood == pytest.approx(profile_of_murray(0.5), rel=1e-12)
    assert em.log_likelihood > profile_of_murray(0.0) + 0.05


def profile_of_murray(rho: np.ndarray) -> np.ndarray:
    """Murray's profile in closed form: by symmetry the means are 0 and the variances
    equal; four complete points (sum of squares 2 each, cross products summing to 0) and
    eight with one coordinate of square 4 give
    ``L = -8 log 2 pi - 8 log s - 2 log(1 - rho^2) - 4 / (s (1 - rho^2)) - 16 / s``,
    largest at ``s = 2 + 1 / (2 (1 - rho^2))``."""
    s = 2 + 1 / (2 * (1 - rho**2))
    return (
        -8 * np.log(2 * np.pi)
        - 8 * np.log(s)
        - 2 * np.log(1 - rho**2)
        - 4 / (s * (1 - rho**2))
        - 16 / s
    )


def test_murrays_profile_log_likelihood_has_maxima_at_one_half_and_a_dip_at_zero():
    rho = np.arange(-18, 19) / 20
    profile = correlation_profile(murray().X, rho)
    np.testing.assert_allclose(profile, profile_of_murray(rho), rtol=1e-9)
    assert set(rho[[profile[:18].argmax(), 18 + profile[18:].argmax()]]) == {-0.5, 0.5}
    assert profile[18] == profile[10:27].min()


def test_em_climbs_below_the_profile_and_reaches_it_at_its_limits():
    for start in (0.0, 0.2):
        em = murray_run(start, 200)
        records = em.history[::2]
        rho = np.array([r.covariances[0, 0, 1] for r in records]) / np.sqrt(
            [r.covariances[0, 0, 0] * r.covariances[0, 1, 1] for r in records]
        )
        below = np.array([r.log_likelihood for r in records]) - correlation_profile(
            murray_points(), rho
        )
        assert np.all(below <= 1e-9)
        assert below[-1] == pytest.approx(0, abs=1e-9)
        assert below[0] < -0.1


@pytest.mark.parametrize(
    ("X", "rho", "words"),
    [(np.zeros((3, 3)), [0.0], "two columns"), (murray_points(), [1.0], "strictly between")],
)
def test_the_profile_refuses_what_it_cannot_draw(X, rho, words):
    with pytest.raises(SettingsError, match=words):
        correlation_profile(X, rho)
