"""Coin tosses for the Bernoulli mixture demos: sets of tosses typed as H and T, the
two-coin example's table, and single flips of coins picked at random.

Pure and free of Streamlit. Problems with what a user typed are raised as
:class:`~em_viz.engine.validation.DataError`, whose message is shown in the page as it is.
"""

from dataclasses import dataclass

import numpy as np

from em_viz.engine.validation import DataError

TWO_COINS = ("HTTTHHTHTH", "HHHHTHHHHH", "HTHHHHHTHH", "HTHTTTHHTT", "THHHTHHHTH")
"""Do and Batzoglou's five sets of ten tosses ("What is the expectation maximization
algorithm?", Nature Biotechnology, 2008), each thrown with coin A or coin B."""

COIN_NAMES = "ABCDEFGH"
MAX_SETS = 200
MAX_TOSSES_PER_SET = 1_000


@dataclass(frozen=True, eq=False)
class TossSets:
    """Sets of coin tosses, each written as a string of H and T.

    Attributes
    ----------
    sets : tuple of str
        The tosses, upper case, in order.
    heads, trials : ndarray of shape (n_sets,)
    """

    sets: tuple[str, ...]
    heads: np.ndarray
    trials: np.ndarray


def parse_tosses(text: str) -> TossSets:
    """Sets of tosses from text: one set per line, H for heads and T for tails (either
    case; spaces and commas between tosses are ignored, blank lines skipped).

    Raises
    ------
    DataError
        Naming the line and the character that is not H or T, or saying what is missing.
    """
    sets = []
    for number, line in enumerate(text.splitlines(), start=1):
        tosses = "".join(line.split()).replace(",", "").upper()
        if not tosses:
            continue
        wrong = next((c for c in tosses if c not in "HT"), None)
        if wrong is not None:
            raise DataError(
                f"Line {number} ('{line.strip()[:30]}') has '{wrong}': write each toss as "
                "H (heads) or T (tails), one set of tosses per line."
            )
        if len(tosses) > MAX_TOSSES_PER_SET:
            raise DataError(
                f"Line {number} has {len(tosses)} tosses; at most {MAX_TOSSES_PER_SET} per "
                "set, please."
            )
        sets.append(tosses)
    if len(sets) < 2:
        raise DataError(
            "Type at least two sets of tosses, one per line, e.g. HTTHH (EM needs several "
            "sets to tell the coins apart)."
        )
    if len(sets) > MAX_SETS:
        raise DataError(f"That is {len(sets)} sets; at most {MAX_SETS}, please.")
    heads = np.array([s.count("H") for s in sets], dtype=float)
    trials = np.array([len(s) for s in sets], dtype=float)
    return TossSets(tuple(sets), heads, trials)


@dataclass(frozen=True, eq=False)
class CoinTable:
    """The two-coin example's table as arrays: per set its heads and tails, the
    probability that each coin threw it, and the heads and tails credited to each coin
    (the E-step's expected counts, whose totals per coin give the M-step's biases).

    Attributes
    ----------
    sets : tuple of str
        The tosses of each set.
    heads, tails : ndarray of shape (n_sets,)
    p_coin : ndarray of shape (n_sets, n_coins)
        The E-step's responsibilities; no columns before any E-step.
    heads_credited, tails_credited : ndarray of shape (n_sets, n_coins)
        ``p_coin`` times each set's heads and tails.
    """

    sets: tuple[str, ...]
    heads: np.ndarray
    tails: np.ndarray
    p_coin: np.ndarray
    heads_credited: np.ndarray
    tails_credited: np.ndarray


def coin_table(tosses: TossSets, resp: np.ndarray | None) -> CoinTable:
    """The two-coin example's table for these tosses and responsibilities.

    Parameters
    ----------
    tosses : TossSets
    resp : ndarray of shape (n_sets, n_coins) or None
        The E-step's responsibilities; None before any E-step (only the counts).
    """
    tails = tosses.trials - tosses.heads
    p_coin = np.empty((len(tosses.sets), 0)) if resp is None else np.asarray(resp)
    return CoinTable(
        tosses.sets,
        tosses.heads,
        tails,
        p_coin,
        p_coin * tosses.heads[:, None],
        p_coin * tails[:, None],
    )


def single_flips(
    n_flips: int, biases: tuple[float, ...], weights: tuple[float, ...], seed: int
) -> np.ndarray:
    """Flips of coins picked at random: each flip picks coin k with probability
    ``weights[k]`` and comes up heads (1) with probability ``biases[k]``.

    Returns
    -------
    flips : ndarray of shape (n_flips, 1)
        0 and 1.
    """
    rng = np.random.default_rng(seed)
    coins = rng.choice(len(biases), size=n_flips, p=np.asarray(weights) / np.sum(weights))
    return (rng.uniform(size=n_flips) < np.asarray(biases)[coins]).astype(float)[:, None]
