"""Hiding a share of a data set's coordinates, by one of the three classic mechanisms of
missing data (Rubin 1976), so that EM for incomplete data can be seen at work on any
preset, and the bias it cannot remove where the mechanism depends on the hidden values.

- **completely at random**: the points that lose a coordinate are drawn at random, and
  so is the coordinate they lose;
- **at random**: the second feature is hidden where the first is largest (what is
  missing depends only on what is seen, so EM's estimates stay unbiased);
- **not at random**: the second feature is hidden where it is itself largest (what is
  missing depends on the hidden values: no method that sees only the data can undo it).

Pure NumPy, free of Streamlit; seeded, so a link reproduces the same hidden entries.
"""

from dataclasses import dataclass, replace

import numpy as np

from em_viz.data.presets import Dataset
from em_viz.engine.validation import DataError, check_choice, check_number

__all__ = ["MAX_SHARE", "MECHANISMS", "MECHANISM_NAMES", "Hiding", "hide", "hide_in"]

MECHANISMS = ("mcar", "mar", "mnar")
"""The mechanisms, by their short names (those of the literature and of the URL)."""
MECHANISM_NAMES = {
    "mcar": "completely at random",
    "mar": "at random (x2 hidden where x1 is large)",
    "mnar": "not at random (x2 hidden where x2 is large)",
}
MAX_SHARE = 0.5
"""At most half of the points lose a coordinate: enough to see the bias, and every
point keeps at least one observed coordinate."""


@dataclass(frozen=True)
class Hiding:
    """Which coordinates to hide: ``share`` of the points (0 to :data:`MAX_SHARE`) each
    lose one coordinate, chosen by ``mechanism`` (one of :data:`MECHANISMS`); ``seed``
    draws the points (completely at random) or breaks ties (the other two)."""

    share: float = 0.0
    mechanism: str = "mcar"
    seed: int = 0


def hide(X: np.ndarray, hiding: Hiding) -> np.ndarray:
    """``X`` with a share of its points each missing one coordinate (NaN).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Complete data, n_features >= 2.
    hiding : Hiding

    Returns
    -------
    hidden : ndarray of shape (n_samples, n_features)
        A copy of ``X``; ``round(share * n_samples)`` rows hold exactly one NaN: a random
        coordinate of random rows ("mcar"), or the second coordinate of the rows with the
        largest first ("mar") or second ("mnar") coordinate.

    Raises
    ------
    DataError
        For a share outside [0, MAX_SHARE] or an unknown mechanism.
    """
    share = check_number(hiding.share, "share", error=DataError)
    if share > MAX_SHARE:
        raise DataError(
            f"At most {MAX_SHARE:.0%} of the points can lose a coordinate, not {share:.0%}."
        )
    check_choice(hiding.mechanism, "mechanism", MECHANISMS, error=DataError)
    X = np.array(X, dtype=float)
    n_samples, n_features = X.shape
    count = round(share * n_samples)
    rng = np.random.default_rng(hiding.seed)
    if hiding.mechanism == "mcar":
        rows = rng.choice(n_samples, size=count, replace=False)
        columns = rng.integers(0, n_features, size=count)
    else:
        driver = X[:, 0] if hiding.mechanism == "mar" else X[:, 1]
        tie_break = rng.permutation(n_samples)
        rows = np.lexsort((tie_break, -driver))[:count]
        columns = np.ones(count, dtype=int)
    X[rows, columns] = np.nan
    return X


def hide_in(dataset: Dataset, hiding: Hiding) -> Dataset:
    """``dataset`` with coordinates hidden by :func:`hide`, named so that its zoom and
    runs are its own; unchanged when nothing is hidden."""
    if hiding.share == 0:
        return dataset
    note = (
        f"{round(hiding.share * len(dataset.X)):,} of the {len(dataset.X):,} points have a "
        f"coordinate hidden, {MECHANISM_NAMES[hiding.mechanism].split(' (')[0]}."
    )
    return replace(dataset, X=hide(dataset.X, hiding), notes=(*dataset.notes, note))
