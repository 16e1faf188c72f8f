"""Several EM runs on the same data: stepped in lockstep, matched, and restarted many times.

Pure logic: no plotly, no streamlit. EM finds a *local* optimum that depends on its
start; this module puts runs with different starts (or K, covariance type, algorithm)
side by side, colours their components consistently by matching means, runs many
starts of one setting to count the distinct optima they reach, and shows single coin
flips giving every start its own answer at one likelihood.
"""

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from operator import methodcaller

import numpy as np
from scipy.optimize import linear_sum_assignment

from em_viz.engine.bernoulli_em import BernoulliMixtureEM
from em_viz.engine.families.gaussian import GaussianParams
from em_viz.engine.gaussian_em import GaussianMixtureEM, GaussianSettings
from em_viz.engine.validation import EMVizError, SettingsError

MAX_ITERATIONS = 500
"""Iterations after which a run or a start is stopped even if it has not converged."""


def build_runs(X: np.ndarray, specs: Sequence[GaussianSettings]) -> list[GaussianMixtureEM]:
    """One stepper per spec on the same ``X``.

    Raises
    ------
    SettingsError
        Naming the run ("Run 2: ...") whose settings EM cannot run with.
    """
    runs = []
    for number, spec in enumerate(specs, start=1):
        try:
            runs.append(spec.build(X))
        except EMVizError as error:
            raise SettingsError(f"Run {number}: {error}") from None
    return runs


@dataclass
class Lockstep:
    """Runs moved together by one set of controls.

    A finished run (converged, and not at a saddle point) stops while the others go on.
    Every action remembers which runs it moved and how long each took, so that
    :meth:`back` undoes exactly the last action of the group (and the runs stay in step
    with one another), and :meth:`reset` returns all to their starts.
    """

    runs: list[GaussianMixtureEM]
    _moved: list[dict[int, float]] = field(default_factory=list, init=False, repr=False)

    @property
    def converged(self) -> bool:
        """Whether every run has converged."""
        return all(run.converged for run in self.runs)

    @property
    def finished(self) -> bool:
        """Whether every run has converged away from any saddle point (see
        :attr:`~em_viz.engine.stepper.MixtureEM.finished`)."""
        return all(run.finished for run in self.runs)

    @property
    def at_start(self) -> bool:
        return not self._moved

    def seconds(self, number: int) -> float:
        """Time spent computing run ``number``'s half-steps so far."""
        return sum(action.get(number, 0.0) for action in self._moved)

    def _act(self, action: Callable[[GaussianMixtureEM], object]) -> list[str]:
        """Apply ``action`` to every run not yet finished; return the errors, by run."""
        moved, errors = {}, []
        for number, run in enumerate(self.runs):
            if run.finished:
                continue
            before, began = len(run.history), time.perf_counter()
            try:
                action(run)
            except EMVizError as error:
                errors.append(f"Run {number + 1}: {error}")
            if len(run.history) != before:
                moved[number] = time.perf_counter() - began
        if moved:
            self._moved.append(moved)
        return errors

    def e_step(self) -> list[str]:
        """An E-step of every run still going; returns error messages (none normally)."""
        return self._act(methodcaller("e_step"))

    def m_step(self) -> list[str]:
        """An M-step of every run still going (after its E-step if needed)."""
        return self._act(methodcaller("m_step"))

    def step(self) -> list[str]:
        """One iteration of every run still going."""
        return self._act(methodcaller("step"))

    def run(self, max_iter: int = MAX_ITERATIONS, *, past_saddle: bool = False) -> list[str]:
        """Iterations until every run has converged (or ``max_iter`` more, or an error);
        with ``past_saddle``, until every run has finished (as ``MixtureEM.run``)."""
        for _ in range(max_iter):
            if self.finished if past_saddle else self.converged:
                return []
            errors = self.step()
            if errors:
                return errors
        return []

    def back(self) -> bool:
        """Undo the group's last action; False at the start."""
        if not self._moved:
            return False
        for number in self._moved.pop():
            self.runs[number].back()
        return True

    def reset(self) -> None:
        """Every run back to its initial parameters."""
        for run in self.runs:
            run.reset()
        self._moved.clear()


def match_components(reference_means: np.ndarray, means: np.ndarray) -> np.ndarray:
    """The palette colour for each component of a run, matched to a reference run's.

    Components are paired by the Hungarian algorithm on squared distances between
    means, so that the component nearest reference component j gets colour j. With a
    different number of components only min(K, K_ref) pairs are made; the components
    left over take the unused colours in order.

    Parameters
    ----------
    reference_means : ndarray of shape (K_ref, D)
    means : ndarray of shape (K, D)

    Returns
    -------
    colour_order : ndarray of int, shape (K,)
        Distinct palette indices: component k is drawn in colour ``colour_order[k]``
        (the identity for the reference run itself).
    """
    reference_means, means = np.asarray(reference_means), np.asarray(means)
    cost = ((means[:, None, :] - reference_means[None, :, :]) ** 2).sum(axis=2)
    rows, cols = linear_sum_assignment(cost)
    order = np.full(len(means), -1)
    order[rows] = cols
    unused = [c for c in range(max(len(means), len(reference_means))) if c not in set(cols)]
    order[order < 0] = unused[: int((order < 0).sum())]
    return order


