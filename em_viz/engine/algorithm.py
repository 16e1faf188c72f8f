"""A variant of EM as strategies for the one loop (:class:`Algorithm`), and soft EM."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from em_viz.engine.posterior import posterior


@dataclass(frozen=True)
class Algorithm:
    """A variant of EM as strategies for the one loop: its E-step and its objective.

    The M-step's constraints are not here: they come with the family's ``estimate``.

    Attributes
    ----------
    name : str
    assign : callable
        The E-step: ``assign(log_prob) -> (log_norm, resp)``, with ``log_norm`` the
        mixture's ``log p(x_i)``; :func:`~em_viz.engine.posterior.posterior` (soft) or
        :func:`~em_viz.engine.posterior.hard_posterior` (hard).
    objective : callable or None
        ``objective(data, params, log_prob, resp) -> float``, the quantity the algorithm
        never lowers, signed so that higher is better; None for the log-likelihood.
    objective_name : str
        What ``objective`` is, in words for a plot's label.
    hard : bool
        Whether responsibilities are 0 or 1; a run of a hard algorithm has also
        converged once an iteration leaves the assignments as they were.
    learns_weights : bool
        Whether the M-step moves the mixing weights (k-means and fixed-epsilon hold
        them at 1/K).
    uses_covariance_type : bool
        Whether the family's covariance type constrains the M-step (k-means and
        fixed-epsilon fix the covariances themselves).
    """

    name: str
    assign: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]] = posterior
    objective: Callable[[Any, Any, np.ndarray, np.ndarray], float] | None = None
    objective_name: str = "log-likelihood"
    hard: bool = False
    learns_weights: bool = True
    uses_covariance_type: bool = True


SOFT = Algorithm("soft")
