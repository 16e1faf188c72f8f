"""The one EM stepper: half-steps, a history of parameters, undo.

``MixtureEM`` runs EM for any family given as its pure functions (log-density, M-step,
diagnosis, and a log prior when the M-step is maximum a posteriori). The models bind it
to a family and check their settings: :mod:`em_viz.engine.gaussian_em` and
:mod:`em_viz.engine.bernoulli_em`. The history is the single source of truth: each
record holds parameters, never per-point arrays; responsibilities for a past record are
recomputed on demand.

The variants of EM (soft, hard, k-means, fixed variances) run on this one loop: an
``Algorithm`` names the E-step (soft posterior or hard argmax) and the objective it
improves, and the family's ``estimate`` carries the M-step's constraints.

A mean can also be moved by hand (:meth:`MixtureEM.move_mean`): a record of phase
"moved", after which EM goes on with an E-step, as after an M-step.

Every half-step also records the evidence lower bound ``L(q, params)`` for ``q`` the
latest E-step's responsibilities, and its gap to the log-likelihood (see
:mod:`em_viz.engine.bound`).
"""

import copy
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from em_viz.engine.algorithm import SOFT, Algorithm
from em_viz.engine.bound import expected_complete_log_likelihood
from em_viz.engine.record import Record
from em_viz.engine.validation import StepError, check_number, check_shape


@dataclass(frozen=True, eq=False)
class _Evaluation:
    """What the stepper keeps of one evaluation of parameters (no log-densities).

    ``resp`` is the algorithm's E-step under these parameters and ``entropy`` its
    ``H(q)``; ``elbo`` is ``L(resp, params)``, what an E-step here records; ``earlier``
    is ``E_q[log p(X, Z | params)]`` for the ``q`` passed in, if any. ``statistics``
    is what the M-step takes when ``resp`` alone is not enough (a hidden Markov model's
    expected transitions with its posteriors); None: ``resp``.
    """

    log_likelihood: float
    objective: float
    resp: np.ndarray
    entropy: float
    elbo: float
    earlier: float | None = None
    statistics: Any = None

    @property
    def q(self) -> Any:
        """What the M-step estimates from, and what ``earlier`` is taken under."""
        return self.resp if self.statistics is None else self.statistics


