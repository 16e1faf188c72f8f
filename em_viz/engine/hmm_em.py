"""Hidden Markov models on the one stepper: Baum-Welch as EM, half-step by half-step.

The E-step is forward-backward over every sequence (the posteriors ``gamma`` and the
expected transitions ``xi``), the M-step normalises the expected counts: starts,
transitions and emissions. ``CategoricalHMMEM`` emits symbols (dice rolls),
``GaussianHMMEM`` vectors, with the Gaussian mixture's log-density and M-step per state.
Each step equals hmmlearn's ``CategoricalHMM`` and ``GaussianHMM`` from the same start.
"""

from dataclasses import replace
from functools import partial
from typing import Any

import numpy as np

from em_viz.engine.families import gaussian, hmm
from em_viz.engine.families.saddle import identical_groups, near_saddle
from em_viz.engine.gaussian_em import _check_covariances
from em_viz.engine.stepper import MixtureEM, _Evaluation
from em_viz.engine.validation import (
    SettingsError,
    check_choice,
    check_data,
    check_n_components,
    check_number,
    check_shape,
)

CATEGORICAL_INITS = ("random",)
GAUSSIAN_INITS = ("kmeans", "k-means++", "random-points")


class HiddenMarkovEM(MixtureEM):
    """Baum-Welch for any emission family, one half-step at a time.

    Parameters
    ----------
    X : ndarray of shape (n_samples,) or (n_samples, n_features)
        The sequences one after another.
    params : HMMParams
        The start.
    bounds : ndarray of shape (n_sequences + 1,)
        Where each sequence starts (:func:`~em_viz.engine.families.hmm.sequence_bounds`).
    log_emission : callable
        ``log_emission(data, params) -> (n_samples, n_components)``,
        ``log p(x_t | z_t = k)``.
    estimate_emissions : callable
        ``estimate_emissions(data, gamma, previous) -> dict`` of the emission fields of
        the new parameters.
    **options
        ``tol``, ``diagnose``, ``prepare``, ``near_saddle``, ``step_failed``, as for
        :class:`~em_viz.engine.stepper.MixtureEM` (``log_prob`` is ``log_emission``).
    """

    def __init__(
        self,
        X: np.ndarray,
        params: hmm.HMMParams,
        *,
        bounds: np.ndarray,
        log_emission: Any,
        estimate_emissions: Any,
        **options: Any,
    ) -> None:
        self.bounds = bounds
        estimate = partial(_baum_welch_m_step, estimate_emissions=estimate_emissions)
        super().__init__(X, params, log_prob=log_emission, estimate=estimate, **options)
        if not np.isfinite(self.log_likelihood):
            raise SettingsError(
                "Under the starting parameters some observation is impossible (probability "
                "0 in every state); give every observed symbol some probability."
            )

    def _evaluate(self, params: hmm.HMMParams, q: hmm.HMMPosterior | None = None) -> _Evaluation:
        """Forward-backward under ``params``: the log-likelihood, the posteriors and
        their bound; and ``E_q[log p(X, Z | params)]`` for an earlier E-step's ``q``.
        The entropy of the posterior over paths is ``log p(X) - E_q[log p(X, Z)]``."""
        log_emission = self._log_prob(self._data, params)
        posterior = hmm.forward_backward(
            params.startprob, params.transmat, log_emission, self.bounds
        )
        posterior.gamma.flags.writeable = False
        log_likelihood = posterior.log_likelihood
        if not np.isfinite(log_likelihood):
            return _Evaluation(log_likelihood, log_likelihood, posterior.gamma, np.nan, np.nan)
        expected = hmm.expected_complete_log_likelihood(posterior, params, log_emission)
        earlier = (
            None if q is None else hmm.expected_complete_log_likelihood(q, params, log_emission)
        )
        return _Evaluation(
            log_likelihood,
            log_likelihood,
            posterior.gamma,
            log_likelihood - expected,
            log_likelihood,
            earlier,
            posterior,
        )

    @property
    def n_components(self) -> int:
        """The number of hidden states."""
        return len(self.params.startprob)

    @property
    def startprob(self) -> np.ndarray:
        """ndarray of shape (n_components,): the current start probabilities."""
        return self.params.startprob

    @property
    def transmat(self) -> np.ndarray:
        """ndarray of shape (n_components, n_components): the current transitions."""
        return self.params.transmat

    @property
    def posteriors(self) -> np.ndarray | None:
        """ndarray of shape (n_samples, n_components): the latest E-step's ``gamma``,
        ``P(z_t = k | X)``; None before any E-step."""
        return self.responsibilities

    @property
    def expected_transitions(self) -> np.ndarray | None:
        """ndarray of shape (n_components, n_components): the latest E-step's expected
        transitions (``xi`` summed over time and sequences); None before any E-step."""
        return None if self._latest_e is None else self._latest_e.statistics.transitions

    def viterbi(self, index: int = -1) -> tuple[float, np.ndarray]:
        """The most probable state path under the parameters of ``history[index]`` (by
        default the current ones).

        Returns
        -------
        log_prob : float
            ``log p(X, path)``, summed over the sequences.
        path : ndarray of shape (n_samples,), int
        """
        params = self.history[index].params
        log_emission = self._log_prob(self._data, params)
        return hmm.viterbi(params.startprob, params.transmat, log_emission, self.bounds)


