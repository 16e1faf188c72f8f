"""The variational Bayesian mixture against scikit-learn's BayesianGaussianMixture,
iteration by iteration from the same responsibilities; its bound never decreases."""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.special import gammaln
from sklearn.datasets import load_iris
from sklearn.mixture import BayesianGaussianMixture
from test_exactness import full_matrices

from em_viz import COVARIANCE_TYPES, BayesianGaussianMixtureEM, SettingsError
from em_viz.data import old_faithful
from em_viz.engine.families.bayesian_gaussian import PRIOR_TYPES

FAITHFUL = old_faithful().X
IRIS = load_iris().data


class FromResponsibilities(BayesianGaussianMixture):
    """scikit-learn's model, started by ``_initialize(X, R)`` from given responsibilities."""

    def __init__(self, R=None, **kwargs):
        super().__init__(**kwargs)
        self.R = R

    def _initialize_parameters(self, X, random_state, xp=None):
        self._initialize(X, self.R)


def sklearn_started(X, R, **kwargs) -> BayesianGaussianMixture:
    """scikit-learn's model in its initial state (``max_iter=0``), ready to be fitted one
    iteration at a time (``warm_start``)."""
    model = FromResponsibilities(
        R=R, n_components=R.shape[1], max_iter=0, warm_start=True, tol=0, **kwargs
    )
    fit_quietly(model, X)
    model.max_iter = 1
    return model


def fit_quietly(model: BayesianGaussianMixture, X: np.ndarray) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X)


def assert_same_parameters(em: BayesianGaussianMixtureEM, model: BayesianGaussianMixture):
    np.testing.assert_allclose(em.weights, model.weights_, rtol=1e-7, atol=0)
    np.testing.assert_allclose(em.means, model.means_, rtol=1e-7, atol=0)
    np.testing.assert_allclose(em.covariances, full_matrices(model), rtol=1e-7, atol=0)


def random_responsibilities(n_samples: int, n_components: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).dirichlet(np.ones(n_components), size=n_samples)


@pytest.mark.parametrize("prior_type", PRIOR_TYPES)
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("X", [FAITHFUL, IRIS], ids=["faithful", "iris-4d"])
def test_every_iteration_equals_sklearn(X, covariance_type, prior_type):
    R = random_responsibilities(len(X), 5, seed=1)
    settings = {"covariance_type": covariance_type, "weight_concentration_prior_type": prior_type}
    em = BayesianGaussianMixtureEM(X, 5, responsibilities_init=R, **settings)
    model = sklearn_started(X, R, **settings)
    assert_same_parameters(em, model)
    for _ in range(25):
        em.e_step()
        resp = model.predict_proba(X)
        np.testing.assert_allclose(em.responsibilities, resp, rtol=1e-7, atol=1e-300)
        em.m_step()
        fit_quietly(model, X)
        assert_same_parameters(em, model)


@pytest.mark.parametrize("init", ["kmeans", "random"])
def test_the_same_random_state_gives_sklearns_start(init):
    em = BayesianGaussianMixtureEM(FAITHFUL, 4, init=init, random_state=3)
    model = BayesianGaussianMixture(
        n_components=4, init_params=init, random_state=3, max_iter=0, warm_start=True
    )
    fit_quietly(model, FAITHFUL)
    assert_same_parameters(em, model)


def prior_constant(X, K, covariance_type, prior_type) -> float:
    """What scikit-learn's lower_bound_ leaves out, written out from its priors:
    ``-N D log(2 pi)/2 + K D log(beta0)/2 + K log B(W0, nu0) + log C(w0)``, with the
    default ``beta0 = 1``, ``nu0 = D``, ``w0 = 1/K`` and ``Psi0`` the data's covariance
    (diagonal for "diag", mean variance for "spherical")."""
    n_samples, n_features = X.shape
    psi0 = {
        "full": np.cov(X.T),
        "tied": np.cov(X.T),
        "diag": np.diag(np.var(X, axis=0, ddof=1)),
        "spherical": np.var(X, axis=0, ddof=1).mean() * np.eye(n_features),
    }[covariance_type]
    nu0, w0 = n_features, 1 / K
    log_wishart_norm = (
        nu0 / 2 * np.linalg.slogdet(psi0)[1]
        - nu0 * n_features / 2 * np.log(2)
        - sum(gammaln((nu0 - d) / 2) for d in range(n_features))
    )
    log_weights_norm = (
        K * np.log(w0) if prior_type == "dirichlet_process" else gammaln(K * w0) - K * gammaln(w0)
    )
    return (
        -n_samples * n_features / 2 * np.log(2 * np.pi) + K * log_wishart_norm + log_weights_norm
    )


