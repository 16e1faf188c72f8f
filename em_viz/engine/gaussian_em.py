"""The Gaussian mixture on the one stepper: ``GaussianMixtureEM``, the variants of EM it
runs (soft, hard, k-means, fixed variances) and the checks of its settings."""

from dataclasses import asdict, dataclass, replace
from functools import partial
from typing import Any

import numpy as np

from em_viz.engine.bayesian_em import VARIATIONAL, BayesianGaussianMixtureEM
from em_viz.engine.families import check_weights, gaussian, gaussian_missing, saddle
from em_viz.engine.families.bayesian_gaussian import PRIOR_TYPES
from em_viz.engine.posterior import hard_posterior, posterior
from em_viz.engine.stepper import SOFT, Algorithm, MixtureEM
from em_viz.engine.validation import (
    SettingsError,
    check_choice,
    check_data,
    check_n_components,
    check_number,
    check_shape,
)


def complete_log_likelihood(
    data: Any, params: Any, log_prob: np.ndarray, resp: np.ndarray
) -> float:
    """``sum_i log p(x_i, z_i | params)`` for the hard assignment ``z_i = argmax_k``
    (what classification EM raises)."""
    return float(log_prob.max(axis=1).sum())


def negative_sum_of_squares(
    data: Any, params: Any, log_prob: np.ndarray, resp: np.ndarray
) -> float:
    """``-sum_i ||x_i - mu_{z_i}||^2`` for the nearest means (minus k-means' inertia)."""
    return -gaussian.sum_of_squares(data, params, resp)


@dataclass(frozen=True)
class GaussianSettings:
    """One Gaussian run's settings, with the app's defaults: everything
    :class:`GaussianMixtureEM` is built from but the data and an explicit start.

    The one description of a run's settings: the sidebar, the URL, the compare page and
    the explorer all read it, and :class:`GaussianMixtureEM` takes its defaults from it
    (but for ``random_state``, which is 0 here so that a run in the app is
    reproducible, and None in a notebook).

    ``algorithm`` is one of :data:`RUN_ALGORITHMS`: EM's variants, or
    ``"variational-bayes"``, which builds a :class:`BayesianGaussianMixtureEM` with the
    weight prior ``weight_concentration_prior_type`` and ``weight_concentration_prior``
    (the other settings mean the same for both; see :meth:`build`).
    """

    n_components: int = 3
    covariance_type: str = "full"
    init: str = "k-means++"
    random_state: int = 0
    reg_covar: float = 1e-6
    tol: float = 1e-4
    algorithm: str = "soft"
    epsilon: float = 1.0
    missing: str = "refuse"
    weight_concentration_prior_type: str = "dirichlet_process"
    weight_concentration_prior: float = 0.1

    @property
    def variant(self) -> Algorithm:
        """The algorithm's strategies and properties (see :data:`RUN_VARIANTS`)."""
        return RUN_VARIANTS[self.algorithm]

    def build(
        self, X: Any, means_init: Any = None
    ) -> "GaussianMixtureEM | BayesianGaussianMixtureEM":
        """A fresh stepper for these settings on ``X``, from ``means_init`` if given.

        For ``"variational-bayes"`` the run starts from the responsibilities of soft EM's
        first E-step from the same start (``init``, ``random_state``, ``means_init``), so
        that every initialisation, clicked means too, starts both alike; ``tol`` is per
        point for both (:class:`BayesianGaussianMixtureEM` takes it in total).

        Raises
        ------
        SettingsError
            For settings EM cannot run with, naming the fix.
        """
        settings = asdict(self)
        prior_type = settings.pop("weight_concentration_prior_type")
        prior = settings.pop("weight_concentration_prior")
        if self.algorithm != VARIATIONAL.name:
            return GaussianMixtureEM(X, means_init=means_init, **settings)
        check_choice(prior_type, "weight_concentration_prior_type", PRIOR_TYPES)
        start = replace(self, algorithm="soft").build(X, means_init)
        start.e_step()
        return BayesianGaussianMixtureEM(
            start.X,
            self.n_components,
            covariance_type=self.covariance_type,
            weight_concentration_prior_type=prior_type,
            weight_concentration_prior=prior,
            reg_covar=self.reg_covar,
            tol=self.tol * len(start.X),
            responsibilities_init=start.responsibilities,
        )