def _baum_welch_m_step(
    data: Any,
    posterior: hmm.HMMPosterior,
    *,
    previous: hmm.HMMParams,
    estimate_emissions: Any,
) -> hmm.HMMParams:
    """The chain's M-step and the emissions' from one E-step's posterior."""
    fields = hmm.estimate_chain(posterior, previous)
    return replace(previous, **fields, **estimate_emissions(data, posterior.gamma, previous))


class CategoricalHMMEM(HiddenMarkovEM):
    """Baum-Welch for a hidden Markov model emitting symbols (hmmlearn's
    ``CategoricalHMM``).

    Parameters
    ----------
    X : array-like of shape (n_samples,)
        Symbols ``0 .. n_symbols - 1``, the sequences one after another.
    n_components : int
        The number of hidden states.
    n_symbols : int, optional
        How many symbols there are; by default one more than the largest in ``X``.
    lengths : array-like of int, optional
        The lengths of the sequences in ``X`` (one sequence by default).
    startprob_init : array-like of shape (n_components,), optional
    transmat_init : array-like of shape (n_components, n_components), optional
    emissionprob_init : array-like of shape (n_components, n_symbols), optional
        Each explicit start overrides ``init``'s.
    init : {"random"}, default="random"
        Uniform start probabilities, a random lingering chain
        (:func:`~em_viz.engine.families.hmm.random_chain`) and random emission rows.
    random_state : int, numpy.random.Generator or None
    tol : float, default=1e-4
        Converged when an iteration raises the log-likelihood per observation by less.
    """

    def __init__(
        self,
        X: Any,
        n_components: int,
        n_symbols: int | None = None,
        lengths: Any = None,
        startprob_init: Any = None,
        transmat_init: Any = None,
        emissionprob_init: Any = None,
        init: str = "random",
        random_state: int | np.random.Generator | None = None,
        tol: float = 1e-4,
    ) -> None:
        symbols, n_symbols = _check_symbols(X, n_symbols)
        bounds = hmm.sequence_bounds(len(symbols), lengths)
        check_n_components(n_components, len(symbols))
        check_choice(init, "init", CATEGORICAL_INITS)
        check_number(tol, "tol", fix="Try 1e-4.")
        self.n_symbols = n_symbols
        rng = np.random.default_rng(random_state)
        chain = hmm.random_chain(n_components, rng)
        emissionprob = rng.uniform(size=(n_components, n_symbols))
        emissionprob /= emissionprob.sum(axis=1, keepdims=True)
        if emissionprob_init is not None:
            emissionprob = hmm.check_stochastic(
                np.array(emissionprob_init, dtype=float),
                "emissionprob_init",
                (n_components, n_symbols),
            )
        start = hmm.CategoricalHMMParams(
            **_explicit_chain(chain, startprob_init, transmat_init, n_components),
            emissionprob=emissionprob,
        )
        super().__init__(
            symbols,
            start,
            bounds=bounds,
            log_emission=hmm.categorical_log_emission,
            estimate_emissions=partial(_categorical_m_step, n_symbols=n_symbols),
            diagnose=hmm.chain_warnings,
            tol=tol,
        )

    @property
    def emissionprob(self) -> np.ndarray:
        """ndarray of shape (n_components, n_symbols): the current emission table."""
        return self.params.emissionprob


