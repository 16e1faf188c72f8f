"""The Gaussian mixture family: log-densities, the M-step and initial parameters.

Every covariance type is stored as full ``(n_components, n_features, n_features)``
matrices, so one log-density serves all four types; the types differ only in how the
M-step constrains the per-component scatter (a dict of small functions, as in
scikit-learn's ``mixture`` module). The k-means and fixed-variance M-steps are the same
M-step under further constraints (equal weights; one shared spherical covariance, or
covariances held fixed).

Both hot paths use the expanded quadratic form: the Mahalanobis distances and the
weighted moments are single matrix products of the data's monomials (``x_i x_j`` and
``x_i``) with small coefficient matrices, taken about a centre inside the data so that
the expansion does not cancel away digits.
"""

from dataclasses import dataclass, replace
from functools import cache

import numpy as np
from sklearn.cluster import KMeans, kmeans_plusplus

from em_viz.engine.families import EMPTY_COMPONENT_MASS, empty_warning, mixture_weights
from em_viz.engine.families.saddle import identical_groups, saddle_warning
from em_viz.engine.validation import check_choice

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")
INIT_METHODS = ("random-points", "k-means++", "kmeans", "random-responsibilities")

# A covariance eigenvalue within this factor of reg_covar means the data gave the
# component no spread in that direction: it has collapsed.
COLLAPSE_FACTOR = 1.01

# Below this factor of reg_covar, reg_covar is a noticeable part of a variance: the M-step
# is then no longer the exact maximiser, and the log-likelihood may dip.
NARROW_FACTOR = 100.0

STEP_FAILED = (
    "The M-step gave a covariance that is numerically singular, so this step was not "
    "taken. Increase reg_covar, scale the data, or use fewer components."
)


@dataclass(frozen=True, eq=False)
class GaussianParams:
    """Parameters of a Gaussian mixture.

    Attributes
    ----------
    weights : ndarray of shape (n_components,)
        Mixing weights, summing to 1.
    means : ndarray of shape (n_components, n_features)
    covariances : ndarray of shape (n_components, n_features, n_features)
        Full matrices whatever the covariance type (tied: equal copies).
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray


@dataclass(frozen=True, eq=False)
class GaussianData:
    """Data with its monomials, computed once so that each half-step is one matrix product.

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_features)
    centre : ndarray of shape (n_features,)
        The data's mean; the expansions are taken about it so that they lose no digits.
    monomials : ndarray of shape (1 + D(D+1)/2 + D, n_samples)
        Rows ``1``, ``y_i y_j`` (i <= j) and ``y_i`` of ``y = x - centre``.
    """

    X: np.ndarray
    centre: np.ndarray
    monomials: np.ndarray


@cache
def _upper_triangle(n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of the upper triangle, diagonal included."""
    return np.triu_indices(n_features)


def prepare(X: "np.ndarray | GaussianData") -> GaussianData:
    """The data with its monomials (returned as is if already prepared)."""
    if isinstance(X, GaussianData):
        return X
    centre = X.mean(axis=0)
    return GaussianData(X, centre, monomials(X - centre))


def monomials(Y: np.ndarray) -> np.ndarray:
    """Rows ``1``, ``y_i y_j`` (i <= j) and ``y_i`` of ``Y`` (n_samples, n_features),
    points about a centre inside the data: shape (1 + D(D+1)/2 + D, n_samples)."""
    n_samples, n_features = Y.shape
    Y = Y.T.copy()
    rows, cols = _upper_triangle(n_features)
    result = np.empty((1 + rows.size + n_features, n_samples))
    result[0] = 1.0
    np.multiply(Y[rows], Y[cols], out=result[1 : 1 + rows.size])
    result[1 + rows.size :] = Y
    return result


def log_prob(X: "np.ndarray | GaussianData", params: GaussianParams) -> np.ndarray:
    """Joint log-densities ``log(pi_k N(x_i | mu_k, Sigma_k))``.

    One matrix product of the monomials of ``x`` with each component's coefficients:
    ``log pi_k - (D log(2 pi) + log|Sigma_k| + (x - mu_k)' Sigma_k^-1 (x - mu_k)) / 2``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features) or GaussianData
    params : GaussianParams

    Returns
    -------
    log_prob : ndarray of shape (n_samples, n_components)
        Column-major, so that per-point reductions over components run fast.

    Raises
    ------
    numpy.linalg.LinAlgError
        If a covariance is not positive definite.
    """
    data = prepare(X)
    n_features = len(data.centre)
    chol = np.linalg.cholesky(params.covariances)
    log_det = 2 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
    chol_inv = np.linalg.inv(chol)
    precisions = np.swapaxes(chol_inv, 1, 2) @ chol_inv
    coefficients = density_coefficients(
        params.weights, params.means - data.centre, precisions, log_det, n_features
    )
    return (coefficients @ data.monomials).T


