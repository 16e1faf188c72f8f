"""Views of a Gaussian mixture in more than two dimensions: its marginals on a few
coordinates, and its image under a linear map such as the data's first two principal
components.

Both are exact. A Gaussian's marginal on some coordinates is the Gaussian of the matching
entries of its mean and sub-block of its covariance; the image of N(mu, Sigma) under
``x -> A (x - c)`` is N(A (mu - c), A Sigma A'). So the ellipses drawn from these are the
ellipses of the fitted model itself, not of something fitted to the projected points.
"""

from dataclasses import dataclass

import numpy as np

_SQRT_2PI = np.sqrt(2 * np.pi)


def marginal(
    means: np.ndarray, covariances: np.ndarray, features: np.ndarray | list[int]
) -> tuple[np.ndarray, np.ndarray]:
    """Each component's marginal on the coordinates ``features``.

    Parameters
    ----------
    means : ndarray of shape (K, D)
    covariances : ndarray of shape (K, D, D)
    features : sequence of M int
        Indices into the D coordinates, in the order wanted.

    Returns
    -------
    means : ndarray of shape (K, M)
    covariances : ndarray of shape (K, M, M)
        The sub-blocks ``covariances[:, features][:, :, features]``.
    """
    index = np.asarray(features, dtype=np.intp)
    covariances = np.asarray(covariances, dtype=float)
    return np.asarray(means, dtype=float)[:, index], covariances[:, index[:, None], index]


@dataclass(frozen=True, eq=False)
class Projection:
    """The affine map ``x -> (x - centre) @ axes.T`` onto a few directions.

    Attributes
    ----------
    centre : ndarray of shape (D,)
    axes : ndarray of shape (P, D)
        Row p maps the data's coordinates to the p-th projected coordinate (``A``).
    explained : ndarray of shape (P,)
        The fraction of the variance each direction carries (of the scaled data, for
        principal components).
    """

    centre: np.ndarray
    axes: np.ndarray
    explained: np.ndarray

    def points(self, X: np.ndarray) -> np.ndarray:
        """(N, D) points as (N, P) projected coordinates."""
        return (np.asarray(X, dtype=float) - self.centre) @ self.axes.T

    def gaussians(
        self, means: np.ndarray, covariances: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The images of the Gaussians N(means[k], covariances[k]): means (K, D) and
        covariances (K, D, D) in, means ``A (mu - c)`` (K, P) and covariances
        ``A Sigma A'`` (K, P, P) out."""
        covariances = np.asarray(covariances, dtype=float)
        return self.points(means), self.axes @ covariances @ self.axes.T


def principal_components(X: np.ndarray, n_components: int = 2) -> Projection:
    """The data's first principal components, each feature scaled to unit variance first.

    Scaling makes every measurement count alike whatever its unit (wine's proline, in the
    hundreds, would otherwise be the first component alone). The map depends on the data
    only, so a run's every state is drawn on the same axes. Each direction's sign is
    chosen so that its largest loading is positive, so that the map is reproducible.

    Parameters
    ----------
    X : ndarray of shape (N, D), N >= 2, D >= n_components
    n_components : int, default=2

    Returns
    -------
    projection : Projection
        ``axes`` (n_components, D) acts on the unscaled data: ``A = V' S^-1`` for ``V``
        the leading eigenvectors of the correlation matrix and ``S`` the features'
        standard deviations (1 for a feature that does not vary).
    """
    X = np.asarray(X, dtype=float)
    centre = X.mean(axis=0)
    scale = X.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    scaled = (X - centre) / scale
    variances, vectors = np.linalg.eigh(scaled.T @ scaled / len(X))
    order = np.argsort(variances)[::-1][:n_components]
    directions = vectors[:, order].T
    largest = np.argmax(np.abs(directions), axis=1)
    directions *= np.sign(directions[np.arange(n_components), largest])[:, None]
    total = variances.sum()
    explained = variances[order] / total if total > 0 else np.zeros(n_components)
    return Projection(centre, directions / scale, np.clip(explained, 0.0, 1.0))


def component_densities(
    grid: np.ndarray, weights: np.ndarray, means: np.ndarray, variances: np.ndarray
) -> np.ndarray:
    """Each component's weighted 1-D normal density ``w_k N(x; m_k, v_k)`` on a grid; their
    sum over k is the mixture's density, and row k integrates to ``w_k``.

    Parameters
    ----------
    grid : ndarray of shape (G,)
    weights, means, variances : ndarray of shape (K,)
        Variances positive.

    Returns
    -------
    densities : ndarray of shape (K, G)
    """
    sd = np.sqrt(np.asarray(variances, dtype=float))[:, None]
    z = (np.asarray(grid, dtype=float)[None, :] - np.asarray(means, dtype=float)[:, None]) / sd
    return np.asarray(weights, dtype=float)[:, None] * np.exp(-0.5 * z**2) / (_SQRT_2PI * sd)
