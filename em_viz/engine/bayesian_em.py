"""The variational Bayesian Gaussian mixture on the one stepper:
``BayesianGaussianMixtureEM``, and the checks of its settings."""

from functools import partial
from typing import Any

import numpy as np

from em_viz.engine.families import bayesian_gaussian as family
from em_viz.engine.families import gaussian
from em_viz.engine.stepper import Algorithm, MixtureEM
from em_viz.engine.validation import (
    SettingsError,
    check_choice,
    check_data,
    check_n_components,
    check_number,
    check_shape,
)

VARIATIONAL = Algorithm("variational-bayes", objective_name="lower bound (ELBO)")
"""Soft responsibilities from ``E[log p]``; the objective is the evidence lower bound."""


class BayesianGaussianMixtureEM(MixtureEM):
    """Variational Bayes for a Gaussian mixture, one half-step at a time: the posterior
    over the weights can switch unneeded components off, so ``n_components`` is an
    upper bound on how many the data use.

    The same model, priors and updates as scikit-learn's ``BayesianGaussianMixture``
    (see :mod:`em_viz.engine.families.bayesian_gaussian`): from the same starting
    responsibilities every iteration gives its ``weights_``, ``means_`` and
    ``covariances_``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), n_samples >= 2
    n_components : int
        The most components the posterior may use.
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
    weight_concentration_prior_type : {"dirichlet_process", "dirichlet_distribution"}
        A stick-breaking prior (default; it prefers few components) or a symmetric
        Dirichlet.
    weight_concentration_prior : float, optional
        ``w0 > 0`` (default ``1 / n_components``): lower switches more components off.
    mean_precision_prior : float, optional
        ``beta0 > 0`` (default 1): how strongly the means are pulled to ``mean_prior``.
    mean_prior : array-like of shape (n_features,), optional
        ``m0`` (default the data's mean).
    degrees_of_freedom_prior : float, optional
        ``nu0 > n_features - 1`` (default ``n_features``).
    covariance_prior : array-like, optional
        ``Psi0``: a (D, D) positive definite matrix for "full" and "tied", (D,) positive
        variances for "diag", one positive variance for "spherical" (default the data's
        covariance, its diagonal, or the mean variance).
    reg_covar : float, default=1e-6
        Added to each component's scatter, as scikit-learn does.
    tol : float, default=1e-3
        Converged when an iteration raises the lower bound by less than this (in total,
        as scikit-learn measures it; the stepper's ``tol`` is this per sample).
    init : {"kmeans", "random"}, default="kmeans"
        How the starting responsibilities are drawn, as scikit-learn draws them.
    random_state : int, numpy.random.RandomState or None, default=None
    responsibilities_init : array-like of shape (n_samples, n_components), optional
        Starting responsibilities (each row non-negative, summing to 1); overrides
        ``init``.

    Notes
    -----
    The state after construction is one M-step from the starting responsibilities, as
    scikit-learn's ``_initialize(X, resp)``. The records' quantities, with
    ``rho_ik = E[log pi_k] + E[log N(x_i | mu_k, Lambda_k^-1)]``:

    - ``objective``: the lower bound at the best ``q(Z)`` for the current ``q(theta)``,
      ``sum_i log sum_k exp(rho_ik) - KL(q(theta) || p(theta))``; no step lowers it.
    - ``lower_bound``: the bound ``L(r, q(theta))`` for ``r`` the latest E-step's
      responsibilities (None before any); equal to ``objective`` right after an E-step.
      After the M-step of an iteration it is scikit-learn's ``lower_bound_`` for that
      iteration plus a constant, because scikit-learn drops the terms that depend on
      the priors and the data size only:

          - N D log(2 pi) / 2 + K D log(beta0) / 2 + K log B(W0, nu0) + log C(w0),

      with ``log B(W0, nu0) = nu0 log|Psi0| / 2 - nu0 D log(2) / 2
      - sum_{d<D} log Gamma((nu0 - d) / 2)`` (the Wishart normaliser without its
      ``pi^(D(D-1)/4)``, which the posterior's cancels) and ``log C(w0) = K log(w0)``
      for the Dirichlet process, ``log Gamma(K w0) - K log Gamma(w0)`` for the
      Dirichlet distribution.
    - ``log_likelihood``: ``sum_i log sum_k exp(rho_ik)``, the E-step's normaliser (not
      the likelihood of any one parameter value); ``kl`` is its gap to the record's
      ``elbo``, ``KL(r || softmax(rho))``.

    With ``reg_covar = 0`` each M-step is the exact maximiser of the bound and the
    constant above is exact. ``reg_covar > 0`` adds ``N_k reg_covar`` to each scatter, so
    the M-step is off the maximiser by about that much; scikit-learn's ``lower_bound_``,
    which assumes the exact maximiser, then drifts from this bound (by about 1e-3 on Old
    Faithful with the default 1e-6), while this bound still never fell in the tests.
    """

    def __init__(
        self,
        X: Any,
        n_components: int,
        *,
        covariance_type: str = "full",
        weight_concentration_prior_type: str = "dirichlet_process",
        weight_concentration_prior: float | None = None,
        mean_precision_prior: float | None = None,
        mean_prior: Any = None,
        degrees_of_freedom_prior: float | None = None,
        covariance_prior: Any = None,
        reg_covar: float = 1e-6,
        tol: float = 1e-3,
        init: str = "kmeans",
        random_state: "int | np.random.RandomState | None" = None,
        responsibilities_init: Any = None,
    ) -> None:
        X = check_data(X)
        _check_settings(X, n_components, covariance_type, weight_concentration_prior_type, init)
        check_number(reg_covar, "reg_covar", fix="Try 1e-6.")
        check_number(tol, "tol", fix="Try 1e-3.")
        self.covariance_type = covariance_type
        self.weight_concentration_prior_type = weight_concentration_prior_type
        self.reg_covar = float(reg_covar)
        self.init = init
        self.prior = family.make_prior(
            X,
            n_components,
            covariance_type,
            weight_concentration_prior_type,
            **_check_prior(
                X,
                covariance_type,
                weight_concentration_prior,
                mean_precision_prior,
                mean_prior,
                degrees_of_freedom_prior,
                covariance_prior,
            ),
        )
        if responsibilities_init is None:
            resp = family.initial_responsibilities(X, n_components, init, random_state)
        else:
            resp = _check_responsibilities(responsibilities_init, (len(X), n_components))
        data = gaussian.prepare(X)
        estimate = partial(family.estimate, prior=self.prior, reg_covar=self.reg_covar)
        super().__init__(
            X,
            estimate(data, resp),
            log_prob=partial(family.log_prob, prior=self.prior),
            estimate=estimate,
            diagnose=family.diagnose,
            tol=tol / len(X),
            prepare=lambda _: data,  # the monomials, prepared once above
            algorithm=VARIATIONAL,
            log_prior=partial(family.log_prior, prior=self.prior),
            step_failed=gaussian.STEP_FAILED,
        )

    @property
    def objective_name(self) -> str:
        """``"lower bound (ELBO)"``: the KL term is part of the bound, not a prior."""
        return self.variant.objective_name

    @property
    def means(self) -> np.ndarray:
        """ndarray of shape (n_components, n_features): the posterior means ``m_k``."""
        return self.params.means

    @property
    def covariances(self) -> np.ndarray:
        """ndarray of shape (n_components, n_features, n_features): scikit-learn's
        ``covariances_`` (``E[Lambda_k]^-1``) as full matrices, whatever the type."""
        return self.params.covariances

    @property
    def active(self) -> np.ndarray:
        """ndarray of bool, shape (n_components,): the components not switched off
        (expected weight at least 1%)."""
        return self.weights >= family.SWITCHED_OFF

    def lower_bound_at(self, index: int) -> float | None:
        """The bound ``L(r, q(theta))`` at ``history[index]`` for ``r`` the latest E-step's
        responsibilities (see the class's Notes); None before any E-step."""
        record = self.history[index]
        if record.elbo is None:
            return None
        return record.elbo + record.objective - record.log_likelihood

    @property
    def lower_bound(self) -> float | None:
        """The bound ``L(r, q(theta))`` now (see :meth:`lower_bound_at`)."""
        return self.lower_bound_at(-1)


