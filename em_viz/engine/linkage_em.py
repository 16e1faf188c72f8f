"""The genetic-linkage example of Dempster, Laird and Rubin (1977), where EM began, on
the one stepper.

197 animals fall into four cells with probabilities ``(1/2 + θ/4, (1 - θ)/4, (1 - θ)/4,
θ/4)``; the counts ``x = (x1, x2, x3, x4)`` are observed. EM splits the first cell into
its ``1/2`` and ``θ/4`` parts, which are not observed: five sub-cells in all, each
animal's sub-cell its hidden label. As a mixture, animal ``i`` in cell ``c`` has

    log p(x_i, z_i = k) = log q_k(θ)  for the sub-cells k of cell c (else -inf),

``q(θ) = (1/2, θ/4, (1 - θ)/4, (1 - θ)/4, θ/4)``. The E-step credits each animal of the
first cell to its ``θ/4`` part with probability ``θ/(2 + θ)``; the M-step is the
binomial estimate ``θ = (y2 + x4) / (y2 + x2 + x3 + x4)``, with ``y2`` the expected
count in that part. With one parameter everything is exact: the log-likelihood
(:func:`log_likelihood`), EM's lower bound at each iteration (:func:`bound`), the
maximum (:func:`maximum_likelihood`) and the rate (:func:`rate_of_convergence`).

Log-likelihoods here leave out the multinomial coefficient (a constant in θ).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from em_viz.engine.stepper import MixtureEM
from em_viz.engine.validation import SettingsError, check_number

DLR_COUNTS = (125, 18, 20, 34)
"""Dempster, Laird and Rubin's counts (from Rao, 1965): 197 animals."""

SUB_CELL_OF = (0, 0, 1, 2, 3)
"""The observed cell of each of the five sub-cells (the first cell has two)."""

_ALLOWED = np.array([[c == cell for c in SUB_CELL_OF] for cell in range(4)])
"""(4, 5): which sub-cells an animal of each observed cell may be in."""


@dataclass(frozen=True, eq=False)
class LinkageParams:
    """The one parameter of the linkage model.

    Attributes
    ----------
    theta : float
        In [0, 1]: the first cell has probability 1/2 + θ/4, the last θ/4.
    """

    theta: float


def sub_cell_probabilities(theta: float) -> np.ndarray:
    """ndarray of shape (5,): ``(1/2, θ/4, (1 - θ)/4, (1 - θ)/4, θ/4)``."""
    return np.array([0.5, theta / 4, (1 - theta) / 4, (1 - theta) / 4, theta / 4])


def log_prob(cells: np.ndarray, params: LinkageParams) -> np.ndarray:
    """Joint log-probabilities of each animal and each sub-cell.

    Parameters
    ----------
    cells : ndarray of shape (n_animals, 1)
        Each animal's observed cell, 0 to 3.
    params : LinkageParams

    Returns
    -------
    log_prob : ndarray of shape (n_animals, 5)
        ``log q_k(θ)`` where sub-cell k lies in the animal's cell, ``-inf`` elsewhere.
    """
    with np.errstate(divide="ignore"):
        table = np.where(_ALLOWED, np.log(sub_cell_probabilities(params.theta)), -np.inf)
    return table[cells[:, 0]]


def estimate(
    cells: np.ndarray, resp: np.ndarray, *, previous: LinkageParams | None = None
) -> LinkageParams:
    """The M-step: ``θ = (y2 + y5) / (y2 + y3 + y4 + y5)`` from the expected sub-cell
    counts ``y = resp.sum(axis=0)`` (``y3, y4, y5`` are the observed ``x2, x3, x4``).

    Parameters
    ----------
    cells : ndarray of shape (n_animals, 1)
    resp : ndarray of shape (n_animals, 5)
    previous : LinkageParams, optional
        Not needed (the estimate depends on the counts only); the stepper passes it.
    """
    y = resp.sum(axis=0)
    return LinkageParams(float((y[1] + y[4]) / (y[1] + y[2] + y[3] + y[4])))


def _split(counts: Sequence[float]) -> tuple[float, float, float]:
    """``(x1, x2 + x3, x4)``: the cells as the likelihood groups them."""
    x1, x2, x3, x4 = (float(c) for c in counts)
    return x1, x2 + x3, x4


def log_likelihood(theta: Any, counts: Sequence[float] = DLR_COUNTS) -> np.ndarray:
    """``log L(θ) = x1 log(1/2 + θ/4) + (x2 + x3) log((1 - θ)/4) + x4 log(θ/4)``, for an
    array of θ (a term whose count is 0 counts 0, also at θ = 0 or 1)."""
    theta = np.asarray(theta, dtype=float)
    x1, middle, x4 = _split(counts)
    with np.errstate(divide="ignore", invalid="ignore"):
        total = x1 * np.log(0.5 + theta / 4)
        total = total + (np.log((1 - theta) / 4) * middle if middle else 0.0)
        return total + (np.log(theta / 4) * x4 if x4 else 0.0)


