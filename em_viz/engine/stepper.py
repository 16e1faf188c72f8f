"""The one EM stepper: half-steps, a history of parameters, undo.

``MixtureEM`` runs EM for any family given as its pure functions (log-density, M-step,
diagnosis, and a log prior when the M-step is maximum a posteriori).
``GaussianMixtureEM`` binds it to the Gaussian family, ``BinomialMixtureEM`` and
``BernoulliMixtureEM`` to the Bernoulli one, each checking its settings. The history is
the single source of truth: each record holds parameters, never per-point arrays;
responsibilities for a past record are recomputed on demand.

The variants of EM (soft, hard, k-means, fixed variances) run on this one loop: an
``Algorithm`` names the E-step (soft posterior or hard argmax) and the objective it
improves, and the family's ``estimate`` carries the M-step's constraints.

Every half-step also records the evidence lower bound ``L(q, params)`` for ``q`` the
latest E-step's responsibilities, and its gap to the log-likelihood (see
:mod:`em_viz.engine.bound`).
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import numpy as np

from em_viz.engine.bound import expected_complete_log_likelihood
from em_viz.engine.families import bernoulli, check_weights, gaussian
from em_viz.engine.posterior import hard_posterior, posterior

ALGORITHMS = ("soft", "hard", "kmeans", "fixed-eps")


@dataclass(frozen=True, eq=False)
class Record:
    """One half-step of a run.

    Attributes
    ----------
    iteration : int
        0 for the initial state; an E-step and the M-step after it share a number.
    phase : {"init", "E", "M"}
    log_likelihood : float
        ``sum_i log p(x_i | params)``.
    objective : float
        What the algorithm improves, higher is better (see ``MixtureEM.objective``).
    params : object
        The family's parameters; their fields (``weights``, ``means``, ...) can also be
        read from the record directly.
    warnings : tuple of str
        Plain-words diagnoses of these parameters (empty or collapsed components).
    elbo : float or None
        The evidence lower bound ``L(q, params) = E_q[log p(X, Z | params)] + H(q)``
        for ``q`` the latest E-step's responsibilities; None at "init", before any
        E-step has given a ``q``.
    kl : float or None
        ``log_likelihood - elbo``, the gap ``KL(q || p(Z | X, params))``. 0 right after
        a soft E-step (``q`` is then the posterior); after a hard one ``q`` is a 0/1
        assignment and the gap stays open by how uncertain the points are.
    """

    iteration: int
    phase: str
    log_likelihood: float
    objective: float
    params: Any
    warnings: tuple[str, ...] = ()
    elbo: float | None = None
    kl: float | None = None

    def __getattr__(self, name: str) -> Any:
        params = self.__dict__.get("params")
        if params is None or name.startswith("_"):
            raise AttributeError(name)
        return getattr(params, name)


def complete_log_likelihood(
    data: Any, params: Any, log_prob: np.ndarray, resp: np.ndarray
) -> float:
    """``sum_i log p(x_i, z_i | params)`` for the hard assignment ``z_i = argmax_k``
    (what classification EM raises)."""
    return float(log_prob.max(axis=1).sum())


def negative_sum_of_squares(
    data: Any, params: Any, log_prob: np.ndarray, resp: np.ndarray
) -> float:
    """``-sum_i ||x_i - mu_{z_i}||^2`` for the nearest means (minus k-means' inertia)."""
    return -gaussian.sum_of_squares(data, params, resp)


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
    """

    name: str
    assign: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]] = posterior
    objective: Callable[[Any, Any, np.ndarray, np.ndarray], float] | None = None
    objective_name: str = "log-likelihood"
    hard: bool = False


SOFT = Algorithm("soft")


@dataclass(frozen=True, eq=False)
class _Evaluation:
    """What the stepper keeps of one evaluation of parameters (no log-densities).

    ``resp`` is the algorithm's E-step under these parameters and ``entropy`` its
    ``H(q)``; ``elbo`` is ``L(resp, params)``, what an E-step here records; ``earlier``
    is ``E_q[log p(X, Z | params)]`` for the ``q`` passed in, if any.
    """

    log_likelihood: float
    objective: float
    resp: np.ndarray
    entropy: float
    elbo: float
    earlier: float | None = None


def check_data(X: Any) -> np.ndarray:
    """``X`` as a C-contiguous float array of shape (n_samples, n_features).

    Raises
    ------
    ValueError
        If ``X`` is not two-dimensional, is empty, or holds NaN or infinity.
    """
    X = np.ascontiguousarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(
            f"X must be a table of shape (n_samples, n_features) with at least one row and "
            f"one column; got shape {X.shape}."
        )
    bad_rows = np.flatnonzero(~np.isfinite(X).all(axis=1))
    if bad_rows.size:
        shown = ", ".join(str(i) for i in bad_rows[:5])
        raise ValueError(
            f"X holds NaN or infinite values in {bad_rows.size} row(s) (e.g. rows {shown}); "
            "remove or fill them first."
        )
    return X


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
        self._current = self._evaluate(params)
        self._latest_e: _Evaluation | None = None
        warnings = tuple(diagnose(params))
        self.history = [
            Record(
                0, "init", self._current.log_likelihood, self._current.objective, params, warnings
            )
        ]

    def _evaluate(self, params: Any, q: np.ndarray | None = None) -> _Evaluation:
        """Total log-likelihood, objective, responsibilities (the algorithm's E-step) and
        their bound under ``params``; and ``E_q[log p(X, Z | params)]`` for a given ``q``.

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

    @property
    def algorithm(self) -> str:
        """The variant of EM: ``"soft"``, ``"hard"``, ``"kmeans"`` or ``"fixed-eps"``."""
        return self._algorithm.name

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
        """What the last half-step was: ``"init"``, ``"E"`` or ``"M"``."""
        return self.history[-1].phase

    @property
    def n_iter(self) -> int:
        """Completed iterations (M-steps)."""
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
        ends = [r.objective for r in self.history if r.phase != "E"]
        if len(ends) >= 2 and abs(ends[-1] - ends[-2]) < self.tol * len(self.X):
            return True
        return self._algorithm.hard and self._assignments_settled()

    def _assignments_settled(self) -> bool:
        """Whether the current parameters assign every point as the E-step before the
        last M-step did."""
        if self.n_iter == 0:
            return False
        if self.phase == "M":
            used = self.responsibilities
        else:
            used = self._evaluate(self.history[-3].params).resp
        return np.array_equal(used, self._current.resp)

    def e_step(self) -> None:
        """Responsibilities from the current parameters (a no-op right after an E-step)."""
        if self.phase == "E":
            return
        self._latest_e = current = self._current
        last = self.history[-1]
        kl = current.log_likelihood - current.elbo
        self.history.append(
            replace(last, iteration=last.iteration + 1, phase="E", elbo=current.elbo, kl=kl)
        )

    def m_step(self) -> None:
        """Parameters from the latest responsibilities, doing the E-step first if the
        parameters changed since it.

        Raises
        ------
        ValueError
            If the new parameters cannot be evaluated (a covariance lost positive
            definiteness to rounding); the state stays as it was after the E-step.
        """
        self.e_step()
        last = self.history[-1]
        q = self._latest_e
        params = self._estimate(self._data, q.resp, previous=last.params)
        try:
            current = self._evaluate(params, q.resp)
        except np.linalg.LinAlgError:
            current = None
        if current is None or not (
            np.isfinite(current.log_likelihood) and np.isfinite(current.objective)
        ):
            raise ValueError(self._step_failed)
        self._current = current
        warnings = tuple(self._diagnose(params))
        elbo = current.earlier + q.entropy
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
            )
        )

    def step(self) -> None:
        """One iteration: E-step then M-step (completes the iteration after an E-step)."""
        self.m_step()

    def run(self, max_iter: int = 100) -> int:
        """Iterate until converged or ``max_iter`` iterations; return iterations done."""
        done = 0
        while done < max_iter and not self.converged:
            self.step()
            done += 1
        return done

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


