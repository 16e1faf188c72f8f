"""Data for the Bernoulli mixture demos: sets of coin tosses, single flips and binarised
digits, and the textbook table of the two-coin example.

Pure and free of Streamlit. Problems with what a user typed are raised as
:class:`~em_viz.data.DataError`, whose message is shown in the page as it is.
"""

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
from sklearn.datasets import load_digits

from em_viz.data import DataError
from em_viz.engine.bernoulli_em import BernoulliMixtureEM

TWO_COINS = ("HTTTHHTHTH", "HHHHTHHHHH", "HTHHHHHTHH", "HTHTTTHHTT", "THHHTHHHTH")
"""Do and Batzoglou's five sets of ten tosses ("What is the expectation maximization
algorithm?", Nature Biotechnology, 2008), each thrown with coin A or coin B."""

COIN_NAMES = "ABCDEFGH"
MAX_SETS = 200
MAX_TOSSES_PER_SET = 1_000
DIGIT_THRESHOLD = 8
"""scikit-learn's digits have pixel values 0 to 16; at least this counts as ink (1)."""


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


def coin_table(tosses: TossSets, resp: np.ndarray | None, names: str = COIN_NAMES) -> pd.DataFrame:
    """The two-coin example's table: per set its heads and tails, the probability that
    each coin threw it, and the heads and tails credited to each coin (the E-step's
    expected counts), with their totals in a last row.

    Parameters
    ----------
    tosses : TossSets
    resp : ndarray of shape (n_sets, n_coins) or None
        The E-step's responsibilities; None before any E-step (only the counts).
    names : str
        One letter per coin.

    Returns
    -------
    table : pandas.DataFrame
        Index "Set 1", ..., "Total"; columns "Tosses", "H", "T", then per coin ``c``
        "P(c)", "c: H" and "c: T".
    """
    tails = tosses.trials - tosses.heads
    columns = {"Tosses": [*tosses.sets, ""], "H": [*tosses.heads, tosses.heads.sum()]}
    columns["T"] = [*tails, tails.sum()]
    for k in range(0 if resp is None else resp.shape[1]):
        coin = names[k]
        credited_heads, credited_tails = resp[:, k] * tosses.heads, resp[:, k] * tails
        columns[f"P({coin})"] = [*resp[:, k], np.nan]
        columns[f"{coin}: H"] = [*credited_heads, credited_heads.sum()]
        columns[f"{coin}: T"] = [*credited_tails, credited_tails.sum()]
    index = [f"Set {i}" for i in range(1, len(tosses.sets) + 1)] + ["Total"]
    return pd.DataFrame(columns, index=index)


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


@dataclass(frozen=True, eq=False)
class Digits:
    """Binarised 8x8 digits.

    Attributes
    ----------
    X : ndarray of shape (n_samples, 64)
        0 and 1, row by row of the image (read-only).
    labels : ndarray of shape (n_samples,)
        The digit each image shows (EM never sees it).
    """

    X: np.ndarray
    labels: np.ndarray


@cache
def _all_digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled 1,797 digits, thresholded (loaded once)."""
    digits = load_digits()
    return (digits.data >= DIGIT_THRESHOLD).astype(float), digits.target


def binarised_digits(classes: tuple[int, ...] = (2, 3, 4)) -> Digits:
    """scikit-learn's 8x8 digits of the given classes, each pixel 1 where its grey level
    (0 to 16) is at least ``DIGIT_THRESHOLD``, else 0.

    Raises
    ------
    DataError
        If no class is chosen.
    """
    if not classes:
        raise DataError("Choose at least one digit (0 to 9).")
    X, labels = _all_digits()
    chosen = np.isin(labels, classes)
    digits = Digits(X[chosen], labels[chosen])
    digits.X.flags.writeable = False
    return digits


def sample_indices(labels: np.ndarray, n_shown: int, seed: int = 0) -> np.ndarray:
    """``n_shown`` images to show with their responsibilities, the classes taking turns
    so that every chosen digit appears."""
    rng = np.random.default_rng(seed)
    by_class = [rng.permutation(np.flatnonzero(labels == c)) for c in np.unique(labels)]
    turns = [
        group[i] for i in range(max(map(len, by_class))) for group in by_class if i < len(group)
    ]
    return np.array(turns[:n_shown])


def several_starts(flips: np.ndarray, n_coins: int, seeds: range) -> pd.DataFrame:
    """EM on the same single flips from several random starts: after one iteration each
    start has its own answer, all with the same log-likelihood, and a second iteration
    moves none of them (only the overall rate of heads is identifiable).

    Parameters
    ----------
    flips : ndarray of shape (n_flips, 1)
    n_coins : int
    seeds : range
        One start per seed.

    Returns
    -------
    table : pandas.DataFrame
        One row per start: every coin's weight and bias after one iteration, the overall
        rate ``sum_k pi_k p_k``, the log-likelihood, and the largest change of any
        parameter in the second iteration.
    """
    rows = []
    for seed in seeds:
        em = BernoulliMixtureEM(flips, n_coins, random_state=seed, pseudo_count=0)
        em.step()
        weights, biases = em.weights, em.probabilities[:, 0]
        row = {"start (seed)": seed}
        for k in range(n_coins):
            row[f"π{k + 1}"] = weights[k]
            row[f"p{k + 1}"] = biases[k]
        row["overall rate Σ πp"] = float(weights @ biases)
        row["log-likelihood"] = em.log_likelihood
        em.step()
        moved = max(
            np.abs(em.weights - weights).max(), np.abs(em.probabilities[:, 0] - biases).max()
        )
        row["change in iteration 2"] = float(moved)
        rows.append(row)
    return pd.DataFrame(rows).set_index("start (seed)")
