"""Hidden Markov models as pure functions: forward-backward, Viterbi and the M-step counts.

The E-step of Baum-Welch is the forward-backward recursion over each sequence, which is
sequential in time: it runs as one compiled loop (numba). The forward messages are scaled
to sum to 1 at every time step (Rabiner's scaling), and the emission densities are divided
by their largest value per time step first, so that neither underflows however long the
sequence; the log-likelihood is the sum of the logarithms of the scale factors and of those
largest values. Viterbi runs in log space.

The emissions are the caller's: any ``(n_samples, n_components)`` array of log-densities
(categorical symbols or Gaussians, see :mod:`em_viz.engine.hmm_em`).
"""

from dataclasses import dataclass

import numpy as np
from numba import njit

from em_viz.engine.families import EMPTY_COMPONENT_MASS
from em_viz.engine.families.gaussian import GaussianParams
from em_viz.engine.validation import SettingsError, check_number


@dataclass(frozen=True, eq=False, kw_only=True)
class HMMParams:
    """The chain of a hidden Markov model; the emission families add their parameters.

    Attributes
    ----------
    startprob : ndarray of shape (n_components,)
        Probability of each state at the first time step of a sequence.
    transmat : ndarray of shape (n_components, n_components)
        ``transmat[i, j] = P(z_{t+1} = j | z_t = i)``; rows sum to 1.
    occupancy : ndarray of shape (n_components,) or None
        Expected time steps spent in each state in the E-step these parameters were
        estimated from (None for a start).
    exits : ndarray of shape (n_components,) or None
        Expected transitions out of each state in that E-step; a state with none keeps
        its previous row of ``transmat``.
    """

    startprob: np.ndarray
    transmat: np.ndarray
    occupancy: np.ndarray | None = None
    exits: np.ndarray | None = None

    @property
    def weights(self) -> np.ndarray:
        """ndarray of shape (n_components,): the chain's stationary distribution, the
        long-run share of time in each state (with every row of ``transmat`` equal to
        some weights, the model is a mixture with those weights)."""
        return stationary_distribution(self.transmat)


@dataclass(frozen=True, eq=False, kw_only=True)
class CategoricalHMMParams(HMMParams):
    """A hidden Markov model emitting symbols ``0 .. n_symbols - 1``.

    Attributes
    ----------
    emissionprob : ndarray of shape (n_components, n_symbols)
        ``emissionprob[k, s] = P(x_t = s | z_t = k)``; rows sum to 1.
    """

    emissionprob: np.ndarray


@dataclass(frozen=True, eq=False, kw_only=True)
class GaussianHMMParams(HMMParams):
    """A hidden Markov model with Gaussian emissions.

    Attributes
    ----------
    means : ndarray of shape (n_components, n_features)
    covariances : ndarray of shape (n_components, n_features, n_features)
        Full matrices whatever the covariance type, as for the Gaussian mixture.
    """

    means: np.ndarray
    covariances: np.ndarray

    @property
    def emissions(self) -> GaussianParams:
        """The states' Gaussians as a mixture's parameters with weights 1, whose
        ``log_prob`` is then the emission log-density."""
        return GaussianParams(np.ones(len(self.means)), self.means, self.covariances)


@dataclass(frozen=True, eq=False)
class HMMPosterior:
    """What an E-step (forward-backward) gives.

    Attributes
    ----------
    log_likelihood : float
        ``log p(X)``, summed over the sequences.
    gamma : ndarray of shape (n_samples, n_components)
        ``P(z_t = k | X)``, each row summing to 1.
    start : ndarray of shape (n_components,)
        ``gamma`` at the first time step of each sequence, summed over sequences.
    transitions : ndarray of shape (n_components, n_components)
        Expected transitions ``sum_t P(z_t = i, z_{t+1} = j | X)`` (xi summed).
    occupancy : ndarray of shape (n_components,)
        Expected time steps in each state, ``gamma`` summed over time.
    """

    log_likelihood: float
    gamma: np.ndarray
    start: np.ndarray
    transitions: np.ndarray
    occupancy: np.ndarray