def bound(theta: Any, theta_t: float, counts: Sequence[float] = DLR_COUNTS) -> np.ndarray:
    """EM's lower bound on :func:`log_likelihood` built at ``theta_t`` (minorise-maximise):
    ``L(q_t, θ) = E_q[log p(x, z | θ)] + H(q_t)`` for ``q_t`` the split of the first cell
    under ``theta_t``, for an array of θ.

    It equals ``log L`` at ``theta_t``, lies below it everywhere else (by
    ``KL(q_t || p(z | x, θ))``), and is largest at EM's next value of θ.
    With ``r = θ_t / (2 + θ_t)`` the share of the first cell credited to its θ/4 part:
    ``x1 [r log(θ/4 / r) + (1 - r) log(1/2 / (1 - r))] + (x2 + x3) log((1 - θ)/4) +
    x4 log(θ/4)``.
    """
    theta = np.asarray(theta, dtype=float)
    x1, middle, x4 = _split(counts)
    share = theta_t / (2 + theta_t)
    credited = share * x1
    with np.errstate(divide="ignore", invalid="ignore"):
        total = (x1 - credited) * np.log(0.5 / (1 - share))
        if credited:
            total = total + credited * np.log(theta / 4 / share)
        total = total + (np.log((1 - theta) / 4) * middle if middle else 0.0)
        return total + (np.log(theta / 4) * x4 if x4 else 0.0)


def bound_peak(theta_t: float, counts: Sequence[float] = DLR_COUNTS) -> float:
    """Where :func:`bound` built at ``theta_t`` is largest, EM's next θ: ``(r x1 + x4) /
    (r x1 + x2 + x3 + x4)`` with ``r = θ_t / (2 + θ_t)`` (the paper's iteration)."""
    x1, middle, x4 = _split(counts)
    credited = x1 * theta_t / (2 + theta_t)
    return float((credited + x4) / (credited + middle + x4))


def maximum_likelihood(counts: Sequence[float] = DLR_COUNTS) -> float:
    """The θ that maximises :func:`log_likelihood`: the root in [0, 1] of
    ``n θ² - (x1 - 2(x2 + x3) - x4) θ - 2 x4 = 0`` (``n`` the total), where the score
    vanishes; ``(15 + √53809) / 394`` for Dempster, Laird and Rubin's counts."""
    x1, middle, x4 = _split(counts)
    n = x1 + middle + x4
    b = x1 - 2 * middle - x4
    return float((b + np.sqrt(b * b + 8 * n * x4)) / (2 * n))


def rate_of_convergence(counts: Sequence[float] = DLR_COUNTS) -> float:
    """The slope of EM's map ``θ_t -> θ_{t+1}`` at the maximum, the ratio that successive
    errors ``θ_t - θ*`` tend to: the fraction of the information that is missing
    (Dempster, Laird and Rubin 1977, section 3).

    With ``a(θ) = x1 θ / (2 + θ)`` the expected count of the θ/4 part and ``m = x2 + x3
    + x4``, the map is ``(a + x4) / (a + m)`` and its slope ``a' (m - x4) / (a + m)²``,
    ``a' = 2 x1 / (2 + θ)²``. 0 when the first cell is empty (nothing is missing).
    """
    x1, middle, x4 = _split(counts)
    theta = maximum_likelihood(counts)
    expected = x1 * theta / (2 + theta)
    slope = 2 * x1 / (2 + theta) ** 2
    return float(slope * middle / (expected + middle + x4) ** 2)


def check_counts(counts: Any) -> tuple[int, int, int, int]:
    """``counts`` as four whole numbers of animals, at least 0 and not all 0.

    Raises
    ------
    SettingsError
        Naming the count to fix.
    """
    try:
        values = () if isinstance(counts, str) else tuple(counts)
    except TypeError:
        values = ()
    if len(values) != 4:
        raise SettingsError(
            f"counts must be four numbers of animals, one per cell; got {counts!r}. "
            f"Try {DLR_COUNTS}."
        )
    checked = []
    for place, value in enumerate(values, start=1):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        checked.append(
            check_number(
                value,
                f"The count of cell {place}",
                whole=True,
                why="a number of animals",
                fix="Type a whole number such as 20.",
            )
        )
    if sum(checked) == 0:
        raise SettingsError("Every count is 0: there are no animals. Type at least one count.")
    return tuple(checked)


def check_theta(theta: Any, name: str = "theta_init") -> float:
    """``theta`` if it is a number strictly between 0 and 1.

    Raises
    ------
    SettingsError
        For 0, 1 (where EM can never move: a certain cell) or anything outside.
    """
    why = "θ is a probability; at 0 or 1 EM stays there"
    theta = check_number(theta, name, above=True, why=why, fix="Try 0.5.")
    if theta >= 1:
        raise SettingsError(f"{name} must be below 1 ({why}); got {theta:g}. Try 0.5.")
    return theta


class GeneticLinkageEM(MixtureEM):
    """EM for the genetic-linkage model, one half-step at a time (see the module).

    Parameters
    ----------
    counts : sequence of four whole numbers, default=(125, 18, 20, 34)
        Animals in each observed cell.
    theta_init : float, default=0.5
        The start, strictly between 0 and 1.
    tol : float, default=1e-14
        Converged when an iteration raises the log-likelihood per animal by less: small,
        so that the ratios of successive errors can be read over eight iterations
        (the log-likelihood of 197 animals is then exact to about 1e-14).

    Attributes
    ----------
    theta : float
        The current θ.
    counts : tuple of int
    """

    def __init__(
        self,
        counts: Sequence[int] = DLR_COUNTS,
        theta_init: float = 0.5,
        *,
        tol: float = 1e-14,
    ) -> None:
        self.counts = check_counts(counts)
        theta_init = check_theta(theta_init)
        check_number(tol, "tol", above=True, fix="Try 1e-14.")
        cells = np.repeat(np.arange(4), self.counts)[:, None]
        super().__init__(
            cells,
            LinkageParams(theta_init),
            log_prob=log_prob,
            estimate=estimate,
            diagnose=lambda params: [],
            tol=tol,
        )

    @property
    def theta(self) -> float:
        """The current θ."""
        return self.params.theta