class MixtureEM:
    """Expectation-Maximization for a mixture, one half-step at a time.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    params : object
        The starting parameters.
    log_prob : callable
        ``log_prob(X, params) -> (n_samples, n_components)`` joint log-densities.
    estimate : callable
        ``estimate(X, resp, previous=params) -> params``, the M-step.
    diagnose : callable
        ``diagnose(params) -> list of str``, plain-words warnings.
    tol : float
        Converged when an iteration raises the mean objective by less than this.
    prepare : callable, optional
        ``prepare(X)``: what ``log_prob`` and ``estimate`` take in place of ``X``,
        computed once (e.g. the data's monomials).
    algorithm : Algorithm, default=SOFT
        The E-step and objective; ``estimate`` should be the matching M-step.
    log_prior : callable, optional
        ``log_prior(params) -> float`` when ``estimate`` is a maximum a posteriori
        M-step: the objective EM then never lowers is the algorithm's plus this.
    step_failed : str
        What to tell the user when an M-step's parameters cannot be evaluated (the
        family's reason and fix).
    near_saddle : callable, optional
        ``near_saddle(params) -> bool``: whether some components are nearly identical, a
        saddle point (or near one) where EM gains little per iteration without being at
        an optimum. None: never.
    unstable : callable, optional
        ``unstable(params, em_map) -> bool``: whether converged parameters are an
        unstable fixed point of ``em_map`` (one iteration, as :meth:`step` takes it), a
        saddle point however the components look. Asked when the gain rule says
        converged, and at later converged steps only while at a saddle (a point found
        stable stays so as EM closes in). None: never.
    """

    def __init__(
        self,
        X: np.ndarray,
        params: Any,
        *,
        log_prob: Callable[[np.ndarray, Any], np.ndarray],
        estimate: Callable[..., Any],
        diagnose: Callable[[Any], list[str]],
        tol: float,
        prepare: Callable[[np.ndarray], Any] | None = None,
        algorithm: Algorithm = SOFT,
        log_prior: Callable[[Any], float] | None = None,
        step_failed: str = "The M-step gave parameters the data cannot be evaluated under, "
        "so this step was not taken.",
        near_saddle: Callable[[Any], bool] | None = None,
        unstable: Callable[[Any, Callable[[Any], Any]], bool] | None = None,
    ) -> None:
        self.X = X
        self.tol = tol
        self._data = X if prepare is None else prepare(X)
        self._log_prob = log_prob
        self._estimate = estimate
        self._diagnose = diagnose
        self._algorithm = algorithm
        self._log_prior = log_prior
        self._step_failed = step_failed
        self._near_saddle = near_saddle
        self._unstable = unstable
        self._current = self._evaluate(params)
        self._latest_e: _Evaluation | None = None
        warnings = tuple(diagnose(params))
        start = self._current
        self.history = [
            Record(
                0,
                "init",
                start.log_likelihood,
                start.objective,
                params,
                warnings,
                saddle=self._saddle(params),
            )
        ]

    def _saddle(self, params: Any, check_fixed_point: bool = False) -> bool:
        if self._near_saddle is not None and self._near_saddle(params):
            return True
        return (
            check_fixed_point
            and self._unstable is not None
            and bool(self._unstable(params, self._em_map))
        )

    def _em_map(self, params: Any) -> Any:
        """The parameters one iteration from ``params``: E-step, then M-step."""
        return self._estimate(self._data, self._evaluate(params).q, previous=params)

    def _evaluate(self, params: Any, q: Any = None) -> _Evaluation:
        """Total log-likelihood, objective, responsibilities (the algorithm's E-step) and
        their bound under ``params``; and ``E_q[log p(X, Z | params)]`` for a given ``q``.
        A model whose E-step takes the whole sequence at once (a hidden Markov model)
        overrides this one method.

        The entropy needs no logarithm: a 0/1 assignment has none, and for the posterior
        ``log q_ik = log p(x_i, z_i = k) - log p(x_i)`` gives
        ``H(q) = log p(X) - E_q[log p(X, Z)]``.
        """
        log_prob = self._log_prob(self._data, params)
        log_norm, resp = self._algorithm.assign(log_prob)
        resp.flags.writeable = False
        log_likelihood = float(log_norm.sum())
        objective = log_likelihood
        if self._algorithm.objective is not None:
            objective = float(self._algorithm.objective(self._data, params, log_prob, resp))
        if self._log_prior is not None:
            objective += self._log_prior(params)
        expected = expected_complete_log_likelihood(log_prob, resp)
        entropy = 0.0 if self._algorithm.hard else log_likelihood - expected
        earlier = None if q is None else expected_complete_log_likelihood(log_prob, q)
        return _Evaluation(log_likelihood, objective, resp, entropy, expected + entropy, earlier)

    def _evaluated(self, params: Any, q: Any, failed: str) -> _Evaluation:
        """:meth:`_evaluate`, refused with StepError(``failed``) where the data cannot
        be evaluated under ``params`` (not finite, or a matrix not positive definite):
        said in words, without NumPy's warnings."""
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                current = self._evaluate(params, q)
        except np.linalg.LinAlgError:
            current = None
        if current is None or not (
            np.isfinite(current.log_likelihood) and np.isfinite(current.objective)
        ):
            raise StepError(failed)
        return current

    @property
    def algorithm(self) -> str:
        """The variant of EM: ``"soft"``, ``"hard"``, ``"kmeans"`` or ``"fixed-eps"``."""
        return self._algorithm.name

    @property
    def variant(self) -> Algorithm:
        """The variant of EM as its strategies and properties (see :class:`Algorithm`)."""
        return self._algorithm

    @property
    def objective_name(self) -> str:
        """What :attr:`objective` is, in words (e.g. ``"log-likelihood"``)."""
        name = self._algorithm.objective_name
        return name if self._log_prior is None else f"{name} + log prior"

    @property
    def params(self) -> Any:
        """The current parameters."""
        return self.history[-1].params

    @property
    def weights(self) -> np.ndarray:
        """ndarray of shape (n_components,): the current mixing weights."""
        return self.params.weights

    @property
    def n_components(self) -> int:
        return len(self.weights)

    @property
    def phase(self) -> str:
        """What the last half-step was: ``"init"``, ``"E"``, ``"M"`` or ``"moved"`` (a
        mean moved by hand)."""
        return self.history[-1].phase

    @property
    def n_iter(self) -> int:
        """Completed iterations: those ended by an M-step (or by a move after their
        E-step)."""
        last = self.history[-1]
        return last.iteration - 1 if last.phase == "E" else last.iteration

    @property
    def log_likelihood(self) -> float:
        """``sum_i log p(x_i | current parameters)``, the mixture's, whatever the
        algorithm."""
        return self.history[-1].log_likelihood

    @property
    def objective(self) -> float:
        """The quantity the algorithm never lowers, under the current parameters; higher
        is better for every algorithm (named by :attr:`objective_name`).

        - ``"soft"`` and ``"fixed-eps"``: the log-likelihood (for "fixed-eps", of the
          model with its fixed weights and covariances).
        - ``"hard"``: the complete-data log-likelihood of the hard assignment,
          ``sum_i max_k log(pi_k N(x_i | mu_k, Sigma_k))``.
        - ``"kmeans"``: minus the sum of squared distances from each point to its
          nearest mean (minus scikit-learn's ``inertia_``).

        With a prior (a Bernoulli mixture's pseudo-count) the log prior of the
        parameters is added: EM then maximises the posterior, not the likelihood.
        """
        return self.history[-1].objective

    @property
    def elbo(self) -> float | None:
        """The evidence lower bound ``L(q, params)`` under the current parameters, for
        ``q`` the latest E-step's responsibilities; None before any E-step.

        For hard EM and k-means ``q`` is the 0/1 assignment, so after their E-step the
        bound is the complete-data log-likelihood and stays below the log-likelihood.
        """
        return self.history[-1].elbo

    @property
    def kl(self) -> float | None:
        """``log_likelihood - elbo``: ``KL(q || p(Z | X, params))``, the gap the next
        soft E-step closes; None before any E-step. Not 0 after a hard E-step (a 0/1
        ``q`` is not the posterior)."""
        return self.history[-1].kl

    @property
    def responsibilities(self) -> np.ndarray | None:
        """ndarray of shape (n_samples, n_components) from the latest E-step, or None."""
        return None if self._latest_e is None else self._latest_e.resp

    @property
    def warnings(self) -> list[str]:
        """Plain-words warnings about the current parameters."""
        return list(self.history[-1].warnings)

    @property
    def converged(self) -> bool:
        """Whether the last completed iteration changed the mean :attr:`objective` by less
        than ``tol`` or, for a hard algorithm, left the assignments as they were (the
        next iteration would then repeat the parameters exactly).

        For soft EM scikit-learn measures the same gain one E-step later, so with equal
        ``tol`` it stops one iteration after this stepper does.
        """
        return self.history[-1].converged

    @property
    def at_saddle(self) -> bool:
        """Whether EM is at or near a saddle point, where an iteration gains little
        although the parameters are not an optimum: nearly identical components (a
        symmetric start, such as random responsibilities) or, converged, parameters
        that a small perturbation would leave (an unstable fixed point)."""
        return self.history[-1].saddle

    @property
    def stuck(self) -> bool:
        """Whether EM sits exactly on a saddle point, which it can never leave: at
        :attr:`at_saddle`, and its last iteration left every parameter exactly as it was
        (a start exactly on the saddle's line of symmetry, as in Murray's example). A
        move by hand since, or between the last two M-steps, leaves it: not stuck."""
        m_steps = [i for i, record in enumerate(self.history) if record.phase == "M"][-2:]
        if not self.at_saddle or len(m_steps) < 2:
            return False
        moves = (record.phase == "moved" for record in self.history[m_steps[0] :])
        if any(moves):
            return False
        before, after = (vars(self.history[i].params) for i in m_steps)
        return all(np.array_equal(before[name], after[name]) for name in before)

    @property
    def finished(self) -> bool:
        """Nothing left for ``run(past_saddle=True)`` to do: converged and not at a
        saddle point, or :attr:`stuck` on one."""
        return self.converged and (not self.at_saddle or self.stuck)

    def e_step(self) -> None:
        """Responsibilities from the current parameters (a no-op right after an E-step)."""
        if self.phase == "E":
            return
        self._latest_e = current = self._current
        last = self.history[-1]
        kl = current.log_likelihood - current.elbo
        self.history.append(
            replace(
                last,
                iteration=last.iteration + 1,
                phase="E",
                elbo=current.elbo,
                kl=kl,
                moved=None,
            )
        )

    def m_step(self) -> None:
        """Parameters from the latest responsibilities, doing the E-step first if the
        parameters changed since it.

        Raises
        ------
        StepError
            If the new parameters cannot be evaluated (a covariance lost positive
            definiteness to rounding); the state stays as it was after the E-step.
        """
        self.e_step()
        last = self.history[-1]
        q = self._latest_e
        params = self._estimate(self._data, q.q, previous=last.params)
        self._current = current = self._evaluated(params, q.q, self._step_failed)
        warnings = tuple(self._diagnose(params))
        elbo = current.earlier + q.entropy
        before = self.history[-2].objective  # the state the E-step started from
        converged = abs(current.objective - before) < self.tol * len(self.X) or (
            self._algorithm.hard and np.array_equal(q.resp, current.resp)
        )
        self.history.append(
            Record(
                last.iteration,
                "M",
                current.log_likelihood,
                current.objective,
                params,
                warnings,
                elbo,
                current.log_likelihood - elbo,
                bool(converged),
                self._saddle(params, converged and (not last.converged or last.saddle)),
            )
        )

    def move_mean(self, component: int, to: Any) -> None:
        """Move one component's mean by hand: a record of phase "moved", the parameters
        as they were but for that mean, evaluated as any parameters are.

        The record keeps the iteration of the one before it and is not converged; the
        next half-step is an E-step (:meth:`m_step` and :meth:`step` take it first).
        Its ``elbo`` is the bound for the latest E-step's ``q`` under the moved
        parameters, as an M-step records it (None before any E-step): what EM never
        lowers may fall here, since the move is no half-step of EM.

        Parameters
        ----------
        component : int
            Which component, 0 to ``n_components - 1``.
        to : array-like of shape (n_features,)
            Its new mean (for variational Bayes the posterior mean ``m_k``).

        Raises
        ------
        StepError
            If the model has no means, ``component`` is not one of them, ``to`` is not
            finite numbers, or the data cannot be evaluated with the mean there; the
            run stays as it was.
        SettingsError
            If ``to`` has not one number per feature.
        """
        params = self.params
        if "means" not in vars(params):
            raise StepError("This model has no means to move.")
        means = params.means
        check_number(component, "component", whole=True, error=StepError)
        if component >= len(means):
            raise StepError(f"There is no component {component}; choose 0 to {len(means) - 1}.")
        try:
            point = np.array(to, dtype=float)
        except (TypeError, ValueError):
            raise StepError("The new mean must be numbers, one per feature.") from None
        check_shape(point, means.shape[1:], "The new mean")
        if not np.isfinite(point).all():
            raise StepError("The new mean must be finite numbers (no NaN or infinity).")
        moved = means.copy()
        moved[component] = point
        self._record_move(component, replace(params, means=moved))

    def _record_move(self, component: int, params: Any) -> None:
        """Append the "moved" record of ``params`` (see :meth:`move_mean`)."""
        q = self._latest_e
        self._current = current = self._evaluated(
            params,
            None if q is None else q.q,
            "With the mean there the data cannot be evaluated (its densities underflow); "
            "move it closer to the points.",
        )
        elbo = None if q is None else current.earlier + q.entropy
        self.history.append(
            Record(
                self.history[-1].iteration,
                "moved",
                current.log_likelihood,
                current.objective,
                params,
                tuple(self._diagnose(params)),
                elbo,
                None if elbo is None else current.log_likelihood - elbo,
                saddle=self._saddle(params),
                moved=component,
            )
        )

    def step(self) -> None:
        """One iteration: E-step then M-step (completes the iteration after an E-step)."""
        self.m_step()

    def run(self, max_iter: int = 100, *, past_saddle: bool = False) -> int:
        """Iterate until converged or ``max_iter`` iterations; return iterations done.

        With ``past_saddle`` the gain rule is ignored while the run is at a saddle point
        (:attr:`at_saddle`): it goes on until :attr:`finished`, or ``max_iter``.
        """
        done = 0
        while done < max_iter and not (self.finished if past_saddle else self.converged):
            self.step()
            done += 1
        return done

    def ahead(self) -> "MixtureEM":
        """A copy of this run to step on while this one stays as it is: it shares the
        data, the settings and the records so far (records never change), so that the
        next half-steps can be computed before they are asked for (see :meth:`catch_up`)."""
        twin = copy.copy(self)
        twin.history = list(self.history)
        return twin

    def catch_up(self, ahead: "MixtureEM") -> bool:
        """Take the half-steps that ``ahead`` (from :meth:`ahead`) made past this run's
        latest record: the same records and state, without computing them again. Returns
        False, changing nothing, unless ``ahead`` went on from this run as it is now."""
        known = len(self.history)
        if len(ahead.history) <= known or ahead.history[known - 1] is not self.history[-1]:
            return False
        self.history[known:] = ahead.history[known:]
        self._current, self._latest_e = ahead._current, ahead._latest_e
        return True

    def back(self) -> bool:
        """Undo the last half-step exactly; return False at the start."""
        if len(self.history) == 1:
            return False
        self.history.pop()
        self._restore()
        return True

    def reset(self) -> None:
        """Return to the initial parameters, forgetting the run."""
        del self.history[1:]
        self._restore()

    def _restore(self) -> None:
        """Recompute the cached evaluations for the last record, exactly as they were."""
        self._current = self._evaluate(self.params)
        if self.phase == "E":
            self._latest_e = self._current
        else:
            self._latest_e = self._e_step_at(len(self.history) - 1)

    def _e_step_at(self, index: int) -> _Evaluation | None:
        """The evaluation of the latest E-step at or before ``history[index]``; None
        before any."""
        index = range(len(self.history))[index]
        for record in reversed(self.history[: index + 1]):
            if record.phase == "E":
                return self._evaluate(record.params)
        return None

    def responsibilities_at(self, index: int) -> np.ndarray | None:
        """Responsibilities as shown at ``history[index]`` (those of the latest E-step at or
        before it), recomputed from that step's parameters; None before any E-step.
        """
        evaluation = self._e_step_at(index)
        return None if evaluation is None else evaluation.resp
