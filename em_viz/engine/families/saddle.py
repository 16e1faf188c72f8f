"""Nearly identical Gaussian components: the sign that soft EM sits at or near a saddle
point, where a small gain per iteration does not mean an optimum."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from em_viz.engine.families.gaussian import GaussianParams

# Two components whose Bhattacharyya distance is below this overlap by more than 99% (for
# equal covariances: means less than 0.28 standard deviations apart). Soft EM barely moves
# such a pair: they sit at or near a saddle point. Separate clusters on the presets lie
# above 0.5; the symmetric start of random responsibilities lies below 0.003.
SADDLE_DISTANCE = 0.01


def bhattacharyya_distances(params: GaussianParams) -> np.ndarray:
    """The Bhattacharyya distance between every two components' Gaussians.

    ``(mu_j - mu_k)' S^-1 (mu_j - mu_k) / 8 + log(|S| / sqrt(|Sigma_j| |Sigma_k|)) / 2``
    with ``S`` the pair's mean covariance: 0 only for equal means and covariances, and
    unchanged by any rescaling or rotation of the data, so it measures the means' gap in
    the components' own spread and the covariances' difference relative to their size.

    Returns
    -------
    distances : ndarray of shape (n_components, n_components)
        Symmetric, 0 on the diagonal.
    """
    covariances = params.covariances
    mean_cov = (covariances[:, None] + covariances[None, :]) / 2
    gaps = params.means[:, None] - params.means[None, :]
    spread = np.einsum("jki,jki->jk", gaps, np.linalg.solve(mean_cov, gaps[..., None])[..., 0])
    log_det = np.linalg.slogdet(covariances)[1]
    shapes = np.linalg.slogdet(mean_cov)[1] - (log_det[:, None] + log_det[None, :]) / 2
    return spread / 8 + shapes / 2


@lru_cache(maxsize=1)
def identical_groups(params: GaussianParams) -> tuple[tuple[int, ...], ...]:
    """Groups of components (numbered from 0) nearly identical to one another: linked by
    Bhattacharyya distances below :data:`SADDLE_DISTANCE`, whatever their weights (any
    split of the weight between identical components is a fixed point of EM).

    Kept for the latest parameters (by identity), which the stepper's saddle flag and
    :func:`diagnose` both ask about. Most pairs are ruled out cheaply first: the means'
    term alone is at least ``|mu_j - mu_k|^2 / (8 trace(S))``."""
    gaps = params.means[:, None] - params.means[None, :]
    traces = np.trace(params.covariances, axis1=1, axis2=2)
    bound = 8 * SADDLE_DISTANCE * (traces[:, None] + traces[None, :]) / 2
    if np.count_nonzero(np.einsum("jki,jki->jk", gaps, gaps) < bound) == len(traces):
        return ()  # only each component with itself
    linked = bhattacharyya_distances(params) < SADDLE_DISTANCE
    while not np.array_equal(wider := linked @ linked, linked):  # closing the links
        linked = wider
    return tuple(sorted({tuple(np.flatnonzero(row).tolist()) for row in linked if row.sum() > 1}))


def near_saddle(params: GaussianParams) -> bool:
    """Whether some components are nearly identical (see :func:`identical_groups`): soft
    EM is then at or near a saddle point, where a small gain does not mean an optimum."""
    return bool(identical_groups(params))


def saddle_warning(group: tuple[int, ...]) -> str:
    """The plain-words warning for nearly identical components (numbered from 0)."""
    numbers = [str(k + 1) for k in group]
    named = ", ".join(numbers[:-1]) + f" and {numbers[-1]}"
    return (
        f"Components {named} are nearly identical: EM is at or near a saddle point, where "
        "it moves very slowly. It is not the answer: press Run or Step to go on, or start "
        "elsewhere."
    )
