"""Why EM works: the evidence lower bound (ELBO) and its gap to the log-likelihood.

For any distribution ``q`` over the labels (one row per point),

    log p(X | theta) = L(q, theta) + KL(q || p(Z | X, theta)),
    L(q, theta) = E_q[log p(X, Z | theta)] + H(q).

The E-step sets ``q`` to the posterior, closing the gap (KL = 0); the M-step raises
``L`` over ``theta`` with ``q`` held, and the log-likelihood rises at least as much.
Everything here takes the joint log-densities ``log_prob[i, k] = log p(x_i, z_i = k)``
and ``q`` as (n_samples, n_components) arrays; no Streamlit.
"""

from collections.abc import Callable

import numpy as np

from em_viz.engine.families import gaussian
from em_viz.engine.posterior import posterior

GRID_CHUNK = 2**20
"""At most this many (grid value, point) pairs are held at once along a slice."""


def expected_complete_log_likelihood(log_prob: np.ndarray, q: np.ndarray) -> float:
    """``E_q[log p(X, Z | theta)] = sum_ik q_ik log p(x_i, z_i = k | theta)``.

    A dot product over the transposes, which is copy-free for the column-major arrays
    the stepper keeps (it runs once per half-step). A label impossible for a point
    (``log_prob = -inf``) that ``q`` never gives it counts 0, not NaN.
    """
    total = float(np.vdot(q.T, log_prob.T))
    if np.isnan(total):
        with np.errstate(invalid="ignore"):
            total = float(np.where(q > 0, q * log_prob, 0.0).sum())
    return total


def entropy(q: np.ndarray) -> float:
    """``H(q) = -sum_ik q_ik log q_ik``, with ``0 log 0 = 0`` (0 for a 0/1 assignment)."""
    positive = q[q > 0]
    return float(-np.dot(positive, np.log(positive)))


def elbo(log_prob: np.ndarray, q: np.ndarray) -> float:
    """The evidence lower bound ``L(q, theta) = E_q[log p(X, Z | theta)] + H(q)``; never
    above the log-likelihood, equal to it when ``q`` is the posterior."""
    return expected_complete_log_likelihood(log_prob, q) + entropy(q)


def log_likelihood(log_prob: np.ndarray) -> float:
    """``log p(X | theta) = sum_i log sum_k p(x_i, z_i = k | theta)``."""
    return float(posterior(log_prob)[0].sum())


def kl_divergence(log_prob: np.ndarray, q: np.ndarray) -> float:
    """``KL(q || p(Z | X, theta)) = log p(X | theta) - L(q, theta)``, the gap; 0 when
    ``q`` is the posterior, positive for a 0/1 assignment of points that are not
    certain."""
    return log_likelihood(log_prob) - elbo(log_prob, q)


def _along(
    log_prob: np.ndarray,
    q: np.ndarray,
    component: int,
    change: Callable[[slice], tuple[np.ndarray, np.ndarray]],
    n_values: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The log-likelihood and ``L(q, .)`` at ``n_values`` parameter values, where value
    ``g`` adds ``own[g]`` (shape (n_samples,) or (1,)) to column ``component`` of
    ``log_prob`` and ``rest[g]`` to every other column; ``change(chunk) -> (own, rest)``
    for a slice of the values, taken in chunks of ``GRID_CHUNK`` (value, point) pairs."""
    own_log_prob = log_prob[:, component]
    others = np.delete(log_prob, component, axis=1)
    others_log_norm = posterior(others)[0] if others.shape[1] else np.full(len(q), -np.inf)
    q_own = q[:, component]
    base = elbo(log_prob, q)
    log_likelihoods, elbos = np.empty(n_values), np.empty(n_values)
    step = max(1, GRID_CHUNK // len(q))
    for start in range(0, n_values, step):
        chunk = slice(start, min(start + step, n_values))
        own, rest = change(chunk)
        joint = np.logaddexp(own_log_prob + own, others_log_norm + rest[:, None])
        log_likelihoods[chunk] = joint.sum(axis=1)
        elbos[chunk] = base + np.sum(own * q_own, axis=1) + rest * (q.sum() - q_own.sum())
    return log_likelihoods, elbos


def _mean_line(
    X: np.ndarray, params: gaussian.GaussianParams, component: int, coordinate: int
) -> tuple[np.ndarray, float]:
    """``a_i = e'P(x_i - mu)`` and ``c = e'Pe`` for moving the component's mean by ``t``
    along coordinate ``e``: ``log N(x_i | mu + t e, S) - log N(x_i | mu, S)`` is
    ``t a_i - c t^2 / 2`` (P the precision)."""
    precision = np.linalg.inv(params.covariances[component])[coordinate]
    return (X - params.means[component]) @ precision, float(precision[coordinate])


def bound_along(
    X: np.ndarray,
    params: gaussian.GaussianParams,
    q: np.ndarray,
    component: int,
    values: np.ndarray,
    coordinate: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Bishop's figure 9.14 along one parameter: ``log p(X | theta)`` and ``L(q, theta)``
    as one parameter of one component takes each of ``values``, the rest held.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    params : GaussianParams
        The parameters held (and the one varied, at its current value).
    q : ndarray of shape (n_samples, n_components)
        The distribution over labels the bound is for (the latest E-step's).
    component : int
    values : ndarray of shape (n_values,)
        Values of the varied parameter.
    coordinate : int, optional
        The coordinate of the component's mean to vary; None varies its weight, the
        other weights rescaled to keep the sum 1 (values in the open interval (0, 1)).

    Returns
    -------
    log_likelihood, elbo : ndarray of shape (n_values,)
    """
    values = np.asarray(values, dtype=float)
    log_prob = gaussian.log_prob(X, params)
    if coordinate is None:
        weight = params.weights[component]
        own = np.log(values / weight)[:, None]
        rest = np.log1p(-values) - np.log1p(-weight)
        return _along(log_prob, q, component, lambda chunk: (own[chunk], rest[chunk]), len(values))
    slope, curvature = _mean_line(X, params, component, coordinate)
    shifts = values - params.means[component, coordinate]
    zero = np.zeros(len(values))

    def change(chunk: slice) -> tuple[np.ndarray, np.ndarray]:
        t = shifts[chunk, None]
        return t * slope - 0.5 * curvature * t**2, zero[chunk]

    return _along(log_prob, q, component, change, len(values))


def argmax_along(
    X: np.ndarray,
    params: gaussian.GaussianParams,
    q: np.ndarray,
    component: int,
    coordinate: int | None = None,
) -> float | None:
    """Where ``L(q, theta)`` peaks as the parameter of :func:`bound_along` varies alone.

    For the weight, ``N_k / N`` (``N_k = sum_i q_ik``): the M-step's weight. For a mean
    coordinate the bound is a parabola in it; its peak is the M-step's value when the
    parameters are the M-step's own for this ``q`` (they maximise ``L(q, .)`` over all
    parameters at once), and near it otherwise. None for a component without
    responsibility (the bound is then flat along it).
    """
    q_own = q[:, component]
    mass = q_own.sum()
    if mass == 0:
        return None
    if coordinate is None:
        return float(mass / q.sum())
    slope, curvature = _mean_line(X, params, component, coordinate)
    return float(params.means[component, coordinate] + (q_own @ slope) / (curvature * mass))