def sequence_bounds(n_samples: int, lengths: object = None) -> np.ndarray:
    """Where each sequence starts, and the end: ``bounds[s]:bounds[s + 1]`` is sequence
    ``s`` (hmmlearn's ``lengths``).

    Returns
    -------
    bounds : ndarray of shape (n_sequences + 1,), int64

    Raises
    ------
    SettingsError
        If the lengths are not positive whole numbers summing to ``n_samples``.
    """
    if lengths is None:
        return np.array([0, n_samples], dtype=np.int64)
    lengths = np.atleast_1d(np.asarray(lengths))
    if lengths.ndim != 1 or lengths.size == 0:
        raise SettingsError("lengths must be a list of sequence lengths, such as [100, 50].")
    for length in lengths.tolist():
        check_number(length, "Each of lengths", minimum=1, whole=True)
    if lengths.sum() != n_samples:
        raise SettingsError(
            f"lengths must add up to the {n_samples} observations; they add up to "
            f"{int(lengths.sum())}."
        )
    return np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)


@njit(cache=True)
def _forward_backward(startprob, transmat, log_emission, bounds):  # pragma: no cover
    n_samples, n_components = log_emission.shape
    frame = np.empty((n_samples, n_components))
    alpha = np.empty((n_samples, n_components))
    scale = np.empty(n_samples)
    gamma = np.empty((n_samples, n_components))
    transitions = np.zeros((n_components, n_components))
    start = np.zeros(n_components)
    occupancy = np.zeros(n_components)
    beta = np.empty(n_components)
    ahead = np.empty(n_components)
    log_likelihood = 0.0
    for s in range(len(bounds) - 1):
        first, end = bounds[s], bounds[s + 1]
        for t in range(first, end):
            shift = log_emission[t, 0]
            for j in range(1, n_components):
                shift = max(shift, log_emission[t, j])
            if not np.isfinite(shift):
                return -np.inf, gamma, transitions, start, occupancy
            total = 0.0
            for j in range(n_components):
                frame[t, j] = np.exp(log_emission[t, j] - shift)
                if t == first:
                    reach = startprob[j]
                else:
                    reach = 0.0
                    for i in range(n_components):
                        reach += alpha[t - 1, i] * transmat[i, j]
                alpha[t, j] = reach * frame[t, j]
                total += alpha[t, j]
            if not total > 0.0:
                return -np.inf, gamma, transitions, start, occupancy
            scale[t] = total
            log_likelihood += np.log(total) + shift
            inverse = 1.0 / total
            for j in range(n_components):
                alpha[t, j] *= inverse
        beta[:] = 1.0
        for t in range(end - 1, first - 1, -1):
            if t < end - 1:
                inverse = 1.0 / scale[t + 1]
                for j in range(n_components):
                    ahead[j] = frame[t + 1, j] * beta[j] * inverse
                for i in range(n_components):
                    back = 0.0
                    for j in range(n_components):
                        link = transmat[i, j] * ahead[j]
                        transitions[i, j] += alpha[t, i] * link
                        back += link
                    beta[i] = back
            total = 0.0
            for k in range(n_components):
                gamma[t, k] = alpha[t, k] * beta[k]
                total += gamma[t, k]
            inverse = 1.0 / total
            for k in range(n_components):
                gamma[t, k] *= inverse
                occupancy[k] += gamma[t, k]
        for k in range(n_components):
            start[k] += gamma[first, k]
    return log_likelihood, gamma, transitions, start, occupancy


def forward_backward(
    startprob: np.ndarray, transmat: np.ndarray, log_emission: np.ndarray, bounds: np.ndarray
) -> HMMPosterior:
    """The E-step: posteriors of the states and expected transitions, per sequence.

    Parameters
    ----------
    startprob : ndarray of shape (n_components,)
    transmat : ndarray of shape (n_components, n_components)
    log_emission : ndarray of shape (n_samples, n_components)
        ``log p(x_t | z_t = k)``.
    bounds : ndarray of shape (n_sequences + 1,)
        From :func:`sequence_bounds`.

    Returns
    -------
    posterior : HMMPosterior
        Its ``log_likelihood`` is ``-inf`` (and the rest meaningless) when some
        observation is impossible under the parameters.
    """
    log_likelihood, gamma, transitions, start, occupancy = _forward_backward(
        startprob, transmat, log_emission, bounds
    )
    return HMMPosterior(float(log_likelihood), gamma, start, transitions, occupancy)