class GaussianMixtureEM(MixtureEM):
    """EM for a Gaussian mixture, stepped by hand.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_components : int, default=3
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
    init : {"random-points", "k-means++", "kmeans", "random-responsibilities"}, \
default="k-means++"
        How the starting parameters are built (see
        :func:`em_viz.engine.families.gaussian.initial`).
    random_state : int, numpy.random.Generator or None, default=None
    reg_covar : float, default=1e-6
        Added to every covariance's diagonal; must be positive.
    tol : float, default=1e-4
        Converged when an iteration changes the mean :attr:`objective` by less than this
        (for "soft", the mean log-likelihood).
    weights_init : array-like of shape (n_components,), optional
    means_init : array-like of shape (n_components, n_features), optional
    covariances_init : array-like of shape (n_components, n_features, n_features), optional
        Full matrices for every type: equal for "tied", diagonal for "diag", multiples
        of the identity for "spherical". Each explicit start overrides ``init``'s.
    algorithm : {"soft", "hard", "kmeans", "fixed-eps"}, default="soft"
        The variant of EM, each the one loop with its own E-step and a constrained
        M-step:

        - ``"soft"``: EM for the Gaussian mixture.
        - ``"hard"``: classification EM. The E-step gives each point wholly to its most
          responsible component (ties to the lowest index); the M-step is soft EM's.
          :attr:`objective` is the complete-data log-likelihood of that assignment.
        - ``"kmeans"``: Lloyd's algorithm, as hard EM with equal weights and one shared
          spherical covariance: each point goes to its nearest mean, each mean moves to
          the mean of its points, and an empty cluster is relocated as scikit-learn's
          ``KMeans(algorithm="lloyd")`` does (see
          :func:`~em_viz.engine.families.gaussian.estimate_kmeans`). :attr:`objective` is minus
          the sum of squared distances to the nearest means. Weights are ``1 / K``;
          every covariance is ``s2 I``, with ``s2`` the whole data's variance per
          dimension at the start and, after each M-step, the mean squared distance per
          dimension from each point to its cluster's centre, plus ``reg_covar``
          (``log_likelihood`` is that mixture's).
        - ``"fixed-eps"``: soft EM with weights fixed at ``1 / K`` and every covariance
          at ``epsilon * I``: only the means move, to the responsibility-weighted
          means. As ``epsilon`` shrinks the responsibilities harden and the steps become
          k-means'.

        ``"kmeans"`` and ``"fixed-eps"`` take only the means from the start (``init`` or
        ``means_init``); ``covariance_type``, ``weights_init`` and ``covariances_init``
        do not apply to them.
    epsilon : float, default=1.0
        The fixed variance of every component for ``algorithm="fixed-eps"``; must be
        positive.
    """

    def __init__(
        self,
        X: Any,
        n_components: int = 3,
        *,
        covariance_type: str = "full",
        init: str = "k-means++",
        random_state: int | np.random.Generator | None = None,
        reg_covar: float = 1e-6,
        tol: float = 1e-4,
        weights_init: Any = None,
        means_init: Any = None,
        covariances_init: Any = None,
        algorithm: str = "soft",
        epsilon: float = 1.0,
    ) -> None:
        X = check_data(X)
        _check_settings(X, n_components, covariance_type, init, reg_covar, tol)
        _check_algorithm(algorithm, epsilon)
        self.covariance_type = covariance_type
        self.init = init
        self.reg_covar = reg_covar
        self.epsilon = epsilon
        start = gaussian.initial(
            X,
            n_components,
            init,
            np.random.default_rng(random_state),
            covariance_type=covariance_type,
            reg_covar=reg_covar,
        )
        params = _explicit_start(
            start, weights_init, means_init, covariances_init, covariance_type
        )
        estimate = partial(gaussian.estimate, covariance_type=covariance_type, reg_covar=reg_covar)
        diagnose = partial(gaussian.diagnose, n_samples=len(X), reg_covar=reg_covar)
        if algorithm == "kmeans":
            params = gaussian.kmeans_start(X, params.means, reg_covar)
            estimate = partial(gaussian.estimate_kmeans, reg_covar=reg_covar)
            diagnose = _no_warnings
        elif algorithm == "fixed-eps":
            params = gaussian.fixed_start(params.means, epsilon)
            estimate = gaussian.estimate_means
            diagnose = _no_warnings
        super().__init__(
            X,
            params,
            log_prob=gaussian.log_prob,
            estimate=estimate,
            diagnose=diagnose,
            tol=tol,
            prepare=gaussian.prepare,
            algorithm=_ALGORITHMS[algorithm],
            step_failed=gaussian.STEP_FAILED,
        )
        if algorithm == "fixed-eps" and not np.isfinite(self.log_likelihood):
            raise ValueError(
                f"epsilon={epsilon:g} is too small for data at this scale: the densities "
                "underflow. Use a larger epsilon."
            )

    @property
    def means(self) -> np.ndarray:
        """ndarray of shape (n_components, n_features): the current means."""
        return self.params.means

    @property
    def covariances(self) -> np.ndarray:
        """ndarray of shape (n_components, n_features, n_features): the current
        covariances as full matrices, whatever ``covariance_type``."""
        return self.params.covariances