def density_coefficients(
    weights: np.ndarray,
    offsets: np.ndarray,
    precisions: np.ndarray,
    log_det: np.ndarray,
    n_dims: int,
) -> np.ndarray:
    """Each component's ``log(pi_k N(y | offset_k, precision_k^-1))`` as coefficients
    (n_components, 1 + D(D+1)/2 + D) of the monomials of ``y`` (:func:`monomials`).

    ``offsets`` (K, D) are the means about the monomials' centre; ``precisions``
    (K, D, D) are zero in the rows and columns of coordinates a marginal leaves out, and
    ``log_det`` (K,) and ``n_dims`` are those of the density's own coordinates.
    """
    precision_means = np.einsum("kij,kj->ki", precisions, offsets)
    rows, cols = _upper_triangle(precisions.shape[-1])
    quadratic = precisions[:, rows, cols] * np.where(rows == cols, -0.5, -1.0)
    constant = np.log(weights) - 0.5 * (
        n_dims * np.log(2 * np.pi) + log_det + np.einsum("ki,ki->k", offsets, precision_means)
    )
    return np.hstack([constant[:, None], quadratic, precision_means])


def _constrain_full(covariances: np.ndarray, nk: np.ndarray) -> np.ndarray:
    return covariances


def _constrain_tied(covariances: np.ndarray, nk: np.ndarray) -> np.ndarray:
    shared = np.einsum("k,kij->ij", nk, covariances) / nk.sum()
    return np.broadcast_to(shared, covariances.shape).copy()


def _constrain_diag(covariances: np.ndarray, nk: np.ndarray) -> np.ndarray:
    return covariances * np.eye(covariances.shape[-1])


def _constrain_spherical(covariances: np.ndarray, nk: np.ndarray) -> np.ndarray:
    n_features = covariances.shape[-1]
    variances = np.trace(covariances, axis1=1, axis2=2) / n_features
    return variances[:, None, None] * np.eye(n_features)


def _constrain_tied_spherical(covariances: np.ndarray, nk: np.ndarray) -> np.ndarray:
    return _constrain_tied(_constrain_spherical(covariances, nk), nk)


_CONSTRAIN = {
    "full": _constrain_full,
    "tied": _constrain_tied,
    "diag": _constrain_diag,
    "spherical": _constrain_spherical,
    # Not offered as a covariance type: k-means' one shared variance (estimate_kmeans).
    "tied-spherical": _constrain_tied_spherical,
}


def estimate(
    X: np.ndarray,
    resp: np.ndarray,
    *,
    covariance_type: str = "full",
    reg_covar: float = 1e-6,
    previous: GaussianParams | None = None,
) -> GaussianParams:
    """The M-step: maximum-likelihood parameters for the given responsibilities.

    Matches scikit-learn's ``_estimate_gaussian_parameters`` (including its
    ``10 * eps`` added to every ``nk``), with ``reg_covar`` added to the diagonal.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features) or GaussianData
    resp : ndarray of shape (n_samples, n_components)
    covariance_type : {"full", "tied", "diag", "spherical", "tied-spherical"}
        "tied-spherical" is one variance shared by all components (the mean squared
        distance per dimension of the points to their components' means).
    reg_covar : float
        Added to the diagonal of every covariance, keeping them invertible.
    previous : GaussianParams, optional
        An empty component (no responsibility at all) keeps its mean and covariance
        from here rather than falling to the origin.

    Returns
    -------
    params : GaussianParams
    """
    data = prepare(X)
    return from_moments(
        *weighted_moments(resp, data.monomials, len(data.centre)),
        data.centre,
        covariance_type=covariance_type,
        reg_covar=reg_covar,
        previous=previous,
    )