def _check_settings(
    X: np.ndarray, n_components: int, covariance_type: str, prior_type: str, init: str
) -> None:
    """Raise SettingsError, naming the fix, for settings the model cannot run with."""
    if len(X) < 2:
        raise SettingsError("Variational Bayes needs at least 2 data points; add more data.")
    check_n_components(n_components, len(X))
    check_choice(covariance_type, "covariance_type", gaussian.COVARIANCE_TYPES)
    check_choice(prior_type, "weight_concentration_prior_type", family.PRIOR_TYPES)
    check_choice(init, "init", family.INIT_METHODS)


def _check_prior(
    X: np.ndarray,
    covariance_type: str,
    weight_concentration: Any,
    mean_precision: Any,
    mean: Any,
    degrees_of_freedom: Any,
    covariance: Any,
) -> dict[str, Any]:
    """The given prior values, checked (None keeps scikit-learn's default)."""
    n_features = X.shape[1]
    values: dict[str, Any] = {}
    if weight_concentration is not None:
        values["weight_concentration"] = check_number(
            weight_concentration,
            "weight_concentration_prior",
            above=True,
            fix="Try 1 / n_components, or lower to switch more components off.",
        )
    if mean_precision is not None:
        values["mean_precision"] = check_number(
            mean_precision, "mean_precision_prior", above=True, fix="Try 1."
        )
    if mean is not None:
        mean = check_shape(np.array(mean, dtype=float), (n_features,), "mean_prior")
        if not np.isfinite(mean).all():
            raise SettingsError("mean_prior holds NaN or infinite values.")
        values["mean"] = mean
    if degrees_of_freedom is not None:
        values["degrees_of_freedom"] = check_number(
            degrees_of_freedom,
            "degrees_of_freedom_prior",
            minimum=n_features - 1,
            above=True,
            fix=f"Try {n_features} (the number of features).",
        )
    if covariance is not None:
        values["covariance"] = _check_covariance_prior(covariance, covariance_type, n_features)
    elif np.any(np.var(X, axis=0) == 0):
        raise SettingsError(
            "A column of X is constant, so the default covariance_prior (the data's "
            "covariance) is singular. Remove the column or give a covariance_prior."
        )
    return values


