"""Binarised 8x8 digits for the Bernoulli mixture demo, and which of them to show.

Pure and free of Streamlit; a choice the demo cannot use is raised as
:class:`~em_viz.engine.validation.DataError`.
"""

from dataclasses import dataclass
from functools import cache

import numpy as np
from sklearn.datasets import load_digits

from em_viz.engine.validation import DataError

DIGIT_THRESHOLD = 8
"""scikit-learn's digits have pixel values 0 to 16; at least this counts as ink (1)."""


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