def weighted_moments(
    resp: np.ndarray, monomials: np.ndarray, n_features: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each component's responsibility-weighted sums of ``1``, ``y`` and ``y y'`` (shapes
    (K,), (K, D), (K, D, D)): one matrix product of ``resp`` (N, K) with the monomials."""
    moments = resp.T @ monomials.T
    rows, cols = _upper_triangle(n_features)
    products = np.empty((len(moments), n_features, n_features))
    products[:, rows, cols] = moments[:, 1 : 1 + rows.size]
    products[:, cols, rows] = moments[:, 1 : 1 + rows.size]
    return moments[:, 0], moments[:, 1 + rows.size :], products


def from_moments(
    mass: np.ndarray,
    sums: np.ndarray,
    products: np.ndarray,
    centre: np.ndarray,
    *,
    covariance_type: str = "full",
    reg_covar: float = 1e-6,
    previous: GaussianParams | None = None,
) -> GaussianParams:
    """The M-step (:func:`estimate`) from the sums of :func:`weighted_moments` about
    ``centre`` (D,), or their expectations when entries are missing."""
    n_features = len(centre)
    nk = mass + 10 * np.finfo(float).eps
    offsets = sums / nk[:, None]
    scatter = products / nk[:, None, None] - offsets[:, :, None] * offsets[:, None, :]
    covariances = _CONSTRAIN[covariance_type](scatter, nk) + reg_covar * np.eye(n_features)
    means = centre + offsets

    if previous is not None:
        empty = mass < EMPTY_COMPONENT_MASS
        means[empty] = previous.means[empty]
        covariances[empty] = previous.covariances[empty]
    return GaussianParams(weights=mixture_weights(mass), means=means, covariances=covariances)


def estimate_kmeans(
    X: "np.ndarray | GaussianData",
    resp: np.ndarray,
    *,
    reg_covar: float = 1e-6,
    previous: GaussianParams | None = None,
) -> GaussianParams:
    """Lloyd's update as a constrained M-step: each mean the mean of its points, equal
    weights, and one shared spherical covariance.

    Empty clusters are handled as scikit-learn's ``KMeans(algorithm="lloyd")`` does:
    each takes one of the points farthest from their current centres (that point leaves
    its own cluster's sums), and a cluster still empty after that sits at the centre of
    the largest cluster.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features) or GaussianData
    resp : ndarray of shape (n_samples, n_components)
        Hard assignments (one 1 per row), from the nearest centres of ``previous``.
    reg_covar : float
        Added to the shared variance, keeping it positive.
    previous : GaussianParams, optional
        The centres the assignments came from; needed to relocate empty clusters.

    Returns
    -------
    params : GaussianParams
        Weights ``1 / n_components``; covariances all ``(s2 + reg_covar) I``, where
        ``s2`` is the mean squared distance per dimension from each point to its
        cluster's new centre (the maximum-likelihood shared variance).
    """
    data = prepare(X)
    if previous is not None:
        resp = _relocate_empty_clusters(data, resp, previous.means)
    mass = resp.sum(axis=0)
    params = estimate(data, resp, covariance_type="tied-spherical", reg_covar=reg_covar)
    stranded = mass == 0
    params.means[stranded] = params.means[mass.argmax()]
    return replace(params, weights=np.full(len(mass), 1 / len(mass)))


def _relocate_empty_clusters(
    data: GaussianData, resp: np.ndarray, means: np.ndarray
) -> np.ndarray:
    """``resp`` with each empty cluster given one of the points farthest from their
    centres, picked as scikit-learn's ``_relocate_empty_clusters_dense`` picks them."""
    empty = np.flatnonzero(resp.sum(axis=0) == 0)
    if empty.size == 0:
        return resp
    distances = ((data.X - means[resp.argmax(axis=1)]) ** 2).sum(axis=1)
    if distances.max() == 0:
        return resp
    far = np.argpartition(distances, -empty.size)[: -empty.size - 1 : -1]
    resp = np.array(resp)
    resp[far] = 0.0
    resp[far, empty] = 1.0
    return resp


def estimate_means(
    X: "np.ndarray | GaussianData", resp: np.ndarray, *, previous: GaussianParams
) -> GaussianParams:
    """The M-step for the means alone: weights and covariances stay as in ``previous``.

    Each mean is the responsibility-weighted mean of the data (an empty component keeps
    its mean), the exact maximiser over the means with the rest held fixed.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features) or GaussianData
    resp : ndarray of shape (n_samples, n_components)
    previous : GaussianParams

    Returns
    -------
    params : GaussianParams
    """
    moved = estimate(X, resp, covariance_type="spherical", previous=previous)
    return replace(previous, means=moved.means)


def sum_of_squares(
    X: "np.ndarray | GaussianData", params: GaussianParams, resp: np.ndarray
) -> float:
    """``sum_i ||x_i - mu_{z_i}||^2`` with ``z_i`` the component of largest ``resp``
    (k-means' inertia, when ``resp`` assigns each point to its nearest mean)."""
    data = prepare(X)
    offsets = data.X - params.means[resp.argmax(axis=1)]
    return float(np.einsum("ij,ij->", offsets, offsets))


def kmeans_start(X: np.ndarray, means: np.ndarray, reg_covar: float) -> GaussianParams:
    """k-means' starting parameters: the given means, equal weights, and the shared
    variance the whole data's (its mean variance per dimension, plus ``reg_covar``)."""
    return _around_data(X, means, "tied-spherical", reg_covar)


def fixed_start(means: np.ndarray, epsilon: float) -> GaussianParams:
    """The given means, equal weights and every covariance ``epsilon * I``."""
    n_components, n_features = np.shape(means)
    return GaussianParams(
        weights=np.full(n_components, 1 / n_components),
        means=np.array(means, dtype=float),
        covariances=np.tile(epsilon * np.eye(n_features), (n_components, 1, 1)),
    )


def _around_data(
    X: np.ndarray, means: np.ndarray, covariance_type: str, reg_covar: float
) -> GaussianParams:
    """Equal weights, the given means, and every covariance the whole data's."""
    whole = estimate(X, np.ones((len(X), 1)), covariance_type=covariance_type, reg_covar=reg_covar)
    n_components = len(means)
    return GaussianParams(
        weights=np.full(n_components, 1 / n_components),
        means=np.array(means, dtype=float),
        covariances=np.repeat(whole.covariances, n_components, axis=0),
    )


def initial(
    X: np.ndarray,
    n_components: int,
    method: str,
    rng: np.random.Generator,
    *,
    covariance_type: str = "full",
    reg_covar: float = 1e-6,
) -> GaussianParams:
    """Starting parameters, always a proper mixture (weights sum to 1, covariances sized
    like the data).

    - ``"random-points"``: means at distinct data points drawn at random; every
      covariance the whole data's covariance; equal weights.
    - ``"k-means++"``: means from k-means++ seeding; covariances and weights as above.
    - ``"kmeans"``: one k-means fit; the M-step from its hard labels.
    - ``"random-responsibilities"``: the M-step from random responsibilities (all means
      start near the data's centre).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    n_components : int
    method : str
        One of ``INIT_METHODS``.
    rng : numpy.random.Generator
    covariance_type, reg_covar
        As for :func:`estimate`.

    Returns
    -------
    params : GaussianParams
    """
    check_choice(method, "init", INIT_METHODS)
    settings = {"covariance_type": covariance_type, "reg_covar": reg_covar}
    seed = int(rng.integers(np.iinfo(np.int32).max))
    if method == "random-points":
        distinct = np.unique(X, axis=0)
        chosen = rng.choice(len(distinct), size=n_components, replace=False)
        return _around_data(X, distinct[np.sort(chosen)], **settings)
    if method == "k-means++":
        centres, _ = kmeans_plusplus(X, n_components, random_state=seed)
        return _around_data(X, centres, **settings)
    if method == "kmeans":
        labels = KMeans(n_components, n_init=1, random_state=seed).fit(X).labels_
        return estimate(X, np.eye(n_components)[labels], **settings)
    resp = rng.uniform(size=(len(X), n_components))  # "random-responsibilities"
    return estimate(X, resp / resp.sum(axis=1, keepdims=True), **settings)


def diagnose(
    params: GaussianParams, n_samples: int, reg_covar: float, saddles: bool = True
) -> list[str]:
    """Plain-words warnings about empty or collapsed components, and about nearly
    identical ones (a saddle point).

    Parameters
    ----------
    params : GaussianParams
    n_samples : int
    reg_covar : float
    saddles : bool, default=True
        Whether to name nearly identical components (soft EM only: hard EM splits them
        at its next E-step, or else repeats its parameters exactly).

    Returns
    -------
    warnings : list of str
        One sentence per troubled component (numbered from 1, as the app shows them).
    """
    messages = []
    eigenvalues = np.linalg.eigvalsh(params.covariances)
    flat = eigenvalues <= COLLAPSE_FACTOR * reg_covar
    narrow = eigenvalues.min(axis=1) <= NARROW_FACTOR * reg_covar
    empty = params.weights * n_samples < EMPTY_COMPONENT_MASS
    for k in range(len(params.weights)):
        if empty[k]:
            messages.append(empty_warning(k))
        elif flat[k].all():
            messages.append(
                f"Component {k + 1} collapsed onto a single point; its variance is held at "
                f"reg_covar ({reg_covar:g}). Its density there, and the log-likelihood, "
                "can grow without bound: try another start, fewer components or a larger "
                "reg_covar."
            )
        elif flat[k].any():
            shape = "a line" if (~flat[k]).sum() == 1 else "a flat subspace"
            messages.append(
                f"Component {k + 1} collapsed onto {shape} (no spread across it); its "
                f"variance across it is held at reg_covar ({reg_covar:g}). Try another "
                "start, fewer components or a larger reg_covar."
            )
        elif narrow[k]:
            messages.append(
                f"Component {k + 1} is very narrow: reg_covar ({reg_covar:g}) is more than "
                f"{100 / NARROW_FACTOR:g}% of its variance, so a step may lower the "
                "log-likelihood slightly. Scale the data up or lower reg_covar."
            )
    if saddles:
        messages.extend(saddle_warning(group) for group in identical_groups(params))
    return messages
