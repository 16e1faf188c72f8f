"""One point's E-step and one component's M-step with every number, for the page that
writes the equations out (pure NumPy; the LaTeX is the page's)."""

from dataclasses import dataclass

import numpy as np

from em_viz.engine.families import gaussian
from em_viz.engine.posterior import posterior


@dataclass(frozen=True, eq=False)
class EStepTerms:
    """The E-step of point ``x_i``: ``r_ik = pi_k N(x_i | mu_k, Sigma_k) / sum_j ...``.

    Attributes
    ----------
    point : ndarray of shape (n_features,)
    weights, densities, products : ndarray of shape (n_components,)
        ``pi_k``, ``N(x_i | mu_k, Sigma_k)`` and their product (0 where it underflows).
    total : float
        ``sum_k pi_k N(x_i | mu_k, Sigma_k) = p(x_i)``.
    resp : ndarray of shape (n_components,)
        ``r_ik``, computed in logs so that it stays exact when the products underflow.
    """

    point: np.ndarray
    weights: np.ndarray
    densities: np.ndarray
    products: np.ndarray
    total: float
    resp: np.ndarray


def e_step_terms(X: np.ndarray, params: gaussian.GaussianParams, index: int) -> EStepTerms:
    """The soft E-step of point ``X[index]`` under ``params``, term by term."""
    point = np.asarray(X, dtype=float)[index]
    log_joint = gaussian.log_prob(point[None, :], params)
    log_norm, resp = posterior(log_joint)
    return EStepTerms(
        point=point,
        weights=params.weights,
        densities=np.exp(log_joint[0] - np.log(params.weights)),
        products=np.exp(log_joint[0]),
        total=float(np.exp(log_norm[0])),
        resp=resp[0],
    )


@dataclass(frozen=True, eq=False)
class MStepTerms:
    """The M-step of component k from responsibilities ``r_ik``.

    Attributes
    ----------
    mass : float
        ``N_k = sum_i r_ik``.
    n_samples : int
        ``N``.
    weight : float
        ``pi_k = N_k / N``.
    mean : ndarray of shape (n_features,)
        ``mu_k = sum_i r_ik x_i / N_k``.
    scatter : ndarray of shape (n_features, n_features)
        ``sum_i r_ik (x_i - mu_k)(x_i - mu_k)' / N_k``.
    covariance : ndarray of shape (n_features, n_features)
        ``scatter + reg_covar I``, the full-covariance M-step's ``Sigma_k``.
    """

    mass: float
    n_samples: int
    weight: float
    mean: np.ndarray
    scatter: np.ndarray
    covariance: np.ndarray


def m_step_terms(
    X: np.ndarray, resp: np.ndarray, component: int, reg_covar: float
) -> MStepTerms | None:
    """The full-covariance M-step of one component, term by term; None if no point is
    responsible for it at all (it then keeps its place)."""
    X = np.asarray(X, dtype=float)
    r = resp[:, component]
    mass = float(r.sum())
    if mass == 0:
        return None
    mean = r @ X / mass
    offsets = X - mean
    scatter = (r[:, None] * offsets).T @ offsets / mass
    return MStepTerms(
        mass=mass,
        n_samples=len(X),
        weight=mass / len(X),
        mean=mean,
        scatter=scatter,
        covariance=scatter + reg_covar * np.eye(X.shape[1]),
    )
