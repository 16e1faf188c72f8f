"""The Gaussian mixture on data with missing entries (NaN, taken as missing at random).

The E-step weighs each point by its observed coordinates alone: component ``k``'s
density there is its marginal ``N(x_o | mu_o, Sigma_oo)``, so the log-likelihood is the
observed data's. Given the observed coordinates and the component, the missing ones are
Gaussian with mean ``mu_m + Sigma_mo Sigma_oo^-1 (x_o - mu_o)`` and covariance
``Sigma_mm - Sigma_mo Sigma_oo^-1 Sigma_om``. The M-step is the complete-data M-step on
the expected sufficient statistics: the missing coordinates at their conditional means,
and their conditional covariance added to the scatter (without it the variances shrink).

Everything is vectorised per missingness pattern (which coordinates a point lacks), never
per point: the points are sorted by pattern once, and each pattern is one slice of the
monomials (see :mod:`em_viz.engine.families.gaussian`), a missing coordinate's monomials
being 0. The completion ``y -> T y + b`` of a pattern is linear in the observed
coordinates, so the expected sums follow from the observed ones by small matrix products.
"""

from dataclasses import dataclass

import numpy as np

from em_viz.engine.families import gaussian
from em_viz.engine.families.gaussian import GaussianParams
from em_viz.engine.validation import DataError


@dataclass(frozen=True, eq=False)
class MissingData:
    """Data with missing entries, sorted by pattern once so that each half-step is a few
    matrix products per pattern.

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_features)
        The data as given, NaN where an entry is missing.
    centre : ndarray of shape (n_features,)
        Each coordinate's observed mean; the monomials are taken about it.
    monomials : ndarray of shape (1 + D(D+1)/2 + D, n_samples)
        Those of ``y = x - centre`` (see :func:`gaussian.monomials`), with every missing
        ``y_j`` at 0, the points in pattern order.
    order : ndarray of shape (n_samples,)
        The rows of ``X`` in pattern order.
    position : ndarray of shape (n_samples,)
        Each row's place in that order (the inverse of ``order``).
    patterns : tuple of (ndarray of shape (n_features,) of bool, slice)
        Each pattern's observed coordinates and its points' slice of the order.
    """

    X: np.ndarray
    centre: np.ndarray
    monomials: np.ndarray
    order: np.ndarray
    position: np.ndarray
    patterns: tuple[tuple[np.ndarray, slice], ...]


def check_incomplete(X: np.ndarray) -> None:
    """Raise DataError, naming the fix, for a row or a column with no observed entry."""
    missing = np.isnan(X)
    empty_rows = np.flatnonzero(missing.all(axis=1))
    if empty_rows.size:
        shown = ", ".join(str(i) for i in empty_rows[:5])
        raise DataError(
            f"{empty_rows.size} row(s) have every entry missing (e.g. rows {shown}), so they "
            "say nothing about the data; remove those rows."
        )
    empty_columns = np.flatnonzero(missing.all(axis=0))
    if empty_columns.size:
        shown = ", ".join(str(j) for j in empty_columns)
        raise DataError(
            f"Column(s) {shown} have no observed value, so nothing can be learnt about "
            "them; remove those columns."
        )


def filled(X: np.ndarray) -> np.ndarray:
    """``X`` with each missing entry at its column's observed mean: what the
    initialisations are built on (the observed values, with no new spread)."""
    return np.where(np.isnan(X), np.nanmean(X, axis=0), X)


def prepare(X: "np.ndarray | MissingData") -> MissingData:
    """The data sorted by missingness pattern, with its monomials (returned as is if
    already prepared). Every row must have an observed entry (:func:`check_incomplete`)."""
    if isinstance(X, MissingData):
        return X
    missing = np.isnan(X)
    observed, code = np.unique(~missing, axis=0, return_inverse=True)
    order = np.argsort(code.ravel(), kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(code.ravel()))])
    centre = np.nanmean(X, axis=0)
    Y = np.where(missing, 0.0, X - centre)[order]
    position = np.empty_like(order)
    position[order] = np.arange(len(order))
    patterns = tuple(
        (observed[p], slice(int(bounds[p]), int(bounds[p + 1]))) for p in range(len(observed))
    )
    return MissingData(X, centre, gaussian.monomials(Y), order, position, patterns)


