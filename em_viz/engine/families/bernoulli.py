"""The Bernoulli mixture family, and the binomial one it contains: coins with unknown
biases.

Each observation is, per feature, a number of heads in a number of tosses (one toss each
for binary data: a Bernoulli mixture; a set of tosses of one coin: a binomial mixture).
Component k has a weight ``pi_k`` and a probability of heads ``p_kd`` per feature:

    log p(x_i, z_i = k) = log pi_k + sum_d [h_id log p_kd + t_id log(1 - p_kd)],

with ``h`` the heads and ``t`` the tails: the probability of the tosses as observed, in
their order (so no binomial coefficient). Each sum is one matrix product, with
``0 log 0 = 0``.

The M-step is the maximum a posteriori estimate under a Beta(1 + a, 1 + a) prior on every
``p_kd``, ``a`` the pseudo-count:

    p_kd = (sum_i r_ik h_id + a) / (sum_i r_ik (h_id + t_id) + 2 a),

as if each component had seen ``a`` more heads and ``a`` more tails in every feature.
With ``a > 0`` no probability reaches 0 or 1, so ``log 0`` never happens and no point is
ever impossible for a component; ``a = 0`` is plain maximum likelihood. EM then never
lowers the log-likelihood plus the log prior (:func:`log_prior`).
"""

from dataclasses import dataclass

import numpy as np
from scipy.special import betaln
from sklearn.cluster import KMeans

from em_viz.engine.families import EMPTY_COMPONENT_MASS, empty_warning, mixture_weights
from em_viz.engine.validation import SettingsError, check_choice

INIT_METHODS = ("random", "random-responsibilities", "kmeans")
RANDOM_RANGE = (0.25, 0.75)
"""``init="random"`` draws every probability uniformly from this range (Bishop, PRML
section 9.3.3), away from the certainties 0 and 1."""

STEP_FAILED = (
    "The M-step gave probabilities of exactly 0 or 1 that make some data impossible under "
    "every component, so this step was not taken. Use a pseudo-count above 0."
)


@dataclass(frozen=True, eq=False)
class BernoulliParams:
    """Parameters of a Bernoulli (or binomial) mixture.

    Attributes
    ----------
    weights : ndarray of shape (n_components,)
        Mixing weights, summing to 1.
    probabilities : ndarray of shape (n_components, n_features)
        Each component's probability of heads (of a 1) per feature.
    """

    weights: np.ndarray
    probabilities: np.ndarray


@dataclass(frozen=True, eq=False)
class CountData:
    """Heads and tails per observation and feature, transposed once for the matrix
    products of both half-steps.

    Attributes
    ----------
    heads : ndarray of shape (n_features, n_samples)
    tails : ndarray of shape (n_features, n_samples)
    """

    heads: np.ndarray
    tails: np.ndarray


def prepare(X: "np.ndarray | CountData", trials: "np.ndarray | float" = 1) -> CountData:
    """Heads ``X`` and tails ``trials - X``, transposed (returned as is if prepared).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features) or CountData
        Heads per observation and feature (0 or 1 for binary data).
    trials : float or ndarray broadcastable to X's shape, default=1
        Tosses per observation and feature.
    """
    if isinstance(X, CountData):
        return X
    heads = np.asarray(X, dtype=float)
    tails = np.broadcast_to(trials, heads.shape) - heads
    return CountData(np.ascontiguousarray(heads.T), np.ascontiguousarray(tails.T))