def _categorical_m_step(
    symbols: np.ndarray, gamma: np.ndarray, previous: hmm.CategoricalHMMParams, n_symbols: int
) -> dict[str, np.ndarray]:
    """The emission table from the expected emissions, row by row (a state with none
    keeps its row)."""
    counts = hmm.categorical_counts(symbols, gamma, n_symbols)
    return {"emissionprob": hmm.normalise_rows(counts, previous.emissionprob)}


class GaussianHMMEM(HiddenMarkovEM):
    """Baum-Welch for a hidden Markov model with Gaussian emissions (hmmlearn's
    ``GaussianHMM`` with no prior on the means and covariances).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The sequences one after another.
    n_components : int
        The number of hidden states.
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
    lengths : array-like of int, optional
    startprob_init, transmat_init : array-like, optional
        As for :class:`CategoricalHMMEM`.
    means_init : array-like of shape (n_components, n_features), optional
    covariances_init : array-like of shape (n_components, n_features, n_features), optional
        Full matrices of the covariance type. Each explicit start overrides ``init``'s.
    reg_covar : float, default=1e-6
        Added to the diagonal of every covariance at each M-step.
    init : {"kmeans", "k-means++", "random-points"}, default="kmeans"
        The states' Gaussians as the Gaussian mixture's start of that name; the chain
        as :func:`~em_viz.engine.families.hmm.random_chain`.
    random_state : int, numpy.random.Generator or None
    tol : float, default=1e-4
    """

    def __init__(
        self,
        X: Any,
        n_components: int,
        covariance_type: str = "full",
        lengths: Any = None,
        startprob_init: Any = None,
        transmat_init: Any = None,
        means_init: Any = None,
        covariances_init: Any = None,
        reg_covar: float = 1e-6,
        init: str = "kmeans",
        random_state: int | np.random.Generator | None = None,
        tol: float = 1e-4,
    ) -> None:
        X = check_data(X)
        bounds = hmm.sequence_bounds(len(X), lengths)
        check_choice(covariance_type, "covariance_type", gaussian.COVARIANCE_TYPES)
        check_n_components(n_components, len(X))
        check_choice(init, "init", GAUSSIAN_INITS)
        check_number(
            reg_covar,
            "reg_covar",
            above=True,
            why="it keeps covariances invertible",
            fix="Try 1e-6.",
        )
        check_number(tol, "tol", fix="Try 1e-4.")
        self.covariance_type = covariance_type
        self.reg_covar = reg_covar
        rng = np.random.default_rng(random_state)
        chain = hmm.random_chain(n_components, rng)
        settings = {"covariance_type": covariance_type, "reg_covar": reg_covar}
        means, covariances = means_init, covariances_init
        if means is None or covariances is None:
            _check_distinct(X, n_components)
            emissions = gaussian.initial(X, n_components, init, rng, **settings)
            means = emissions.means if means is None else means
            covariances = emissions.covariances if covariances is None else covariances
        means = np.array(means, dtype=float)
        check_shape(means, (n_components, X.shape[1]), "means_init")
        if not np.isfinite(means).all():
            raise SettingsError("means_init holds NaN or infinite values.")
        covariances = np.array(covariances, dtype=float)
        _check_covariances(covariances, n_components, X.shape[1], covariance_type)
        start = hmm.GaussianHMMParams(
            **_explicit_chain(chain, startprob_init, transmat_init, n_components),
            means=means,
            covariances=covariances,
        )
        super().__init__(
            X,
            start,
            bounds=bounds,
            log_emission=_gaussian_log_emission,
            estimate_emissions=partial(_gaussian_m_step, settings=settings),
            diagnose=partial(_gaussian_warnings, reg_covar=reg_covar),
            tol=tol,
            prepare=gaussian.prepare,
            near_saddle=near_saddle,
            step_failed=gaussian.STEP_FAILED.replace("components", "states"),
        )

    @property
    def means(self) -> np.ndarray:
        """ndarray of shape (n_components, n_features): the states' current means."""
        return self.params.means

    @property
    def covariances(self) -> np.ndarray:
        """ndarray of shape (n_components, n_features, n_features): the states' current
        covariances, full matrices whatever the covariance type."""
        return self.params.covariances


