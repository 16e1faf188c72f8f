"""The E-step's one computation: from joint log-densities to responsibilities."""

import numpy as np


def posterior(log_prob: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Normalise joint log-densities by log-sum-exp.

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
