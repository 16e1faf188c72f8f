"""The variational Bayesian Gaussian mixture: a posterior over the parameters, not a point.

The model is scikit-learn's ``BayesianGaussianMixture`` (Bishop, PRML section 10.2; Blei
and Jordan 2006 for the Dirichlet process):

    pi ~ Dirichlet(w0, ..., w0), or sticks v_k ~ Beta(1, w0), pi_k = v_k prod_{j<k} (1 - v_j),
    Lambda_k ~ Wishart(W0, nu0) with W0^-1 = Psi0,   mu_k | Lambda_k ~ N(m0, (beta0 Lambda_k)^-1),
    z_i ~ pi,   x_i | z_i = k ~ N(mu_k, Lambda_k^-1).

Variational inference keeps ``q(Z) q(pi) prod_k q(mu_k, Lambda_k)``: responsibilities
``r_ik``, a Dirichlet (or one Beta per stick) over the weights, and a Normal-Wishart
``N(mu_k | m_k, (beta_k Lambda_k)^-1) W(Lambda_k | W_k, nu_k)`` per component. The
parameters are kept as scikit-learn keeps them: ``covariances`` are
``C_k = (nu_k W_k)^-1 = E[Lambda_k]^-1``. The covariance types restrict ``q(Lambda_k)``
to Wisharts with a diagonal scale ("diag"), an isotropic one ("spherical") or one scale
and degrees of freedom shared by all components ("tied"); each M-step is the best ``q``
of that kind, which is what scikit-learn's updates compute.

The E-step is the Gaussian family's one matrix product plus a constant per component:

    rho_ik = E[log pi_k] + E[log N(x_i | mu_k, Lambda_k^-1)]
           = E[log pi_k] + log N(x_i | m_k, C_k)
             + (D log 2 + sum_d psi((nu_k - d) / 2) - D log nu_k - D / beta_k) / 2.

The bound is ``L(r, q) = sum_ik r_ik rho_ik + H(r) - KL(q(theta) || p(theta))``; the
stepper gets the KL as the family's :func:`log_prior` (minus it), so that what it never
lowers is the lower bound.
"""

from dataclasses import dataclass

import numpy as np
from scipy.special import betaln, digamma, gammaln, multigammaln
from sklearn.cluster import KMeans
from sklearn.utils import check_random_state

from em_viz.engine.families import gaussian
from em_viz.engine.validation import SettingsError, check_choice

PRIOR_TYPES = ("dirichlet_process", "dirichlet_distribution")
INIT_METHODS = ("kmeans", "random")
SWITCHED_OFF = 0.01
"""A component whose expected weight is below this has been switched off by the posterior."""


@dataclass(frozen=True, eq=False)
class Prior:
    """The prior, as scikit-learn's ``*_prior_`` attributes hold it.

    Attributes
    ----------
    process : bool
        True for the (truncated) Dirichlet process, False for a Dirichlet distribution.
    weight_concentration : float
        ``w0``.
    mean_precision : float
        ``beta0``.
    mean : ndarray of shape (n_features,)
        ``m0``.
    degrees_of_freedom : float
        ``nu0``, above ``n_features - 1``.
    covariance : ndarray of shape (n_features, n_features)
        ``Psi0 = W0^-1``, a full matrix for every covariance type (diagonal for "diag", a
        multiple of the identity for "spherical").
    covariance_type : str
    """

    process: bool
    weight_concentration: float
    mean_precision: float
    mean: np.ndarray
    degrees_of_freedom: float
    covariance: np.ndarray
    covariance_type: str