def _gaussian_log_emission(
    data: gaussian.GaussianData, params: hmm.GaussianHMMParams
) -> np.ndarray:
    """``log N(x_t | mu_k, Sigma_k)``, shape (n_samples, n_components)."""
    return gaussian.log_prob(data, params.emissions)


def _gaussian_m_step(
    data: gaussian.GaussianData,
    gamma: np.ndarray,
    previous: hmm.GaussianHMMParams,
    settings: dict[str, Any],
) -> dict[str, np.ndarray]:
    """The states' means and covariances: the Gaussian mixture's M-step with ``gamma``
    as the responsibilities."""
    estimated = gaussian.estimate(data, gamma, previous=previous.emissions, **settings)
    return {"means": estimated.means, "covariances": estimated.covariances}


def _gaussian_warnings(params: hmm.GaussianHMMParams, reg_covar: float) -> list[str]:
    """The chain's warnings, collapsed states, and states with nearly identical
    Gaussians (a saddle point)."""
    messages = hmm.chain_warnings(params)
    shapes = gaussian.GaussianParams(np.ones(len(params.means)), params.means, params.covariances)
    for message in gaussian.diagnose(shapes, 1, reg_covar, saddles=False):
        messages.append(message.replace("Component", "State").replace("components", "states"))
    for group in identical_groups(params):
        named = " and ".join(str(k + 1) for k in group)
        messages.append(
            f"States {named} emit nearly the same Gaussian: EM is at or near a saddle "
            "point, where it moves very slowly. It is not the answer: press Run or Step to "
            "go on, or start elsewhere."
        )
    return messages


def _check_distinct(X: np.ndarray, n_components: int) -> None:
    """Raise SettingsError unless there are at least as many distinct points as states
    (a start from the data needs one per state)."""
    n_distinct = len(np.unique(X, axis=0))
    if n_components > n_distinct:
        raise SettingsError(
            f"n_components={n_components} is more than the {n_distinct} distinct data "
            f"points; use at most {n_distinct} states, or give means_init and "
            "covariances_init."
        )


def _check_symbols(X: Any, n_symbols: int | None) -> tuple[np.ndarray, int]:
    """``X`` as int64 symbols and the number of symbols, checked."""
    values = np.asarray(X)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.ndim != 1 or values.size == 0:
        raise SettingsError(
            f"X must be one sequence of symbols (shape (n_samples,)); got shape {values.shape}."
        )
    if not (
        np.issubdtype(values.dtype, np.number)
        and np.isfinite(values).all()
        and (values >= 0).all()
        and np.array_equal(values, np.round(values))
    ):
        raise SettingsError("X must hold symbols as whole numbers 0, 1, 2, ...")
    symbols = values.astype(np.int64)
    largest = int(symbols.max()) + 1
    if n_symbols is None:
        return symbols, largest
    check_number(n_symbols, "n_symbols", minimum=1, whole=True)
    if n_symbols < largest:
        raise SettingsError(
            f"X holds the symbol {largest - 1}, so n_symbols must be at least {largest}; "
            f"got {n_symbols}."
        )
    return symbols, n_symbols


def _explicit_chain(
    chain: dict[str, np.ndarray], startprob_init: Any, transmat_init: Any, n_components: int
) -> dict[str, np.ndarray]:
    """``chain`` with the given parts replaced, each checked."""
    chain = dict(chain)
    for value, name, key, shape in (
        (startprob_init, "startprob_init", "startprob", (n_components,)),
        (transmat_init, "transmat_init", "transmat", (n_components, n_components)),
    ):
        if value is not None:
            chain[key] = hmm.check_stochastic(np.array(value, dtype=float), name, shape)
    return chain