_ALGORITHMS = {
    "soft": SOFT,
    "hard": Algorithm(
        "hard",
        assign=hard_posterior,
        objective=complete_log_likelihood,
        objective_name="complete-data log-likelihood",
        hard=True,
    ),
    "kmeans": Algorithm(
        "kmeans",
        assign=hard_posterior,
        objective=negative_sum_of_squares,
        objective_name="negative sum of squared distances",
        hard=True,
    ),
    "fixed-eps": Algorithm("fixed-eps"),
}


def _no_warnings(params: gaussian.GaussianParams) -> list[str]:
    """No diagnosis: the algorithm fixes the weights and covariances itself."""
    return []


def _check_algorithm(algorithm: str, epsilon: float) -> None:
    """Raise ValueError, naming the fix, for an unknown algorithm or a bad epsilon."""
    if not (isinstance(algorithm, str) and algorithm in _ALGORITHMS):
        raise ValueError(
            f"Unknown algorithm {algorithm!r}; choose one of {', '.join(ALGORITHMS)}."
        )
    if not (isinstance(epsilon, int | float | np.integer | np.floating) and 0 < epsilon < np.inf):
        raise ValueError(
            f"epsilon must be a positive number (the fixed variance of every component); "
            f"got {epsilon!r}. Try 1.0, or about the data's variance."
        )


