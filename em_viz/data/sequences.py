"""Sequences for the hidden Markov model demos: the occasionally dishonest casino's rolls
(generated or typed in) and two-dimensional points from switching regimes.

The casino is Durbin, Eddy, Krogh and Mitchison's (Biological Sequence Analysis, 1998): a
fair die and a loaded one that rolls a six half the time, the casino switching from the
fair to the loaded die with probability 0.05 after a roll and back with probability 0.10.

Pure and free of Streamlit. Problems with what a user typed are raised as
:class:`~em_viz.engine.validation.DataError`, whose message is shown in the page as it is.
"""

from dataclasses import dataclass

import numpy as np

from em_viz.data.presets import Dataset
from em_viz.engine.validation import DataError

DICE = ("fair", "loaded")
CASINO_STARTPROB = np.array([0.5, 0.5])
CASINO_TRANSMAT = np.array([[0.95, 0.05], [0.10, 0.90]])
"""Rows and columns: fair, loaded."""
CASINO_EMISSIONPROB = np.array([[1 / 6] * 6, [0.1] * 5 + [0.5]])
"""Rows: fair, loaded; columns: the faces 1 to 6."""

MIN_TYPED_ROLLS = 2
MAX_TYPED_ROLLS = 5_000

REGIME_STARTPROB = np.full(3, 1 / 3)
REGIME_TRANSMAT = np.array([[0.96, 0.03, 0.01], [0.02, 0.95, 0.03], [0.04, 0.02, 0.94]])
REGIME_MEANS = np.array([[-2.0, -1.0], [2.0, -1.0], [0.0, 2.5]])
REGIME_COVARIANCES = np.array(
    [[[1.0, 0.5], [0.5, 0.8]], [[0.8, -0.4], [-0.4, 1.0]], [[1.2, 0.0], [0.0, 0.5]]]
)


@dataclass(frozen=True, eq=False)
class Rolls:
    """Rolls of a die, with the die that threw each when it is known.

    Attributes
    ----------
    faces : ndarray of shape (n_rolls,), int
        The faces rolled, 1 to 6.
    dice : ndarray of shape (n_rolls,), int, or None
        0 for the fair die, 1 for the loaded one (as in :data:`DICE`); None for rolls
        typed in.
    """

    faces: np.ndarray
    dice: np.ndarray | None = None

    @property
    def symbols(self) -> np.ndarray:
        """ndarray of shape (n_rolls,): the faces as the symbols 0 to 5 a hidden Markov
        model takes."""
        return self.faces - 1


def sample_chain(
    startprob: np.ndarray, transmat: np.ndarray, n_samples: int, rng: np.random.Generator
) -> np.ndarray:
    """States of a Markov chain, drawn a stay at a time: how long the chain stays in a
    state (geometric, from the row's diagonal), then where it goes next.

    Returns
    -------
    states : ndarray of shape (n_samples,), int
    """
    n_components = len(startprob)
    states = np.empty(n_samples, dtype=np.int64)
    state = rng.choice(n_components, p=startprob)
    filled = 0
    while filled < n_samples:
        leave = 1.0 - transmat[state, state]
        stay = n_samples if leave <= 0 else int(rng.geometric(leave))
        states[filled : filled + stay] = state
        filled += stay
        onward = transmat[state] * (np.arange(n_components) != state)
        if onward.sum() > 0:
            state = rng.choice(n_components, p=onward / onward.sum())
    return states


def emit_symbols(
    states: np.ndarray, emissionprob: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """One symbol per time step from its state's row of ``emissionprob``; shape of
    ``states``, values ``0 .. n_symbols - 1``."""
    cumulative = np.cumsum(emissionprob, axis=1)
    cumulative[:, -1] = 1.0
    draws = rng.random(len(states))
    symbols = np.empty(len(states), dtype=np.int64)
    for state, row in enumerate(cumulative):
        here = states == state
        symbols[here] = np.searchsorted(row, draws[here], side="right")
    return symbols


def casino_rolls(n_rolls: int = 300, seed: int = 0) -> Rolls:
    """Rolls of the occasionally dishonest casino, with the die behind each.

    Parameters
    ----------
    n_rolls : int, default=300
    seed : int, default=0

    Returns
    -------
    rolls : Rolls
    """
    rng = np.random.default_rng(seed)
    dice = sample_chain(CASINO_STARTPROB, CASINO_TRANSMAT, n_rolls, rng)
    return Rolls(emit_symbols(dice, CASINO_EMISSIONPROB, rng) + 1, dice)


def parse_rolls(text: str) -> Rolls:
    """Rolls typed as the digits 1 to 6; spaces, commas and line breaks between them
    are ignored.

    Raises
    ------
    DataError
        Naming the first character that is not a face of a die, or saying how many
        rolls are needed.
    """
    cleaned = "".join(text.replace(",", " ").split())
    wrong = next(((i, c) for i, c in enumerate(cleaned) if c not in "123456"), None)
    if wrong is not None:
        position, character = wrong
        raise DataError(
            f"Roll {position + 1} is '{character[:1]}', which is not a face of a die: type "
            "each roll as a digit from 1 to 6, e.g. 3 1 6 6 2 4."
        )
    if len(cleaned) < MIN_TYPED_ROLLS:
        raise DataError(
            f"Type at least {MIN_TYPED_ROLLS} rolls, as digits from 1 to 6 (e.g. 316624): "
            "EM learns the dice from a sequence of rolls."
        )
    if len(cleaned) > MAX_TYPED_ROLLS:
        raise DataError(
            f"That is {len(cleaned):,} rolls; at most {MAX_TYPED_ROLLS:,}, please (or let "
            "the casino generate a longer sequence)."
        )
    return Rolls(np.frombuffer(cleaned.encode(), dtype=np.uint8).astype(np.int64) - ord("0"))


def regime_switching(n_samples: int = 400, seed: int = 0) -> Dataset:
    """Two-dimensional points from three regimes that persist for a while each (a
    sticky chain, each regime a Gaussian), in time order, with the true regimes as
    labels: data for a Gaussian hidden Markov model.

    Parameters
    ----------
    n_samples : int, default=400
    seed : int, default=0

    Returns
    -------
    dataset : Dataset
    """
    rng = np.random.default_rng(seed)
    states = sample_chain(REGIME_STARTPROB, REGIME_TRANSMAT, n_samples, rng)
    factors = np.linalg.cholesky(REGIME_COVARIANCES)
    noise = rng.standard_normal((n_samples, 2))
    X = REGIME_MEANS[states] + np.einsum("tij,tj->ti", factors[states], noise)
    return Dataset(
        X,
        states,
        "Regime switching",
        ("x1", "x2"),
        ("Three regimes, each a Gaussian, that each persist for about 20 to 30 steps.",),
    )