def _check_covariance_prior(covariance: Any, covariance_type: str, n_features: int) -> Any:
    """``covariance`` checked for ``covariance_type``'s shape and positivity."""
    if covariance_type == "spherical":
        return check_number(covariance, "covariance_prior", above=True, fix="Try 1.")
    shape = (n_features,) if covariance_type == "diag" else (n_features, n_features)
    covariance = check_shape(np.array(covariance, dtype=float), shape, "covariance_prior")
    if not np.isfinite(covariance).all():
        raise SettingsError("covariance_prior holds NaN or infinite values.")
    if covariance_type == "diag":
        if not np.all(covariance > 0):
            raise SettingsError("covariance_prior must hold positive variances.")
    elif not (
        np.allclose(covariance, covariance.T) and np.all(np.linalg.eigvalsh(covariance) > 0)
    ):
        raise SettingsError("covariance_prior must be a symmetric positive definite matrix.")
    return covariance


def _check_responsibilities(resp: Any, shape: tuple[int, int]) -> np.ndarray:
    """``resp`` as an array of the given shape, rows non-negative and summing to 1."""
    resp = check_shape(np.array(resp, dtype=float), shape, "responsibilities_init")
    if not (np.isfinite(resp).all() and np.all(resp >= 0)):
        raise SettingsError("responsibilities_init must hold non-negative numbers.")
    if not np.allclose(resp.sum(axis=1), 1.0):
        raise SettingsError(
            "Each row of responsibilities_init must sum to 1 (it spreads one point over "
            "the components)."
        )
    return resp
