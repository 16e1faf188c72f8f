"""Saddle points of soft EM for Gaussians, where a small gain per iteration does not mean
an optimum: nearly identical components, and converged parameters that EM's own map
pushes away from (an unstable fixed point, whatever the components look like)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
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


# At a fixed point EM's map has the Jacobian J = I_c^-1 I_m (Dempster, Laird & Rubin
# 1977): complete-data information I_c, missing information I_m, both symmetric with I_m
# positive semi-definite. In the inner product of I_c (:func:`_inner`) J is self-adjoint
# with eigenvalues >= 0; they are below 1 at a maximum (I_c - I_m, the observed
# information, is positive definite) and some is above 1 at a saddle point. Power
# iteration's Rayleigh quotients rise towards the largest eigenvalue from below, so a
# maximum reads below 1 however slowly EM converges to it. A run the gain rule calls
# converged is only near its fixed point, though, where J can read a little above 1: up
# to 1.006 for two overlapping clusters (unit variances, 1.5 apart, tol 1e-4), whose
# maximum reads 0.97. The saddle points read 16/15 (Murray's twelve points) and 1.16
# (random responsibilities on Old Faithful). On the presets (K = 2 to 4, every
# covariance type, three inits, two seeds, tol 1e-4) each run read above 1.01 went on to
# gain at least 0.14 in log-likelihood: none had stopped at its maximum.
UNSTABLE_GROWTH = 1.01
"""A converged point whose perturbations grow by more than this per iteration is a
saddle point."""
POWER_STEPS = 30
"""Iterations of the power method: the quotient settles to 1e-4 within them at Murray's
and Old Faithful's points (at a slow maximum it is still rising, from below); stopped
early once above :data:`UNSTABLE_GROWTH`."""
NUDGE = 1e-6
"""The perturbation's size in the components' own units (standard deviations, relative
weights): far above rounding, far below where the map bends."""


def unstable(params: GaussianParams, em_map: Callable[[GaussianParams], GaussianParams]) -> bool:
    """Whether converged ``params`` are an unstable fixed point of ``em_map`` (one EM
    iteration, E-step then M-step): a perturbation grows by more than
    :data:`UNSTABLE_GROWTH` per iteration (see :func:`largest_growth`), so EM sits on a
    saddle point even though no two components look alike (Murray's twelve points at
    correlation 0)."""
    return largest_growth(params, em_map, stop_above=UNSTABLE_GROWTH) > UNSTABLE_GROWTH


def largest_growth(
    params: GaussianParams,
    em_map: Callable[[GaussianParams], GaussianParams],
    steps: int = POWER_STEPS,
    stop_above: float = np.inf,
) -> float:
    """The largest eigenvalue of ``em_map``'s Jacobian at ``params``, by power iteration
    on finite differences: ``(em_map(params + h d) - em_map(params)) / h`` for a tiny
    ``h`` and a direction ``d`` renormalised at each step.

    The first direction is drawn (from a fixed seed) in the components' own units: each
    mean moved by ``L z``, each covariance by ``L S L'`` (``L`` its Cholesky factor,
    ``S`` symmetric), the weights by relative amounts summing to 0. Its first image
    already obeys the model's constraints (covariance type, weights summing to 1), and
    the iteration goes on from there.

    Parameters
    ----------
    params : GaussianParams
        A converged point (nearly a fixed point of ``em_map``).
    em_map : callable
        ``em_map(params) -> params``, one EM iteration.
    steps : int
        Iterations of the power method.
    stop_above : float
        Return as soon as the estimate exceeds this.

    Returns
    -------
    growth : float
        The last Rayleigh quotient ``<d, J d> / <d, d>`` in the metric of the complete-data
        information (0 if the map does not move with the parameters).
    """
    image = em_map(params)
    direction = _differences(em_map(_nudged(params, _first_direction(params))), image)
    growth = 0.0
    for _ in range(steps):
        size = np.sqrt(_inner(image, direction, direction))
        if not size > 0:
            return 0.0
        direction = _scaled(direction, 1 / size)
        moved = _differences(em_map(_nudged(params, direction)), image)
        growth = _inner(image, direction, moved)
        if growth > stop_above:
            break
        direction = moved
    return growth


def _first_direction(params: GaussianParams) -> GaussianParams:
    """A direction in the components' own units (see :func:`largest_growth`), of
    complete-data norm 1; a fixed seed so that a verdict is reproducible."""
    rng = np.random.default_rng(0)
    n_components, n_features = params.means.shape
    chol = np.linalg.cholesky(params.covariances)
    shape = rng.normal(size=(n_components, n_features, n_features))
    shape = (shape + np.swapaxes(shape, 1, 2)) / 2
    relative = rng.normal(size=n_components)
    direction = replace(
        params,
        weights=params.weights * (relative - params.weights @ relative),
        means=np.einsum("kij,kj->ki", chol, rng.normal(size=(n_components, n_features))),
        covariances=chol @ shape @ np.swapaxes(chol, 1, 2),
    )
    return _scaled(direction, 1 / np.sqrt(_inner(params, direction, direction)))


def _inner(at: GaussianParams, a: GaussianParams, b: GaussianParams) -> float:
    """The complete-data information's inner product of two directions at ``at``, per
    point: ``sum_k pi_k (da_k db_k / pi_k^2 + dmu_a' S^-1 dmu_b
    + tr(S^-1 dS_a S^-1 dS_b) / 2)``, ``S = Sigma_k``: unchanged by any affine map of
    the data, so no direction depends on the data's units."""
    precisions = np.linalg.inv(at.covariances)
    means = np.einsum("ki,kij,kj->k", a.means, precisions, b.means)
    left = precisions @ a.covariances
    right = precisions @ b.covariances
    covariances = np.einsum("kij,kji->k", left, right) / 2
    return float(at.weights @ (means + covariances) + np.sum(a.weights * b.weights / at.weights))


def _nudged(params: GaussianParams, direction: GaussianParams) -> GaussianParams:
    """``params`` moved by :data:`NUDGE` times ``direction``."""
    return replace(
        params,
        weights=params.weights + NUDGE * direction.weights,
        means=params.means + NUDGE * direction.means,
        covariances=params.covariances + NUDGE * direction.covariances,
    )


def _differences(moved: GaussianParams, image: GaussianParams) -> GaussianParams:
    """The difference quotient ``(moved - image) / NUDGE``, a direction."""
    return replace(
        image,
        weights=(moved.weights - image.weights) / NUDGE,
        means=(moved.means - image.means) / NUDGE,
        covariances=(moved.covariances - image.covariances) / NUDGE,
    )


def _scaled(direction: GaussianParams, factor: float) -> GaussianParams:
    return replace(
        direction,
        weights=direction.weights * factor,
        means=direction.means * factor,
        covariances=direction.covariances * factor,
    )


def saddle_warning(group: tuple[int, ...]) -> str:
    """The plain-words warning for nearly identical components (numbered from 0)."""
    numbers = [str(k + 1) for k in group]
    named = ", ".join(numbers[:-1]) + f" and {numbers[-1]}"
    return (
        f"Components {named} are nearly identical: EM is at or near a saddle point, where "
        "it moves very slowly. It is not the answer: press Run or Step to go on, or start "
        "elsewhere."
    )
