"""One point's E-step and one component's M-step with every number, for the page that
writes the equations out (pure NumPy; the LaTeX is the page's)."""

from dataclasses import dataclass

import numpy as np

from em_viz.engine.families import gaussian, gaussian_missing
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
    completions, spreads : ndarray of shape (n_components, n_features) or None
        For a point with missing coordinates (NaN in ``point``; the densities are then
        those of its observed coordinates, ``N(x_o | mu_k,o, Sigma_k,oo)``): per
        component, the point with each missing coordinate at its conditional mean
        ``mu_k,m + Sigma_k,mo Sigma_k,oo^-1 (x_o - mu_k,o)``, and its conditional
        standard deviation (0 where observed). None for a complete point.
    """

    point: np.ndarray
    weights: np.ndarray
    densities: np.ndarray
    products: np.ndarray
    total: float
    resp: np.ndarray
    completions: np.ndarray | None = None
    spreads: np.ndarray | None = None

    @property
    def missing(self) -> np.ndarray:
        """ndarray of shape (n_features,) of bool: the point's missing coordinates."""
        return np.isnan(self.point)

    @property
    def expected(self) -> np.ndarray | None:
        """The point with each missing coordinate at its expectation under the mixture,
        ``sum_k r_ik E[x_m | x_o, k]`` (what the explorer draws); None if complete."""
        return None if self.completions is None else self.resp @ self.completions


def e_step_terms(X: np.ndarray, params: gaussian.GaussianParams, index: int) -> EStepTerms:
    """The soft E-step of point ``X[index]`` under ``params``, term by term."""
    X = np.asarray(X, dtype=float)
    point = X[index]
    missing = np.isnan(point)
    if missing.any():  # the monomials are taken about the observed means of all of X
        log_joint = gaussian_missing.log_prob(X, params)[index : index + 1]
    else:
        log_joint = gaussian.log_prob(point[None, :], params)
    log_norm, resp = posterior(log_joint)
    completions, spreads = _completions(point, params) if missing.any() else (None, None)
    return EStepTerms(
        point=point,
        weights=params.weights,
        densities=np.exp(log_joint[0] - np.log(params.weights)),
        products=np.exp(log_joint[0]),
        total=float(np.exp(log_norm[0])),
        resp=resp[0],
        completions=completions,
        spreads=spreads,
    )


def _completions(
    point: np.ndarray, params: gaussian.GaussianParams
) -> tuple[np.ndarray, np.ndarray]:
    """Per component, ``point`` (D,) with its missing coordinates at their conditional
    means given the observed ones, and their conditional standard deviations: (K, D)
    each, written out as the formulas read (one point, every component at once)."""
    o, m = np.flatnonzero(~np.isnan(point)), np.flatnonzero(np.isnan(point))
    cov = params.covariances
    regression = cov[:, m[:, None], o] @ np.linalg.inv(cov[:, o[:, None], o])  # (K, m, o)
    offsets = point[o] - params.means[:, o]
    completions = np.broadcast_to(point, params.means.shape).copy()
    completions[:, m] = params.means[:, m] + np.einsum("kij,kj->ki", regression, offsets)
    conditional = cov[:, m[:, None], m] - regression @ cov[:, o[:, None], m]
    spreads = np.zeros_like(completions)
    spreads[:, m] = np.sqrt(np.diagonal(conditional, axis1=1, axis2=2))
    return completions, spreads


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
    X: np.ndarray,
    resp: np.ndarray,
    component: int,
    reg_covar: float,
    previous: gaussian.GaussianParams | None = None,
) -> MStepTerms | None:
    """The full-covariance M-step of one component, term by term; None if no point is
    responsible for it at all (it then keeps its place).

    With missing entries (NaN in ``X``) the sums are the expected ones under
    ``previous``, the parameters of the E-step that gave ``resp`` (required then): each
    missing coordinate at its conditional mean, its conditional covariance added to the
    scatter (see :func:`~em_viz.engine.families.gaussian_missing.estimate`).
    """
    X = np.asarray(X, dtype=float)
    r = resp[:, component]
    mass = float(r.sum())
    if mass == 0:
        return None
    if np.isnan(X).any():
        if previous is None:
            raise ValueError("data with missing entries need the E-step's parameters")
        params = gaussian_missing.estimate(X, resp, previous=previous, reg_covar=reg_covar)
        covariance = params.covariances[component]
        return MStepTerms(
            mass=mass,
            n_samples=len(X),
            weight=float(params.weights[component]),
            mean=params.means[component],
            scatter=covariance - reg_covar * np.eye(X.shape[1]),
            covariance=covariance,
        )
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