@dataclass(frozen=True, eq=False)
class BayesianGaussianParams:
    """The variational posterior over a Gaussian mixture's parameters.

    Attributes
    ----------
    weights : ndarray of shape (n_components,)
        Expected weights (scikit-learn's ``weights_``).
    means : ndarray of shape (n_components, n_features)
        ``m_k`` (``means_``).
    covariances : ndarray of shape (n_components, n_features, n_features)
        ``C_k = (nu_k W_k)^-1`` (``covariances_``), full matrices for every type.
    weight_concentration : ndarray of shape (2, n_components) or (n_components,)
        The sticks' Beta parameters ``(a_k, b_k)`` (Dirichlet process), or the
        Dirichlet's ``alpha_k``.
    mean_precision : ndarray of shape (n_components,)
        ``beta_k``.
    degrees_of_freedom : ndarray of shape (n_components,)
        ``nu_k`` (all equal for "tied").
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    weight_concentration: np.ndarray
    mean_precision: np.ndarray
    degrees_of_freedom: np.ndarray


def make_prior(
    X: np.ndarray,
    n_components: int,
    covariance_type: str,
    prior_type: str,
    *,
    weight_concentration: float | None = None,
    mean_precision: float | None = None,
    mean: np.ndarray | None = None,
    degrees_of_freedom: float | None = None,
    covariance: "np.ndarray | float | None" = None,
) -> Prior:
    """The prior, each value not given set to scikit-learn's default.

    Defaults: ``w0 = 1 / n_components``, ``beta0 = 1``, ``m0`` the data's mean,
    ``nu0 = n_features``, and ``Psi0`` the data's covariance (unbiased), its diagonal
    ("diag") or the mean variance times the identity ("spherical").

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), n_samples >= 2
    n_components : int
    covariance_type : str
    prior_type : {"dirichlet_process", "dirichlet_distribution"}
    weight_concentration, mean_precision, mean, degrees_of_freedom : optional
    covariance : optional
        (D, D) for "full" and "tied", (D,) variances for "diag", one variance for
        "spherical" (checked by the caller).

    Returns
    -------
    prior : Prior
    """
    n_features = X.shape[1]
    if covariance is None:
        variances = np.var(X, axis=0, ddof=1)
        covariance = {
            "full": np.atleast_2d(np.cov(X.T)),
            "tied": np.atleast_2d(np.cov(X.T)),
            "diag": variances,
            "spherical": variances.mean(),
        }[covariance_type]
    covariance = np.asarray(covariance, dtype=float)
    if covariance_type in ("diag", "spherical"):
        covariance = covariance * np.eye(n_features)
    return Prior(
        process=prior_type == "dirichlet_process",
        weight_concentration=1 / n_components
        if weight_concentration is None
        else float(weight_concentration),
        mean_precision=1.0 if mean_precision is None else float(mean_precision),
        mean=X.mean(axis=0) if mean is None else np.asarray(mean, dtype=float),
        degrees_of_freedom=float(n_features if degrees_of_freedom is None else degrees_of_freedom),
        covariance=covariance,
        covariance_type=covariance_type,
    )


def expected_log_weights(params: BayesianGaussianParams, prior: Prior) -> np.ndarray:
    """``E[log pi_k]`` under ``q(pi)``, shape (n_components,)."""
    concentration = params.weight_concentration
    if not prior.process:
        return digamma(concentration) - digamma(concentration.sum())
    a, b = concentration
    digamma_sum = digamma(a + b)
    earlier = np.cumsum(digamma(b) - digamma_sum)[:-1]
    return digamma(a) - digamma_sum + np.concatenate(([0.0], earlier))


def _expected_weights(concentration: np.ndarray, prior: Prior) -> np.ndarray:
    """``E[pi_k]``, normalised to sum 1 (as scikit-learn's ``weights_``)."""
    if prior.process:
        a, b = concentration
        stays = b / (a + b)
        weights = a / (a + b) * np.concatenate(([1.0], np.cumprod(stays[:-1])))
    else:
        weights = concentration
    return weights / weights.sum()


def _digamma_sum(degrees_of_freedom: np.ndarray, n_features: int) -> np.ndarray:
    """``sum_{d < D} psi((nu_k - d) / 2)``, shape (n_components,)."""
    return digamma(0.5 * (degrees_of_freedom - np.arange(n_features)[:, None])).sum(axis=0)


def log_prob(
    X: "np.ndarray | gaussian.GaussianData", params: BayesianGaussianParams, prior: Prior
) -> np.ndarray:
    """``rho_ik = E[log pi_k] + E[log N(x_i | mu_k, Lambda_k^-1)]`` (the module's
    docstring): the E-step's unnormalised log-responsibilities.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features) or GaussianData
    params : BayesianGaussianParams
    prior : Prior

    Returns
    -------
    log_prob : ndarray of shape (n_samples, n_components)
        Column-major, as the Gaussian family's.
    """
    nu, beta = params.degrees_of_freedom, params.mean_precision
    n_features = params.means.shape[1]
    at_means = gaussian.GaussianParams(np.ones_like(nu), params.means, params.covariances)
    total = gaussian.log_prob(X, at_means)
    total += expected_log_weights(params, prior) + 0.5 * (
        n_features * (np.log(2.0) - np.log(nu) - 1 / beta) + _digamma_sum(nu, n_features)
    )
    return total


def _weight_concentration(nk: np.ndarray, prior: Prior) -> np.ndarray:
    """``q(pi)``'s parameters from the components' masses: the Dirichlet's
    ``w0 + N_k``, or each stick's Beta ``(1 + N_k, w0 + sum_{j>k} N_j)``."""
    if not prior.process:
        return prior.weight_concentration + nk
    later = np.concatenate((np.cumsum(nk[::-1])[-2::-1], [0.0]))
    return np.stack((1.0 + nk, prior.weight_concentration + later))


def _restrict(
    scale: np.ndarray, nu: np.ndarray, covariance_type: str
) -> tuple[np.ndarray, np.ndarray]:
    """``(C_k, nu_k)`` from the unrestricted ``W_k^-1`` (``scale``) and ``nu_k``: the best
    Wishart with a diagonal or isotropic scale, or one shared by all components (the mean
    of their natural parameters)."""
    n_features = scale.shape[-1]
    if covariance_type == "tied":
        shared = scale.mean(axis=0) / nu.mean()
        return np.broadcast_to(shared, scale.shape).copy(), np.full_like(nu, nu.mean())
    if covariance_type == "diag":
        scale = scale * np.eye(n_features)
    elif covariance_type == "spherical":
        scale = (np.trace(scale, axis1=1, axis2=2) / n_features)[:, None, None] * np.eye(
            n_features
        )
    return scale / nu[:, None, None], nu


def estimate(
    X: "np.ndarray | gaussian.GaussianData",
    resp: np.ndarray,
    *,
    prior: Prior,
    reg_covar: float = 1e-6,
    previous: BayesianGaussianParams | None = None,
) -> BayesianGaussianParams:
    """The variational M-step: ``q(theta)`` from the responsibilities, as scikit-learn's
    ``_m_step`` (its ``nk``, means and ``reg_covar``-regularised scatter come from the
    Gaussian family's M-step).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features) or GaussianData
    resp : ndarray of shape (n_samples, n_components)
    prior : Prior
    reg_covar : float
        Added to every scatter's diagonal, as scikit-learn does (0 makes the step the
        exact maximiser of the bound).
    previous : BayesianGaussianParams, optional
        Not needed (the prior keeps an empty component defined); taken for the stepper.

    Returns
    -------
    params : BayesianGaussianParams
    """
    fit = gaussian.estimate(X, resp, covariance_type=prior.covariance_type, reg_covar=reg_covar)
    nk = resp.sum(axis=0) + 10 * np.finfo(resp.dtype).eps
    concentration = _weight_concentration(nk, prior)
    beta = prior.mean_precision + nk
    means = (prior.mean_precision * prior.mean + nk[:, None] * fit.means) / beta[:, None]
    offsets = fit.means - prior.mean
    spread = (prior.mean_precision / beta)[:, None, None] * offsets[:, :, None] * offsets[:, None]
    scale = prior.covariance + nk[:, None, None] * (fit.covariances + spread)
    covariances, nu = _restrict(scale, prior.degrees_of_freedom + nk, prior.covariance_type)
    return BayesianGaussianParams(
        weights=_expected_weights(concentration, prior),
        means=means,
        covariances=covariances,
        weight_concentration=concentration,
        mean_precision=beta,
        degrees_of_freedom=nu,
    )


def _weights_kl(concentration: np.ndarray, prior: Prior) -> float:
    """``KL(q(pi) || p(pi))``: between Dirichlets, or summed over the sticks' Betas."""
    w0 = prior.weight_concentration
    if not prior.process:
        total = concentration.sum()
        expected = digamma(concentration) - digamma(total)
        return float(
            gammaln(total)
            - gammaln(concentration).sum()
            - gammaln(w0 * concentration.size)
            + concentration.size * gammaln(w0)
            + ((concentration - w0) * expected).sum()
        )
    a, b = concentration
    digamma_sum = digamma(a + b)
    return float(
        (
            betaln(1.0, w0)
            - betaln(a, b)
            + (a - 1) * (digamma(a) - digamma_sum)
            + (b - w0) * (digamma(b) - digamma_sum)
        ).sum()
    )


def _log_det(matrices: np.ndarray) -> np.ndarray:
    """``log|A|`` of positive definite matrices, by Cholesky."""
    chol = np.linalg.cholesky(matrices)
    return 2 * np.log(np.diagonal(chol, axis1=-2, axis2=-1)).sum(axis=-1)


def _log_wishart_norm(
    nu: "np.ndarray | float", log_det_inverse_scale: "np.ndarray | float", n_features: int
) -> "np.ndarray | float":
    """``log B(W, nu) = nu log|W^-1| / 2 - nu D log(2) / 2 - log Gamma_D(nu / 2)``, the
    log normaliser of a Wishart, from ``log|W^-1|``."""
    return 0.5 * nu * (log_det_inverse_scale - n_features * np.log(2.0)) - multigammaln(
        0.5 * nu, n_features
    )


def _normal_wishart_kl(params: BayesianGaussianParams, prior: Prior) -> float:
    """``sum_k KL(q(mu_k, Lambda_k) || p(mu_k, Lambda_k))`` between Normal-Wisharts.

    With ``W_k = (nu_k C_k)^-1``: the Gaussian part
    ``(D (beta0/beta_k - 1 - log(beta0/beta_k)) + beta0 d' C_k^-1 d) / 2``, ``d = m_k - m0``,
    and the Wishart part ``log B(W_k, nu_k) - log B(W0, nu0)
    + (nu_k - nu0) E[log|Lambda_k|] / 2 - nu_k D / 2 + tr(Psi0 C_k^-1) / 2``.
    """
    nu, beta = params.degrees_of_freedom, params.mean_precision
    n_features = params.means.shape[1]
    precisions = np.linalg.inv(params.covariances)
    offsets = params.means - prior.mean
    ratio = prior.mean_precision / beta
    gaussian_part = 0.5 * (
        n_features * (ratio - 1 - np.log(ratio))
        + prior.mean_precision * np.einsum("ki,kij,kj->k", offsets, precisions, offsets)
    )
    log_det_scale = n_features * np.log(nu) + _log_det(params.covariances)  # log|W_k^-1|
    nu0 = prior.degrees_of_freedom
    expected_log_det = _digamma_sum(nu, n_features) + n_features * np.log(2.0) - log_det_scale
    wishart_part = (
        _log_wishart_norm(nu, log_det_scale, n_features)
        - _log_wishart_norm(nu0, _log_det(prior.covariance), n_features)
        + 0.5 * (nu - nu0) * expected_log_det
        - 0.5 * nu * n_features
        + 0.5 * np.einsum("ij,kji->k", prior.covariance, precisions)
    )
    return float((gaussian_part + wishart_part).sum())


def log_prior(params: BayesianGaussianParams, prior: Prior) -> float:
    """``-KL(q(theta) || p(theta))``: what the bound adds to
    ``sum_i log sum_k exp(rho_ik)`` (the stepper's "log prior" slot)."""
    return -_weights_kl(params.weight_concentration, prior) - _normal_wishart_kl(params, prior)


def initial_responsibilities(
    X: np.ndarray,
    n_components: int,
    method: str,
    random_state: "int | np.random.RandomState | None",
) -> np.ndarray:
    """Starting responsibilities, drawn as scikit-learn's ``_initialize_parameters``
    draws them (the same ``random_state`` gives the same start).

    - ``"kmeans"``: one-hot labels of one k-means fit.
    - ``"random"``: uniform draws, each row normalised.

    Returns
    -------
    resp : ndarray of shape (n_samples, n_components)
    """
    check_choice(method, "init", INIT_METHODS)
    try:
        rng = check_random_state(random_state)
    except ValueError:
        raise SettingsError(
            f"random_state must be a whole number, a numpy RandomState or None; got "
            f"{random_state!r}."
        ) from None
    if method == "random":
        resp = rng.uniform(size=(len(X), n_components))
        return resp / resp.sum(axis=1)[:, None]
    labels = KMeans(n_clusters=n_components, n_init=1, random_state=rng).fit(X).labels_
    return np.eye(n_components)[labels]


def diagnose(params: BayesianGaussianParams) -> list[str]:
    """Plain words for each component the posterior switched off (expected weight below
    ``SWITCHED_OFF``), numbered from 1."""
    return [
        f"Component {k + 1} is switched off: its expected weight is {weight:.2%}, below "
        f"{SWITCHED_OFF:.0%}. The posterior gives it almost no data, because the other "
        "components explain them; fewer components would do."
        for k, weight in enumerate(params.weights)
        if weight < SWITCHED_OFF
    ]
