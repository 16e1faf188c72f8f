"""Mixture families: each a module of pure functions (log_prob, estimate, initial,
diagnose); here the few pieces every family shares."""

import numpy as np

from em_viz.engine.validation import SettingsError, check_shape

EMPTY_COMPONENT_MASS = 1e-8
"""A component whose total responsibility is below this (in points) is empty: it has no
data to estimate from, so it keeps its previous parameters."""


def mixture_weights(mass: np.ndarray) -> np.ndarray:
    """Mixing weights ``N_k / N`` from the components' total responsibilities, each
    ``N_k`` raised by ``10 * eps`` as scikit-learn does, so that no weight is exactly 0
    (its logarithm stays finite).

    Parameters
    ----------
    mass : ndarray of shape (n_components,)
        ``N_k = sum_i r_ik``.

    Returns
    -------
    weights : ndarray of shape (n_components,)
    """
    nk = mass + 10 * np.finfo(float).eps
    return nk / nk.sum()


def empty_warning(component: int) -> str:
    """The plain-words warning for an empty component (numbered from 0)."""
    return (
        f"Component {component + 1} is empty: no point is responsible for it any more, so "
        "its weight is about 0 and it stays where it was. Try fewer components or another "
        "start."
    )


def check_weights(weights_init: object, n_components: int) -> np.ndarray:
    """``weights_init`` as an array, checked: shape (n_components,), positive, sum 1.

    Raises
    ------
    SettingsError
        Naming what is wrong.
    """
    weights = check_shape(np.array(weights_init, dtype=float), (n_components,), "weights_init")
    if not (np.all(weights > 0) and np.isclose(weights.sum(), 1.0)):
        raise SettingsError("weights_init must be positive and sum to 1.")
    return weights