@pytest.mark.parametrize("prior_type", PRIOR_TYPES)
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_lower_bound_is_sklearns_plus_a_constant_of_the_priors(covariance_type, prior_type):
    # reg_covar = 0: scikit-learn's lower_bound_ assumes the M-step is exact
    R = random_responsibilities(len(FAITHFUL), 4, seed=2)
    settings = {
        "covariance_type": covariance_type,
        "weight_concentration_prior_type": prior_type,
        "reg_covar": 0.0,
    }
    em = BayesianGaussianMixtureEM(FAITHFUL, 4, responsibilities_init=R, **settings)
    model = sklearn_started(FAITHFUL, R, **settings)
    differences = []
    for _ in range(20):
        em.step()
        fit_quietly(model, FAITHFUL)
        differences.append(em.lower_bound - float(np.squeeze(model.lower_bound_)))
    expected = prior_constant(FAITHFUL, 4, covariance_type, prior_type)
    np.testing.assert_allclose(differences, expected, rtol=1e-11)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n_features=st.integers(1, 3),
    n_clusters=st.integers(1, 4),
    n_components=st.integers(1, 6),
    covariance_type=st.sampled_from(COVARIANCE_TYPES),
    prior_type=st.sampled_from(PRIOR_TYPES),
    init=st.sampled_from(["kmeans", "random"]),
)
def test_the_bound_never_decreases(
    seed, n_features, n_clusters, n_components, covariance_type, prior_type, init
):
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=5, size=(n_clusters, n_features))
    X = centres[rng.integers(n_clusters, size=60)] + rng.normal(
        scale=rng.uniform(0.2, 2), size=(60, n_features)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # k-means finding fewer clusters than asked
        em = BayesianGaussianMixtureEM(
            X,
            n_components,
            covariance_type=covariance_type,
            weight_concentration_prior_type=prior_type,
            init=init,
            random_state=seed,
        )
    em.run(max_iter=40)
    bounds = np.array([em.lower_bound_at(i) for i in range(1, len(em.history))])
    objectives = np.array([record.objective for record in em.history])
    slack = 1e-10 * np.abs(bounds).max()
    assert np.all(np.diff(bounds) >= -slack)
    assert np.all(np.diff(objectives) >= -slack)
    assert np.all(bounds <= objectives[1:] + slack)  # the bound at the best q(Z) is higher


@pytest.mark.parametrize("prior_type", PRIOR_TYPES)
def test_unneeded_components_are_switched_off_with_a_warning(prior_type):
    em = BayesianGaussianMixtureEM(
        FAITHFUL, 10, weight_concentration_prior_type=prior_type, random_state=0
    )
    em.run(max_iter=500)
    assert em.converged
    off = np.flatnonzero(em.weights < 0.01)
    assert off.size > 0
    np.testing.assert_array_equal(em.active, em.weights >= 0.01)
    assert len(em.warnings) == off.size
    for k, warning in zip(off, em.warnings, strict=True):
        assert warning.startswith(f"Component {k + 1} is switched off")


def test_converged_when_an_iteration_gains_less_than_tol_in_total():
    em = BayesianGaussianMixtureEM(FAITHFUL, 3, random_state=0, tol=1e-2)
    em.run(max_iter=500)
    gains = np.diff([record.objective for record in em.history if record.phase != "E"])
    assert em.converged
    assert gains[-1] < 1e-2 <= gains[-2]
    assert [record.converged for record in em.history].count(True) == 1


def test_back_and_responsibilities_at_restore_the_run_exactly():
    em = BayesianGaussianMixtureEM(FAITHFUL, 4, random_state=0)
    seen = []
    for _ in range(4):
        em.e_step()
        seen.append((len(em.history) - 1, em.responsibilities.copy(), em.lower_bound))
        em.m_step()
    for index, resp, _ in seen:
        np.testing.assert_array_equal(em.responsibilities_at(index), resp)
    while len(em.history) > seen[1][0] + 1:
        em.back()
    np.testing.assert_array_equal(em.responsibilities, seen[1][1])
    assert em.lower_bound == seen[1][2]
    em.reset()
    assert em.phase == "init" and em.lower_bound is None and em.responsibilities is None


def test_names_its_objective_as_the_lower_bound():
    em = BayesianGaussianMixtureEM(FAITHFUL, 2, random_state=0)
    assert em.objective_name == "lower bound (ELBO)"
    em.e_step()
    assert em.lower_bound == em.objective
    em.m_step()
    assert em.lower_bound < em.objective


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"covariance_type": "round"}, "choose one of full, tied, diag, spherical"),
        ({"weight_concentration_prior_type": "dp"}, "dirichlet_process"),
        ({"weight_concentration_prior": 0}, "weight_concentration_prior must be a positive"),
        ({"mean_precision_prior": -1}, "mean_precision_prior must be a positive"),
        ({"mean_prior": [1, 2, 3]}, "mean_prior must have shape (2,)"),
        ({"degrees_of_freedom_prior": 0.5}, "Try 2 (the number of features)"),
        ({"covariance_prior": [[1, 2], [2, 1]]}, "symmetric positive definite"),
        ({"covariance_type": "diag", "covariance_prior": [1, -1]}, "positive variances"),
        ({"covariance_type": "spherical", "covariance_prior": [1, 1]}, "covariance_prior must"),
        ({"init": "magic"}, "Unknown init 'magic'"),
        ({"random_state": "seed"}, "random_state must be a whole number"),
        ({"responsibilities_init": np.ones((272, 2))}, "must sum to 1"),
        ({"responsibilities_init": np.ones((272, 3)) / 3}, "must have shape (272, 2)"),
        ({"reg_covar": -1}, "Try 1e-6"),
    ],
)
def test_bad_settings_are_refused_naming_the_fix(settings, words):
    with pytest.raises(SettingsError) as error:
        BayesianGaussianMixtureEM(FAITHFUL, 2, **settings)
    assert words in str(error.value)


def test_constant_column_needs_a_covariance_prior():
    X = np.column_stack([FAITHFUL[:, 0], np.ones(len(FAITHFUL))])
    with pytest.raises(SettingsError, match="give a covariance_prior"):
        BayesianGaussianMixtureEM(X, 2)
    em = BayesianGaussianMixtureEM(X, 2, covariance_prior=np.eye(2), random_state=0)
    em.run(max_iter=5)
    assert np.isfinite(em.objective)