def _check_settings(
    X: np.ndarray,
    n_components: int,
    covariance_type: str,
    init: str,
    reg_covar: float,
    tol: float,
) -> None:
    """Raise ValueError, naming the fix, for settings EM cannot run with."""
    if covariance_type not in gaussian.COVARIANCE_TYPES:
        raise ValueError(
            f"Unknown covariance_type {covariance_type!r}; choose one of "
            f"{', '.join(gaussian.COVARIANCE_TYPES)}."
        )
    if init not in gaussian.INIT_METHODS:
        raise ValueError(
            f"Unknown init {init!r}; choose one of {', '.join(gaussian.INIT_METHODS)}."
        )
    _check_n_components(n_components, len(X))
    n_distinct = len(np.unique(X, axis=0))
    if n_components > n_distinct:
        raise ValueError(
            f"n_components={n_components} is more than the {n_distinct} distinct data "
            f"points, so some components would have nothing to fit; use at most "
            f"{n_distinct} components."
        )
    if not reg_covar > 0:
        raise ValueError(
            f"reg_covar must be positive (it keeps covariances invertible); got {reg_covar}. "
            "Try 1e-6."
        )
    if not tol >= 0:
        raise ValueError(f"tol must be >= 0; got {tol}. Try 1e-4.")


def _check_n_components(n_components: int, n_samples: int) -> None:
    """Raise ValueError unless ``1 <= n_components <= n_samples``, a whole number."""
    if not (isinstance(n_components, int | np.integer) and n_components >= 1):
        raise ValueError(f"n_components must be a whole number >= 1; got {n_components!r}.")
    if n_components > n_samples:
        raise ValueError(
            f"n_components={n_components} is more than the {n_samples} data points; use at "
            f"most {n_samples} components."
        )


def _explicit_start(
    start: gaussian.GaussianParams,
    weights_init: Any,
    means_init: Any,
    covariances_init: Any,
    covariance_type: str,
) -> gaussian.GaussianParams:
    """``start`` with the given parts replaced, each checked for shape and validity."""
    n_components, n_features = start.means.shape
    weights, means, covariances = start.weights, start.means, start.covariances
    if weights_init is not None:
        weights = check_weights(weights_init, n_components)
    if means_init is not None:
        means = np.array(means_init, dtype=float)
        if means.shape != (n_components, n_features):
            raise ValueError(
                f"means_init must have shape ({n_components}, {n_features}); got {means.shape}."
            )
        if not np.isfinite(means).all():
            raise ValueError("means_init holds NaN or infinite values.")
    if covariances_init is not None:
        covariances = np.array(covariances_init, dtype=float)
        _check_covariances(covariances, n_components, n_features, covariance_type)
    return gaussian.GaussianParams(weights, means, covariances)


def _check_covariances(
    covariances: np.ndarray, n_components: int, n_features: int, covariance_type: str
) -> None:
    """Raise ValueError unless these are valid full matrices of the given type."""
    shape = (n_components, n_features, n_features)
    if covariances.shape != shape:
        raise ValueError(f"covariances_init must have shape {shape}; got {covariances.shape}.")
    if not np.allclose(covariances, np.swapaxes(covariances, 1, 2)):
        raise ValueError("covariances_init must hold symmetric matrices.")
    if not np.all(np.linalg.eigvalsh(covariances) > 0):
        raise ValueError("covariances_init must hold positive definite matrices.")
    diagonal = covariances * np.eye(n_features)
    variances = np.diagonal(covariances, axis1=1, axis2=2)
    rules = {
        "full": (True, ""),
        "tied": (np.allclose(covariances, covariances[0]), "equal matrices"),
        "diag": (np.allclose(covariances, diagonal), "diagonal matrices"),
        "spherical": (
            np.allclose(covariances, diagonal) and np.allclose(variances, variances[:, :1]),
            "multiples of the identity",
        ),
    }
    valid, expected = rules[covariance_type]
    if not valid:
        raise ValueError(
            f"covariance_type={covariance_type!r} needs covariances_init to be {expected}."
        )