@dataclass(frozen=True, eq=False)
class _Pattern:
    """One pattern's conditional pieces under each component, about the data's centre.

    ``precisions`` (K, D, D): ``Sigma_oo^-1`` in the observed rows and columns, 0
    elsewhere; ``log_det`` (K,): ``log |Sigma_oo|``; ``completion`` (K, D, D) and
    ``shift`` (K, D): ``E[y | y_o, k] = completion_k y + shift_k`` for ``y`` with its
    missing entries at 0; ``spread`` (K, D, D): ``Cov[y | y_o, k]``, nonzero only in the
    missing rows and columns.
    """

    precisions: np.ndarray
    log_det: np.ndarray
    completion: np.ndarray
    shift: np.ndarray
    spread: np.ndarray


def _conditionals(params: GaussianParams, observed: np.ndarray, centre: np.ndarray) -> _Pattern:
    """The marginal of the observed coordinates and the conditional of the missing ones,
    per component (see :class:`_Pattern`)."""
    o, m = np.flatnonzero(observed), np.flatnonzero(~observed)
    n_components, n_features = params.means.shape
    covariances = params.covariances
    chol = np.linalg.cholesky(covariances[:, o[:, None], o])
    log_det = 2 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
    chol_inv = np.linalg.inv(chol)
    observed_precisions = np.swapaxes(chol_inv, 1, 2) @ chol_inv
    precisions = np.zeros((n_components, n_features, n_features))
    precisions[:, o[:, None], o] = observed_precisions

    regression = covariances[:, m[:, None], o] @ observed_precisions  # (K, |m|, |o|)
    offsets = params.means - centre
    completion = np.zeros_like(precisions)
    completion[:, o, o] = 1.0
    completion[:, m[:, None], o] = regression
    shift = np.zeros_like(offsets)
    shift[:, m] = offsets[:, m] - np.einsum("kij,kj->ki", regression, offsets[:, o])
    spread = np.zeros_like(precisions)
    left = covariances[:, m[:, None], m] - regression @ covariances[:, o[:, None], m]
    spread[:, m[:, None], m] = (left + np.swapaxes(left, 1, 2)) / 2
    return _Pattern(precisions, log_det, completion, shift, spread)


def log_prob(X: "np.ndarray | MissingData", params: GaussianParams) -> np.ndarray:
    """Joint log-densities of each point's observed coordinates,
    ``log(pi_k N(x_o | mu_k,o, Sigma_k,oo))``: one matrix product per pattern.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features) or MissingData
    params : GaussianParams

    Returns
    -------
    log_prob : ndarray of shape (n_samples, n_components)
        In the rows' own order, column-major (as :func:`gaussian.log_prob`).

    Raises
    ------
    numpy.linalg.LinAlgError
        If a covariance is not positive definite.
    """
    data = prepare(X)
    sorted_log_prob = np.empty((len(params.weights), len(data.order)))
    offsets = params.means - data.centre
    for observed, rows in data.patterns:
        pattern = _conditionals(params, observed, data.centre)
        coefficients = gaussian.density_coefficients(
            params.weights, offsets, pattern.precisions, pattern.log_det, int(observed.sum())
        )
        sorted_log_prob[:, rows] = coefficients @ data.monomials[:, rows]
    return np.take(sorted_log_prob, data.position, axis=1).T