@njit(cache=True)
def _viterbi(log_startprob, log_transmat, log_emission, bounds):  # pragma: no cover
    n_samples, n_components = log_emission.shape
    path = np.empty(n_samples, dtype=np.int64)
    came_from = np.empty((n_samples, n_components), dtype=np.int64)
    best = np.empty(n_components)
    previous = np.empty(n_components)
    log_prob = 0.0
    for s in range(len(bounds) - 1):
        first, end = bounds[s], bounds[s + 1]
        for k in range(n_components):
            best[k] = log_startprob[k] + log_emission[first, k]
        for t in range(first + 1, end):
            previous[:] = best
            for j in range(n_components):
                top = 0
                for i in range(1, n_components):
                    if previous[i] + log_transmat[i, j] > previous[top] + log_transmat[top, j]:
                        top = i
                came_from[t, j] = top
                best[j] = previous[top] + log_transmat[top, j] + log_emission[t, j]
        state = 0
        for k in range(1, n_components):
            if best[k] > best[state]:
                state = k
        log_prob += best[state]
        path[end - 1] = state
        for t in range(end - 1, first, -1):
            state = came_from[t, state]
            path[t - 1] = state
    return log_prob, path


def viterbi(
    startprob: np.ndarray, transmat: np.ndarray, log_emission: np.ndarray, bounds: np.ndarray
) -> tuple[float, np.ndarray]:
    """The most probable state path of each sequence (in log space).

    Returns
    -------
    log_prob : float
        ``log p(X, path)``, summed over the sequences.
    path : ndarray of shape (n_samples,), int
    """
    with np.errstate(divide="ignore"):
        log_startprob, log_transmat = np.log(startprob), np.log(transmat)
    log_prob, path = _viterbi(
        log_startprob, log_transmat, np.ascontiguousarray(log_emission), bounds
    )
    return float(log_prob), path


def expected_complete_log_likelihood(
    posterior: HMMPosterior, params: HMMParams, log_emission: np.ndarray
) -> float:
    """``E_q[log p(X, Z | params)]`` for ``q`` the posterior given: the expected start,
    transition and emission log-probabilities (a term with no expected count is 0)."""
    chain = _expected_log(posterior.start, params.startprob) + _expected_log(
        posterior.transitions, params.transmat
    )
    return chain + float(_expected_emission(posterior.gamma, log_emission))


@njit(cache=True)
def _expected_emission(gamma, log_emission):  # pragma: no cover - compiled
    """``sum gamma * log_emission`` over the cells with ``gamma > 0`` (so that an
    impossible emission the posterior never uses adds 0, not NaN)."""
    total = 0.0
    for t in range(gamma.shape[0]):
        for k in range(gamma.shape[1]):
            if gamma[t, k] > 0:
                total += gamma[t, k] * log_emission[t, k]
    return total


def _expected_log(counts: np.ndarray, probabilities: np.ndarray) -> float:
    """``sum counts * log(probabilities)`` over the entries with a positive count."""
    positive = counts > 0
    return float(np.sum(counts[positive] * np.log(probabilities[positive])))


def normalise_rows(counts: np.ndarray, previous: np.ndarray) -> np.ndarray:
    """Each row of ``counts`` divided by its sum; a row with no counts keeps
    ``previous``'s (it has nothing to estimate from).

    Parameters
    ----------
    counts, previous : ndarray of shape (n_rows, n_columns)
    """
    totals = counts.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        rows = counts / totals
    return np.where(totals > 0, rows, previous)