class BinomialMixtureEM(MixtureEM):
    """EM for a mixture of binomials: sets of coin tosses, each set thrown with one of
    ``n_components`` coins of unknown bias, the coin unknown.

    Parameters
    ----------
    heads : array-like of shape (n_samples,) or (n_samples, n_features)
        Heads in each set (per feature: several coins tossed per set).
    trials : int or array-like broadcastable to ``heads``
        Tosses in each set (at least 1).
    n_components : int, default=2
    init : {"random", "random-responsibilities", "kmeans"}, default="random"
        How the starting parameters are built (see
        :func:`em_viz.engine.families.bernoulli.initial`).
    random_state : int, numpy.random.Generator or None, default=None
    pseudo_count : float, default=0.0
        Heads and tails added to every coin at each M-step (a Beta(1 + a, 1 + a) prior):
        above 0, no bias can reach 0 or 1. 0 is plain maximum likelihood, as in the
        textbook two-coin example.
    tol : float, default=1e-4
        Converged when an iteration raises the mean :attr:`objective` per set by less.
    weights_init : array-like of shape (n_components,), optional
    probabilities_init : array-like of shape (n_components, n_features), optional
        Starting biases, strictly between 0 and 1 (shape (n_components,) for one
        feature). Each explicit start overrides ``init``'s.
    learn_weights : bool, default=True
        False holds the mixing weights at their start (``weights_init``, else 1/K).

    Attributes
    ----------
    probabilities : ndarray of shape (n_components, n_features)
        The current biases.

    Notes
    -----
    The log-likelihood is that of the tosses as observed, in order (no binomial
    coefficient): each set's ``h log p + t log(1 - p)``.
    """

    def __init__(
        self,
        heads: Any,
        trials: Any,
        n_components: int = 2,
        *,
        init: str = "random",
        random_state: int | np.random.Generator | None = None,
        pseudo_count: float = 0.0,
        tol: float = 1e-4,
        weights_init: Any = None,
        probabilities_init: Any = None,
        learn_weights: bool = True,
    ) -> None:
        heads = check_data(np.reshape(heads, (len(heads), -1)) if np.ndim(heads) == 1 else heads)
        trials = _check_trials(heads, trials)
        _check_counts_settings(len(heads), n_components, init, pseudo_count, tol)
        self.trials = trials
        self.init = init
        self.pseudo_count = float(pseudo_count)
        self.learn_weights = learn_weights
        data = bernoulli.prepare(heads, trials)
        params = bernoulli.initial(
            data,
            n_components,
            init,
            np.random.default_rng(random_state),
            pseudo_count=pseudo_count,
        )
        if weights_init is not None:
            params = replace(params, weights=check_weights(weights_init, n_components))
        if probabilities_init is not None:
            params = replace(
                params, probabilities=_check_probabilities(probabilities_init, params)
            )
        super().__init__(
            heads,
            params,
            log_prob=bernoulli.log_prob,
            estimate=partial(
                bernoulli.estimate, pseudo_count=pseudo_count, learn_weights=learn_weights
            ),
            diagnose=partial(bernoulli.diagnose, data=data),
            tol=tol,
            prepare=lambda _: data,  # the counts, prepared once above
            log_prior=partial(bernoulli.log_prior, pseudo_count=pseudo_count)
            if pseudo_count > 0
            else None,
            step_failed=bernoulli.STEP_FAILED,
        )

    @property
    def probabilities(self) -> np.ndarray:
        """ndarray of shape (n_components, n_features): the current probabilities of
        heads (of a 1)."""
        return self.params.probabilities


