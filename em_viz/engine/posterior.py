"""The E-step's one computation, soft or hard: from joint log-densities to
responsibilities."""

import numpy as np


def posterior(log_prob: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Normalise joint log-densities by log-sum-exp (the soft E-step).

    Parameters
    ----------
    log_prob : ndarray of shape (n_samples, n_components)
        ``log p(x_i, z_i = k)``.

    Returns
    -------
    log_norm : ndarray of shape (n_samples,)
        ``log p(x_i)``.
    resp : ndarray of shape (n_samples, n_components)
        ``p(z_i = k | x_i)``; every row sums to 1.
    """
    peak = log_prob.max(axis=1, keepdims=True)
    resp = log_prob - peak
    np.exp(resp, out=resp)
    total = resp.sum(axis=1, keepdims=True)
    resp /= total
    return peak[:, 0] + np.log(total[:, 0]), resp


def hard_posterior(log_prob: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Give each point wholly to its most probable component (the hard E-step).

    Parameters
    ----------
    log_prob : ndarray of shape (n_samples, n_components)
        ``log p(x_i, z_i = k)``.

    Returns
    -------
    log_norm : ndarray of shape (n_samples,)
        ``log p(x_i)``, the mixture's, as for :func:`posterior`.
    resp : ndarray of shape (n_samples, n_components)
        1 at ``argmax_k log p(x_i, z_i = k)`` (ties to the lowest index), 0 elsewhere.
    """
    log_norm, resp = posterior(log_prob)
    resp[...] = 0.0
    resp[np.arange(len(resp)), log_prob.argmax(axis=1)] = 1.0
    return log_norm, resp
