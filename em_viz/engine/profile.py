"""The profile log-likelihood of one bivariate Gaussian over its correlation, on data with
missing entries: the curve on which EM's path from a start correlation can be drawn
(Murray's example has two maxima and a saddle point between them)."""

from typing import Any

import numpy as np
from scipy.optimize import minimize

from em_viz.engine.families.gaussian_missing import check_incomplete
from em_viz.engine.validation import SettingsError, check_data

_LOG_2PI = np.log(2 * np.pi)


def _group(values: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """Count, mean (D,) and scatter about the mean (D, D) of some rows (N, D)."""
    if len(values) == 0:
        n_features = values.shape[1]
        return 0, np.zeros(n_features), np.zeros((n_features, n_features))
    mean = values.mean(axis=0)
    gaps = values - mean
    return len(values), mean, gaps.T @ gaps


def _log_likelihood(theta: np.ndarray, rho: float, groups: tuple) -> float:
    """The observed-data log-likelihood at means ``theta[:2]``, standard deviations
    ``exp(theta[2:])`` and correlation ``rho``, from each pattern's statistics."""
    means, log_sd = theta[:2], theta[2:]
    sd = np.exp(log_sd)
    (n_c, mean_c, scatter_c), singles = groups[0], groups[1:]
    precision = np.array([[1 / sd[0] ** 2, -rho / (sd[0] * sd[1])], [0, 1 / sd[1] ** 2]])
    precision[1, 0] = precision[0, 1]
    precision /= 1 - rho**2
    gap = mean_c - means
    total = -n_c * (_LOG_2PI + log_sd.sum() + 0.5 * np.log1p(-(rho**2)))
    total -= 0.5 * (np.sum(precision * scatter_c) + n_c * gap @ precision @ gap)
    for axis, (n, mean, scatter) in enumerate(singles):
        total -= n * (0.5 * _LOG_2PI + log_sd[axis])
        total -= (scatter[0, 0] + n * (mean[0] - means[axis]) ** 2) / (2 * sd[axis] ** 2)
    return float(total)


def correlation_profile(X: Any, correlations: Any) -> np.ndarray:
    """The observed-data log-likelihood of one bivariate Gaussian, for each correlation
    maximised over the means and both variances (the profile log-likelihood).

    EM's log-likelihood at an iteration with correlation ``rho`` lies on or below the
    profile at ``rho``, touching it where EM has converged. The maximisation is
    numerical (BFGS, each correlation started from the previous one's optimum).

    Parameters
    ----------
    X : array-like of shape (n_samples, 2)
        NaN where an entry is missing; every row needs an observed entry.
    correlations : array-like of shape (n_correlations,)
        Each strictly between -1 and 1.

    Returns
    -------
    log_likelihood : ndarray of shape (n_correlations,)

    Raises
    ------
    SettingsError
        For data that is not two columns, or a correlation outside (-1, 1).
    DataError
        For a row or a column with no observed entry.
    """
    X = check_data(X, allow_nan=True)
    correlations = np.asarray(correlations, dtype=float)
    if X.shape[1] != 2:
        raise SettingsError(f"The profile needs two columns; X has {X.shape[1]}.")
    if not np.all(np.abs(correlations) < 1):
        raise SettingsError("Every correlation must lie strictly between -1 and 1.")
    check_incomplete(X)
    missing = np.isnan(X)
    groups = (
        _group(X[~missing.any(axis=1)]),
        _group(X[missing[:, 1] & ~missing[:, 0]][:, :1]),
        _group(X[missing[:, 0] & ~missing[:, 1]][:, 1:]),
    )
    theta = np.concatenate([np.nanmean(X, axis=0), 0.5 * np.log(np.nanvar(X, axis=0))])
    profile = np.empty(len(correlations))
    for index, rho in enumerate(correlations):
        best = minimize(lambda t, r=rho: -_log_likelihood(t, r, groups), theta, method="BFGS")
        theta = best.x
        profile[index] = -best.fun
    return profile