class BernoulliMixtureEM(BinomialMixtureEM):
    """EM for a mixture of multivariate Bernoullis: binary vectors (e.g. black-and-white
    images), each drawn from one of ``n_components`` prototypes of pixel probabilities.

    A binomial mixture with one toss per feature: see :class:`BinomialMixtureEM` for the
    stepper's API.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Only 0 and 1 (or booleans).
    n_components : int, default=2
    init : {"random", "random-responsibilities", "kmeans"}, default="random"
    random_state : int, numpy.random.Generator or None, default=None
    weights_init : array-like of shape (n_components,), optional
    probabilities_init : array-like of shape (n_components, n_features), optional
    pseudo_count : float, default=1.0
        Ones and zeros added to every component and feature at each M-step (a
        Beta(1 + a, 1 + a) prior, Laplace's rule at 1), so that no probability reaches 0
        or 1: an unseen pixel never makes an image impossible. 0 is plain maximum
        likelihood. EM then never lowers the log-likelihood plus the log prior.
    tol : float, default=1e-4
    learn_weights : bool, default=True
    """

    def __init__(
        self,
        X: Any,
        n_components: int = 2,
        *,
        init: str = "random",
        random_state: int | np.random.Generator | None = None,
        weights_init: Any = None,
        probabilities_init: Any = None,
        pseudo_count: float = 1.0,
        tol: float = 1e-4,
        learn_weights: bool = True,
    ) -> None:
        X = check_data(X)
        other = (X != 0) & (X != 1)
        if other.any():
            row, col = np.argwhere(other)[0]
            raise ValueError(
                f"X must hold only 0 and 1 (binary data); {int(other.sum())} value(s) are "
                f"neither, e.g. {X[row, col]:g} in row {row}, column {col}. Threshold the "
                "data first."
            )
        super().__init__(
            X,
            1,
            n_components,
            init=init,
            random_state=random_state,
            pseudo_count=pseudo_count,
            tol=tol,
            weights_init=weights_init,
            probabilities_init=probabilities_init,
            learn_weights=learn_weights,
        )


def _check_trials(heads: np.ndarray, trials: Any) -> np.ndarray:
    """``trials`` broadcast to the shape of ``heads``, checked against it.

    Raises
    ------
    ValueError
        Unless heads and trials are whole numbers with ``0 <= heads <= trials`` and
        at least one toss per set.
    """
    try:
        trials = np.broadcast_to(
            np.asarray(trials, dtype=float).reshape(
                (-1, 1) if np.ndim(trials) == 1 else np.shape(trials)
            ),
            heads.shape,
        )
    except ValueError:
        raise ValueError(
            f"trials must be one number or one per set; got shape {np.shape(trials)} for "
            f"{len(heads)} sets."
        ) from None
    if not (np.isfinite(trials).all() and np.all(trials == np.round(trials))):
        raise ValueError("trials must be whole numbers of tosses.")
    if np.any(trials < 1):
        raise ValueError("Every set needs at least one toss (trials >= 1).")
    if np.any(heads != np.round(heads)) or np.any(heads < 0) or np.any(heads > trials):
        raise ValueError("heads must be whole numbers between 0 and the set's trials.")
    return trials


def _check_counts_settings(
    n_samples: int, n_components: int, init: str, pseudo_count: float, tol: float
) -> None:
    """Raise ValueError, naming the fix, for settings a Bernoulli mixture cannot run with."""
    if init not in bernoulli.INIT_METHODS:
        raise ValueError(
            f"Unknown init {init!r}; choose one of {', '.join(bernoulli.INIT_METHODS)}."
        )
    _check_n_components(n_components, n_samples)
    if not (
        isinstance(pseudo_count, int | float | np.integer | np.floating)
        and (0 <= pseudo_count < np.inf)
    ):
        raise ValueError(
            f"pseudo_count must be a number >= 0 (0: plain maximum likelihood); got "
            f"{pseudo_count!r}. Try 1."
        )
    if not tol >= 0:
        raise ValueError(f"tol must be >= 0; got {tol}. Try 1e-4.")


def _check_probabilities(probabilities_init: Any, start: bernoulli.BernoulliParams) -> np.ndarray:
    """``probabilities_init`` as a (K, D) array strictly inside (0, 1), checked."""
    shape = start.probabilities.shape
    probabilities = np.array(probabilities_init, dtype=float)
    if probabilities.ndim == 1 and shape[1] == 1:
        probabilities = probabilities[:, None]
    if probabilities.shape != shape:
        raise ValueError(f"probabilities_init must have shape {shape}; got {probabilities.shape}.")
    if not np.all((probabilities > 0) & (probabilities < 1)):
        raise ValueError(
            "probabilities_init must lie strictly between 0 and 1 (a certain coin makes "
            "every other outcome impossible)."
        )
    return probabilities