DEFAULTS = GaussianSettings()
MISSING = ("refuse", "em")
"""What ``missing`` may be: refuse NaN, or fit with NaN as missing at random."""
NAN_FIX = 'pass missing="em" to fit with them as missing at random, or remove or fill them first'


class GaussianMixtureEM(MixtureEM):
    """EM for a Gaussian mixture, stepped by hand.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_components : int, default=3
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
    init : {"random-points", "k-means++", "kmeans", "random-responsibilities"}, \
default="k-means++"
        How the starting parameters are built (see
        :func:`em_viz.engine.families.gaussian.initial`).
    random_state : int, numpy.random.Generator or None, default=None
    reg_covar : float, default=1e-6
        Added to every covariance's diagonal; must be positive.
    tol : float, default=1e-4
        Converged when an iteration changes the mean :attr:`objective` by less than this
        (for "soft", the mean log-likelihood).
    weights_init : array-like of shape (n_components,), optional
    means_init : array-like of shape (n_components, n_features), optional
    covariances_init : array-like of shape (n_components, n_features, n_features), optional
        Full matrices for every type: equal for "tied", diagonal for "diag", multiples
        of the identity for "spherical". Each explicit start overrides ``init``'s.
    algorithm : {"soft", "hard", "kmeans", "fixed-eps"}, default="soft"
        The variant of EM, each the one loop with its own E-step and a constrained
        M-step:

        - ``"soft"``: EM for the Gaussian mixture.
        - ``"hard"``: classification EM. The E-step gives each point wholly to its most
          responsible component (ties to the lowest index); the M-step is soft EM's.
          :attr:`objective` is the complete-data log-likelihood of that assignment.
        - ``"kmeans"``: Lloyd's algorithm, as hard EM with equal weights and one shared
          spherical covariance: each point goes to its nearest mean, each mean moves to
          the mean of its points, and an empty cluster is relocated as scikit-learn's
          ``KMeans(algorithm="lloyd")`` does (see
          :func:`~em_viz.engine.families.gaussian.estimate_kmeans`). :attr:`objective` is minus
          the sum of squared distances to the nearest means. Weights are ``1 / K``;
          every covariance is ``s2 I``, with ``s2`` the whole data's variance per
          dimension at the start and, after each M-step, the mean squared distance per
          dimension from each point to its cluster's centre, plus ``reg_covar``
          (``log_likelihood`` is that mixture's).
        - ``"fixed-eps"``: soft EM with weights fixed at ``1 / K`` and every covariance
          at ``epsilon * I``: only the means move, to the responsibility-weighted
          means. As ``epsilon`` shrinks the responsibilities harden and the steps become
          k-means'.

        ``"kmeans"`` and ``"fixed-eps"`` take only the means from the start (``init`` or
        ``means_init``); ``covariance_type``, ``weights_init`` and ``covariances_init``
        do not apply to them.
    epsilon : float, default=1.0
        The fixed variance of every component for ``algorithm="fixed-eps"``; must be
        positive.
    missing : {"refuse", "em"}, default="refuse"
        What NaN in ``X`` means. ``"refuse"``: an error. ``"em"``: a missing entry,
        missing at random (soft EM only). The E-step then weighs each point by its
        observed coordinates (:attr:`log_likelihood` is the observed data's) and the
        M-step uses the expected sufficient statistics (see
        :mod:`~em_viz.engine.families.gaussian_missing`); every ``init`` is built on the
        data with each missing entry at its column's observed mean. Without NaN, the
        run is exactly that of ``"refuse"``.

    Attributes
    ----------
    missing_mask : ndarray of shape (n_samples, n_features)
        True where an entry of ``X`` is missing.
    """

    def __init__(
        self,
        X: Any,
        n_components: int = DEFAULTS.n_components,
        *,
        covariance_type: str = DEFAULTS.covariance_type,
        init: str = DEFAULTS.init,
        random_state: int | np.random.Generator | None = None,
        reg_covar: float = DEFAULTS.reg_covar,
        tol: float = DEFAULTS.tol,
        weights_init: Any = None,
        means_init: Any = None,
        covariances_init: Any = None,
        algorithm: str = DEFAULTS.algorithm,
        epsilon: float = DEFAULTS.epsilon,
        missing: str = DEFAULTS.missing,
    ) -> None:
        check_choice(missing, "missing", MISSING)
        X = check_data(X, allow_nan=missing == "em", nan_fix=NAN_FIX)
        incomplete = bool(np.isnan(X).any())
        if incomplete:
            gaussian_missing.check_incomplete(X)
            if algorithm != "soft":
                raise SettingsError(
                    f'missing="em" runs soft EM only, not algorithm={algorithm!r}; choose '
                    'algorithm="soft", or fill the missing values first.'
                )
        complete = gaussian_missing.filled(X) if incomplete else X
        _check_settings(
            complete, n_components, covariance_type, reg_covar, tol, algorithm, epsilon
        )
        self.covariance_type = covariance_type
        self.init = init
        self.reg_covar = reg_covar
        self.epsilon = epsilon
        self.missing = missing
        self.missing_mask = np.isnan(X)
        family = gaussian_missing if incomplete else gaussian
        start = gaussian.initial(
            complete,
            n_components,
            init,
            np.random.default_rng(random_state),
            covariance_type=covariance_type,
            reg_covar=reg_covar,
        )
        params = _explicit_start(
            start, weights_init, means_init, covariances_init, covariance_type
        )
        estimate = partial(family.estimate, covariance_type=covariance_type, reg_covar=reg_covar)
        diagnose = partial(
            gaussian.diagnose, n_samples=len(X), reg_covar=reg_covar, saddles=algorithm == "soft"
        )
        if algorithm == "kmeans":
            params = gaussian.kmeans_start(X, params.means, reg_covar)
            estimate = partial(gaussian.estimate_kmeans, reg_covar=reg_covar)
            diagnose = _no_warnings
        elif algorithm == "fixed-eps":
            params = gaussian.fixed_start(params.means, epsilon)
            estimate = gaussian.estimate_means
            diagnose = _no_warnings
        super().__init__(
            X,
            params,
            log_prob=family.log_prob,
            estimate=estimate,
            diagnose=diagnose,
            tol=tol,
            prepare=family.prepare,
            algorithm=VARIANTS[algorithm],
            step_failed=gaussian.STEP_FAILED,
            near_saddle=saddle.near_saddle if algorithm == "soft" else None,
            unstable=saddle.unstable if algorithm == "soft" else None,
        )
        if algorithm == "fixed-eps" and not np.isfinite(self.log_likelihood):
            raise SettingsError(
                f"epsilon={epsilon:g} is too small for data at this scale: the densities "
                "underflow. Use a larger epsilon."
            )

    @property
    def means(self) -> np.ndarray:
        """ndarray of shape (n_components, n_features): the current means."""
        return self.params.means

    @property
    def covariances(self) -> np.ndarray:
        """ndarray of shape (n_components, n_features, n_features): the current
        covariances as full matrices, whatever ``covariance_type``."""
        return self.params.covariances

    @property
    def imputed(self) -> np.ndarray:
        """ndarray of shape (n_samples, n_features): ``X`` with each missing entry at its
        expectation under the mixture, from the latest E-step (see :meth:`imputed_at`)."""
        return self.imputed_at(-1)[0]

    @property
    def imputed_std(self) -> np.ndarray:
        """ndarray of shape (n_samples, n_features): each missing entry's conditional
        standard deviation, from the latest E-step; 0 where observed."""
        return self.imputed_at(-1)[1]

    def imputed_at(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """The missing entries as shown at ``history[index]``: their expectations and
        standard deviations under the mixture, given each point's observed coordinates.

        They come from the latest E-step at or before that record (its parameters and
        responsibilities); before any E-step, from the starting parameters (what the
        first E-step gives). Without missing entries: ``X`` and zeros.

        Returns
        -------
        imputed : ndarray of shape (n_samples, n_features)
            ``X`` with each missing entry replaced; observed entries as given.
        std : ndarray of shape (n_samples, n_features)
        """
        if not self.missing_mask.any():
            return self.X.copy(), np.zeros_like(self.X)
        index = range(len(self.history))[index]
        shown = self.history[: index + 1]
        record = next((r for r in reversed(shown) if r.phase == "E"), shown[0])
        if index == len(self.history) - 1 and self.responsibilities is not None:
            resp = self.responsibilities
        elif record.phase == "E":
            resp = self.responsibilities_at(index)
        else:
            resp = posterior(gaussian_missing.log_prob(self._data, record.params))[1]
        return gaussian_missing.impute(self._data, record.params, resp)


VARIANTS = {
    "soft": SOFT,
    "hard": Algorithm(
        "hard",
        assign=hard_posterior,
        objective=complete_log_likelihood,
        objective_name="complete-data log-likelihood",
        hard=True,
    ),
    "kmeans": Algorithm(
        "kmeans",
        assign=hard_posterior,
        objective=negative_sum_of_squares,
        objective_name="negative sum of squared distances",
        hard=True,
        learns_weights=False,
        uses_covariance_type=False,
    ),
    "fixed-eps": Algorithm("fixed-eps", learns_weights=False, uses_covariance_type=False),
}
"""The variants of EM for a Gaussian mixture, by name."""
ALGORITHMS = tuple(VARIANTS)
RUN_VARIANTS = {**VARIANTS, VARIATIONAL.name: VARIATIONAL}
"""What :attr:`GaussianSettings.algorithm` may be: EM's variants and variational Bayes."""
RUN_ALGORITHMS = tuple(RUN_VARIANTS)


def _no_warnings(params: gaussian.GaussianParams) -> list[str]:
    """No diagnosis: the algorithm fixes the weights and covariances itself."""
    return []


def _check_settings(
    X: np.ndarray,
    n_components: int,
    covariance_type: str,
    reg_covar: float,
    tol: float,
    algorithm: str,
    epsilon: float,
) -> None:
    """Raise SettingsError, naming the fix, for settings EM cannot run with."""
    check_choice(covariance_type, "covariance_type", gaussian.COVARIANCE_TYPES)
    check_n_components(n_components, len(X))
    n_distinct = len(np.unique(X, axis=0))
    if n_components > n_distinct:
        raise SettingsError(
            f"n_components={n_components} is more than the {n_distinct} distinct data "
            f"points, so some components would have nothing to fit; use at most "
            f"{n_distinct} components."
        )
    check_number(
        reg_covar, "reg_covar", above=True, why="it keeps covariances invertible", fix="Try 1e-6."
    )
    check_number(tol, "tol", fix="Try 1e-4.")
    check_choice(algorithm, "algorithm", ALGORITHMS)
    check_number(
        epsilon,
        "epsilon",
        above=True,
        why="the fixed variance of every component",
        fix="Try 1.0, or about the data's variance.",
    )


def _explicit_start(
    start: gaussian.GaussianParams,
    weights_init: Any,
    means_init: Any,
    covariances_init: Any,
    covariance_type: str,
) -> gaussian.GaussianParams:
    """``start`` with the given parts replaced, each checked for shape and validity."""
    n_components, n_features = start.means.shape
    weights, means, covariances = start.weights, start.means, start.covariances
    if weights_init is not None:
        weights = check_weights(weights_init, n_components)
    if means_init is not None:
        means = check_shape(np.array(means_init, dtype=float), start.means.shape, "means_init")
        if not np.isfinite(means).all():
            raise SettingsError("means_init holds NaN or infinite values.")
    if covariances_init is not None:
        covariances = np.array(covariances_init, dtype=float)
        _check_covariances(covariances, n_components, n_features, covariance_type)
    return gaussian.GaussianParams(weights, means, covariances)


def _check_covariances(
    covariances: np.ndarray, n_components: int, n_features: int, covariance_type: str
) -> None:
    """Raise SettingsError unless these are valid full matrices of the given type."""
    check_shape(covariances, (n_components, n_features, n_features), "covariances_init")
    if not np.allclose(covariances, np.swapaxes(covariances, 1, 2)):
        raise SettingsError("covariances_init must hold symmetric matrices.")
    if not np.all(np.linalg.eigvalsh(covariances) > 0):
        raise SettingsError("covariances_init must hold positive definite matrices.")
    diagonal = covariances * np.eye(n_features)
    variances = np.diagonal(covariances, axis1=1, axis2=2)
    rules = {
        "full": (True, ""),
        "tied": (np.allclose(covariances, covariances[0]), "equal matrices"),
        "diag": (np.allclose(covariances, diagonal), "diagonal matrices"),
        "spherical": (
            np.allclose(covariances, diagonal) and np.allclose(variances, variances[:, :1]),
            "multiples of the identity",
        ),
    }
    valid, expected = rules[covariance_type]
    if not valid:
        raise SettingsError(
            f"covariance_type={covariance_type!r} needs covariances_init to be {expected}."
        )