@dataclass(frozen=True)
class StartResult:
    """One start of a multi-start, run to convergence (or to the iteration limit)."""

    seed: int
    n_iter: int
    log_likelihood: float
    objective: float
    seconds: float
    converged: bool
    """Converged away from any saddle point (the stepper's ``finished``)."""
    params: GaussianParams
    n_samples: int
    warnings: tuple[str, ...] = ()
    """The stepper's plain-words diagnosis of the final parameters: a component
    collapsed onto a few repeated points gives a high but meaningless likelihood."""

    @property
    def mean_log_likelihood(self) -> float:
        """Per-sample log-likelihood, as the slides quote it ("-1.49")."""
        return self.log_likelihood / self.n_samples

    @property
    def mean_objective(self) -> float:
        return self.objective / self.n_samples


def multi_start(
    X: np.ndarray,
    spec: GaussianSettings,
    n_starts: int,
    seeds: Sequence[int] | None = None,
    *,
    max_iter: int = MAX_ITERATIONS,
    progress: Callable[[int, int], None] | None = None,
) -> list[StartResult]:
    """Run ``n_starts`` starts of one setting to convergence, each with its own seed
    (past any saddle point, as the app's Run: a saddle is not an optimum to count).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    spec : GaussianSettings
        The setting; its ``random_state`` is replaced by each start's seed.
    n_starts : int
    seeds : sequence of int, optional
        One per start; default ``spec.random_state, spec.random_state + 1, ...``, so
        that the same setting gives the same starts.
    max_iter : int, default=MAX_ITERATIONS
    progress : callable, optional
        ``progress(done, n_starts)`` after each start (for a progress bar).

    Returns
    -------
    results : list of StartResult
        In the order of the seeds.
    """
    if seeds is None:
        seeds = range(spec.random_state, spec.random_state + n_starts)
    seeds = [int(seed) for seed in seeds]
    if len(seeds) != n_starts:
        raise SettingsError(f"Give one seed per start: {n_starts} starts, {len(seeds)} seeds.")
    results = []
    for done, seed in enumerate(seeds, start=1):
        began = time.perf_counter()
        em = replace(spec, random_state=seed).build(X)
        em.run(max_iter, past_saddle=True)
        results.append(
            StartResult(
                seed,
                em.n_iter,
                em.log_likelihood,
                em.objective,
                time.perf_counter() - began,
                em.finished,
                em.params,
                len(em.X),
                tuple(em.warnings),
            )
        )
        if progress is not None:
            progress(done, n_starts)
    return results


@dataclass(frozen=True)
class Optimum:
    """Starts that ended at the same value of the objective (within a tolerance)."""

    objective: float
    starts: tuple[int, ...]
    """Indices into the results, best first."""

    @property
    def count(self) -> int:
        return len(self.starts)


def distinct_optima(results: Sequence[StartResult], rtol: float = 1e-6) -> list[Optimum]:
    """Group the starts' final objectives into distinct optima, best first.

    A start joins a group when its objective is within ``rtol`` (relative) of the
    group's best. Starts must have converged tightly for this to mean "the same
    optimum": with ``tol=1e-4`` starts at one optimum still differ by about 1e-4 per
    point, while with ``tol=1e-8`` they agree to about 1e-8 relative.
    """
    order = sorted(range(len(results)), key=lambda i: -results[i].objective)
    groups: list[list[int]] = []
    for i in order:
        value = results[i].objective
        if groups:
            best = results[groups[-1][0]].objective
            if abs(best - value) <= rtol * max(abs(best), abs(value)):
                groups[-1].append(i)
                continue
        groups.append([i])
    return [Optimum(results[g[0]].objective, tuple(g)) for g in groups]


def shared_objective_name(runs: Sequence[GaussianMixtureEM]) -> str | None:
    """The objective all runs improve, or None when they differ (then only their
    log-likelihoods can be compared)."""
    names = {run.objective_name for run in runs}
    return names.pop() if len(names) == 1 else None


@dataclass(frozen=True, eq=False)
class SeveralStarts:
    """EM on the same single flips from several random starts, by start.

    Attributes
    ----------
    seeds : ndarray of shape (n_starts,)
    weights, biases : ndarray of shape (n_starts, n_coins)
        Every coin's weight and bias after one iteration.
    overall_rates : ndarray of shape (n_starts,)
        ``sum_k pi_k p_k`` after one iteration.
    log_likelihoods : ndarray of shape (n_starts,)
        After one iteration.
    changes : ndarray of shape (n_starts,)
        The largest change of any parameter in the second iteration.
    """

    seeds: np.ndarray
    weights: np.ndarray
    biases: np.ndarray
    overall_rates: np.ndarray
    log_likelihoods: np.ndarray
    changes: np.ndarray


def several_starts(flips: np.ndarray, n_coins: int, seeds: Sequence[int]) -> SeveralStarts:
    """EM on the same single flips from several random starts: after one iteration each
    start has its own answer, all with the same log-likelihood, and a second iteration
    moves none of them (only the overall rate of heads is identifiable).

    Parameters
    ----------
    flips : ndarray of shape (n_flips, 1)
        0 and 1.
    n_coins : int
    seeds : sequence of int
        One start per seed.
    """
    weights, biases, rates, log_likelihoods, changes = [], [], [], [], []
    for seed in seeds:
        em = BernoulliMixtureEM(flips, n_coins, random_state=seed, pseudo_count=0)
        em.step()
        weights.append(em.weights)
        biases.append(em.probabilities[:, 0])
        rates.append(float(weights[-1] @ biases[-1]))
        log_likelihoods.append(em.log_likelihood)
        em.step()
        changes.append(
            max(
                np.abs(em.weights - weights[-1]).max(),
                np.abs(em.probabilities[:, 0] - biases[-1]).max(),
            )
        )
    return SeveralStarts(
        np.array(seeds),
        np.array(weights),
        np.array(biases),
        np.array(rates),
        np.array(log_likelihoods),
        np.array(changes, dtype=float),
    )