def estimate(
    X: "np.ndarray | MissingData",
    resp: np.ndarray,
    *,
    previous: GaussianParams,
    covariance_type: str = "full",
    reg_covar: float = 1e-6,
) -> GaussianParams:
    """The M-step on the expected sufficient statistics under ``previous``, the
    parameters the responsibilities came from.

    Per pattern and component the observed sums ``S0 = sum r``, ``S1 = sum r y`` and
    ``S2 = sum r y y'`` (missing entries at 0) complete to ``T S1 + S0 b`` and
    ``T S2 T' + T S1 b' + b S1' T' + S0 (b b' + C)``, for ``E[y | y_o] = T y + b`` and
    ``C`` the conditional covariance; then the complete-data M-step
    (:func:`gaussian.from_moments`, so covariance types and ``reg_covar`` are as there).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features) or MissingData
    resp : ndarray of shape (n_samples, n_components)
    previous : GaussianParams
        The parameters of the E-step that gave ``resp``.
    covariance_type, reg_covar
        As for :func:`gaussian.estimate`.

    Returns
    -------
    params : GaussianParams
    """
    data = prepare(X)
    n_components, n_features = previous.means.shape
    sorted_resp = np.take(resp.T, data.order, axis=1).T
    mass = np.zeros(n_components)
    sums = np.zeros((n_components, n_features))
    products = np.zeros((n_components, n_features, n_features))
    for observed, rows in data.patterns:
        count, first, second = gaussian.weighted_moments(
            sorted_resp[rows], data.monomials[:, rows], n_features
        )
        mass += count
        if observed.all():
            sums += first
            products += second
            continue
        pattern = _conditionals(previous, observed, data.centre)
        T, b = pattern.completion, pattern.shift
        completed = np.einsum("kij,kj->ki", T, first)
        cross = completed[:, :, None] * b[:, None, :]
        sums += completed + count[:, None] * b
        products += (
            T @ second @ np.swapaxes(T, 1, 2)
            + cross
            + np.swapaxes(cross, 1, 2)
            + count[:, None, None] * (b[:, :, None] * b[:, None, :] + pattern.spread)
        )
    return gaussian.from_moments(
        mass,
        sums,
        products,
        data.centre,
        covariance_type=covariance_type,
        reg_covar=reg_covar,
        previous=previous,
    )


def impute(
    X: "np.ndarray | MissingData", params: GaussianParams, resp: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each missing entry's expectation under the mixture given the point's observed
    coordinates, and its standard deviation.

    Under the mixture the missing coordinates are a mixture of the components'
    conditionals, weighted by ``resp``: mean ``sum_k r_k m_k``, variance
    ``sum_k r_k (C_k + (m_k - mean)^2)`` per coordinate.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features) or MissingData
    params : GaussianParams
        The parameters ``resp`` came from.
    resp : ndarray of shape (n_samples, n_components)

    Returns
    -------
    imputed : ndarray of shape (n_samples, n_features)
        ``X`` with each missing entry replaced; observed entries as given.
    std : ndarray of shape (n_samples, n_features)
        The conditional standard deviation of each missing entry; 0 where observed.
    """
    data = prepare(X)
    imputed = data.X.copy()
    std = np.zeros_like(imputed)
    n_features = len(data.centre)
    sorted_resp = np.take(resp.T, data.order, axis=1)
    for observed, rows in data.patterns:
        if observed.all():
            continue
        m = np.flatnonzero(~observed)
        pattern = _conditionals(params, observed, data.centre)
        Y = data.monomials[-n_features:, rows]  # (D, n), missing entries at 0
        means = np.einsum("kij,jn->kni", pattern.completion[:, m], Y) + pattern.shift[:, None, m]
        weights = sorted_resp[:, rows]
        mean = np.einsum("kn,kni->ni", weights, means)
        variances = np.diagonal(pattern.spread, axis1=1, axis2=2)[:, m]
        variance = weights.T @ variances + np.einsum("kn,kni->ni", weights, (means - mean) ** 2)
        points = data.order[rows]
        imputed[points[:, None], m] = data.centre[m] + mean
        std[points[:, None], m] = np.sqrt(variance)
    return imputed, std