def estimate_chain(posterior: HMMPosterior, previous: HMMParams) -> dict[str, np.ndarray]:
    """The M-step of the chain, as hmmlearn's: ``startprob`` the first time steps'
    posteriors normalised, ``transmat`` the expected transitions normalised by row.

    Returns
    -------
    fields : dict
        ``startprob``, ``transmat``, ``occupancy`` and ``exits`` for the new
        parameters.
    """
    start = posterior.start / posterior.start.sum()
    transmat = normalise_rows(posterior.transitions, previous.transmat)
    return {
        "startprob": start,
        "transmat": transmat,
        "occupancy": posterior.occupancy,
        "exits": posterior.transitions.sum(axis=1),
    }


def stationary_distribution(transmat: np.ndarray) -> np.ndarray:
    """The distribution ``pi`` with ``pi @ transmat = pi`` (least squares with the sum
    1, clipped at 0: for a chain with several closed classes, one of its solutions)."""
    n_components = len(transmat)
    system = np.vstack([transmat.T - np.eye(n_components), np.ones(n_components)])
    target = np.zeros(n_components + 1)
    target[-1] = 1.0
    pi = np.clip(np.linalg.lstsq(system, target, rcond=None)[0], 0.0, None)
    return pi / pi.sum()


def check_stochastic(array: np.ndarray, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """``array`` if it has ``shape``, no negative entries and rows summing to 1."""
    if array.shape != shape:
        raise SettingsError(f"{name} must have shape {shape}; got {array.shape}.")
    if not (np.isfinite(array).all() and (array >= 0).all()):
        raise SettingsError(f"{name} must hold probabilities (numbers from 0 to 1).")
    if not np.allclose(array.sum(axis=-1), 1.0):
        what = "each row of " if array.ndim > 1 else ""
        raise SettingsError(f"{what}{name} must sum to 1.")
    return array


def random_chain(n_components: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """A random start: uniform ``startprob`` and each state staying put with probability
    about 0.8 (a random row otherwise), so that a run starts from a chain that lingers,
    as most data's regimes do."""
    rows = rng.dirichlet(np.ones(n_components), size=n_components)
    stay = 0.8 if n_components > 1 else 1.0
    transmat = (1 - stay) * rows + stay * np.eye(n_components)
    return {"startprob": np.full(n_components, 1 / n_components), "transmat": transmat}


def chain_warnings(params: HMMParams) -> list[str]:
    """Plain-words warnings about the chain: states never visited in the E-step the
    parameters came from, and states never left (their row of ``transmat`` could not be
    estimated and keeps its previous values)."""
    messages = []
    if params.occupancy is None:
        return messages
    for k in range(len(params.startprob)):
        if params.occupancy[k] < EMPTY_COMPONENT_MASS:
            messages.append(
                f"State {k + 1} is never visited: no observation is explained by it, so it "
                "keeps its previous emissions and its transitions out. Try fewer states or "
                "another start."
            )
        elif params.exits[k] < EMPTY_COMPONENT_MASS:
            messages.append(
                f"State {k + 1} is never left in these data (it is visited only at the end "
                "of a sequence), so its transition probabilities could not be estimated: "
                "they fell to zeros and keep their previous values instead."
            )
    return messages


def categorical_log_emission(symbols: np.ndarray, params: CategoricalHMMParams) -> np.ndarray:
    """``log P(x_t | z_t = k)`` for symbols ``x`` of shape (n_samples,): the logarithms
    of the table, picked per time step; shape (n_samples, n_components)."""
    with np.errstate(divide="ignore"):
        table = np.ascontiguousarray(np.log(params.emissionprob).T)
    return np.take(table, symbols, axis=0)


@njit(cache=True)
def _categorical_counts(symbols, gamma, n_symbols):  # pragma: no cover - compiled
    counts = np.zeros((gamma.shape[1], n_symbols))
    for t in range(len(symbols)):
        for k in range(gamma.shape[1]):
            counts[k, symbols[t]] += gamma[t, k]
    return counts


def categorical_counts(symbols: np.ndarray, gamma: np.ndarray, n_symbols: int) -> np.ndarray:
    """Expected emissions of each symbol from each state, ``sum_t gamma[t, k] [x_t = s]``;
    shape (n_components, n_symbols)."""
    return _categorical_counts(symbols, gamma, n_symbols)