def _log_likelihood_of_counts(log_p: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``log_p @ counts`` with ``0 log 0 = 0``: an impossible outcome (``log_p = -inf``)
    costs nothing where it was never seen and makes the observation impossible where it
    was.

    Parameters
    ----------
    log_p : ndarray of shape (n_components, n_features)
    counts : ndarray of shape (n_features, n_samples)

    Returns
    -------
    ndarray of shape (n_components, n_samples)
    """
    impossible = np.isneginf(log_p)
    if not impossible.any():
        return log_p @ counts
    total = np.where(impossible, 0.0, log_p) @ counts
    total[(impossible @ counts) > 0] = -np.inf
    return total


def log_prob(X: "np.ndarray | CountData", params: BernoulliParams) -> np.ndarray:
    """Joint log-probabilities ``log pi_k + sum_d [h_id log p_kd + t_id log(1 - p_kd)]``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features) or CountData
        Binary data, or the prepared counts.
    params : BernoulliParams

    Returns
    -------
    log_prob : ndarray of shape (n_samples, n_components)
        Column-major, so that per-point reductions over components run fast; ``-inf``
        where a probability of 0 or 1 makes a point impossible for a component.
    """
    data = prepare(X)
    with np.errstate(divide="ignore"):
        log_heads = np.log(params.probabilities)
        log_tails = np.log1p(-params.probabilities)
    total = _log_likelihood_of_counts(log_heads, data.heads)
    total += _log_likelihood_of_counts(log_tails, data.tails)
    total += np.log(params.weights)[:, None]
    return total.T


def estimate(
    X: "np.ndarray | CountData",
    resp: np.ndarray,
    *,
    pseudo_count: float = 1.0,
    learn_weights: bool = True,
    previous: BernoulliParams | None = None,
) -> BernoulliParams:
    """The M-step: ``p_kd = (sum_i r_ik h_id + a) / (sum_i r_ik n_id + 2 a)`` (see the
    module's docstring) and ``pi_k = N_k / N``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features) or CountData
    resp : ndarray of shape (n_samples, n_components)
    pseudo_count : float, default=1.0
        ``a``: heads and tails added to every component and feature (0: maximum
        likelihood).
    learn_weights : bool, default=True
        False keeps the weights of ``previous`` (fixed mixing weights).
    previous : BernoulliParams, optional
        An empty component (no responsibility at all) keeps its probabilities from here
        (1/2 without it); needed for ``learn_weights=False``.

    Returns
    -------
    params : BernoulliParams
    """
    data = prepare(X)
    heads = (data.heads @ resp).T
    trials = heads + (data.tails @ resp).T
    mass = resp.sum(axis=0)
    empty = mass < EMPTY_COMPONENT_MASS
    with np.errstate(invalid="ignore", divide="ignore"):
        probabilities = (heads + pseudo_count) / (trials + 2 * pseudo_count)
    probabilities[empty] = 0.5 if previous is None else previous.probabilities[empty]
    weights = mixture_weights(mass) if learn_weights else previous.weights
    return BernoulliParams(weights=weights, probabilities=probabilities)


def log_prior(params: BernoulliParams, pseudo_count: float) -> float:
    """``log p(params)`` under a Beta(1 + a, 1 + a) prior on every probability (the
    weights have none): what EM adds to the log-likelihood when ``a > 0``.

    ``sum_kd [a log p_kd + a log(1 - p_kd)] - K D log B(1 + a, 1 + a)``; 0 for ``a = 0``
    (the uniform prior).
    """
    p = params.probabilities
    if pseudo_count == 0:
        return 0.0
    total = pseudo_count * (np.log(p).sum() + np.log1p(-p).sum())
    return float(total - p.size * betaln(1 + pseudo_count, 1 + pseudo_count))


def initial(
    X: "np.ndarray | CountData",
    n_components: int,
    method: str,
    rng: np.random.Generator,
    *,
    pseudo_count: float = 1.0,
) -> BernoulliParams:
    """Starting parameters: equal weights and probabilities inside (0, 1).

    - ``"random"``: every probability uniform in ``RANDOM_RANGE``; equal weights.
    - ``"random-responsibilities"``: the M-step from random soft assignments (all
      components start near the data's overall rates).
    - ``"kmeans"``: one k-means fit on the rates of heads, then the M-step from its
      clusters.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features) or CountData
    n_components : int
    method : str
        One of ``INIT_METHODS``.
    rng : numpy.random.Generator
    pseudo_count : float
        As for :func:`estimate`.

    Returns
    -------
    params : BernoulliParams
    """
    check_choice(method, "init", INIT_METHODS)
    data = prepare(X)
    n_samples = data.heads.shape[1]
    if method == "random":
        return BernoulliParams(
            weights=np.full(n_components, 1 / n_components),
            probabilities=rng.uniform(*RANDOM_RANGE, size=(n_components, len(data.heads))),
        )
    if method == "random-responsibilities":
        resp = rng.uniform(size=(n_samples, n_components))
        resp /= resp.sum(axis=1, keepdims=True)
    else:  # "kmeans"
        rates = (data.heads / (data.heads + data.tails)).T
        n_distinct = len(np.unique(rates, axis=0))
        if n_distinct < n_components:
            raise SettingsError(
                f"init='kmeans' needs at least {n_components} different observations for "
                f"{n_components} components; these data have {n_distinct}. Use init='random'."
            )
        seed = int(rng.integers(np.iinfo(np.int32).max))
        labels = KMeans(n_components, n_init=1, random_state=seed).fit(rates).labels_
        resp = np.eye(n_components)[labels]
    return estimate(data, resp, pseudo_count=pseudo_count)


def diagnose(params: BernoulliParams, data: CountData) -> list[str]:
    """Plain-words warnings about empty components and certain probabilities.

    A probability of exactly 0 or 1 (possible only without a pseudo-count) makes every
    observation with the other outcome in that feature impossible for the component; it
    is reported only where the data hold such an observation.

    Parameters
    ----------
    params : BernoulliParams
    data : CountData

    Returns
    -------
    warnings : list of str
        One sentence per troubled component (numbered from 1, as the app shows them).
    """
    seen_heads = data.heads.any(axis=1)
    seen_tails = data.tails.any(axis=1)
    p = params.probabilities
    certain = ((p == 0) & seen_heads) | ((p == 1) & seen_tails)
    empty = params.weights * data.heads.shape[1] < EMPTY_COMPONENT_MASS
    messages = []
    for k, n_certain in enumerate(certain.sum(axis=1)):
        if empty[k]:
            messages.append(empty_warning(k))
        elif n_certain:
            where = "its probability" if p.shape[1] == 1 else f"{n_certain} of its probabilities"
            messages.append(
                f"Component {k + 1} is certain: {where} reached exactly 0 or 1 where the "
                "data hold the other outcome, so those observations are impossible for it "
                "and can never join it. A pseudo-count above 0 keeps probabilities inside "
                "(0, 1)."
            )
    return messages
