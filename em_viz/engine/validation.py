"""The engine's checks and exceptions: settings, data and steps it refuses, each said in
words that name the fix.

Every exception the engine raises for a user's set-up is an :class:`EMVizError` (a
``ValueError``, so callers that catch ``ValueError`` keep working). A page catches only
these: anything else is a bug and must surface.
"""

from typing import Any

import numpy as np


class EMVizError(ValueError):
    """A set-up, a step or a file the app refuses, in words a user can act on."""


class SettingsError(EMVizError):
    """Settings (or a start) that EM cannot run with."""


class StepError(EMVizError):
    """A half-step that was refused; the run stays as it was before it."""


class DataError(EMVizError):
    """Data that cannot be read or used, in plain words."""


def check_data(X: Any) -> np.ndarray:
    """``X`` as a C-contiguous float array of shape (n_samples, n_features).

    Raises
    ------
    SettingsError
        If ``X`` is not two-dimensional, is empty, or holds NaN or infinity.
    """
    X = np.ascontiguousarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise SettingsError(
            f"X must be a table of shape (n_samples, n_features) with at least one row and "
            f"one column; got shape {X.shape}."
        )
    bad_rows = np.flatnonzero(~np.isfinite(X).all(axis=1))
    if bad_rows.size:
        shown = ", ".join(str(i) for i in bad_rows[:5])
        raise SettingsError(
            f"X holds NaN or infinite values in {bad_rows.size} row(s) (e.g. rows {shown}); "
            "remove or fill them first."
        )
    return X


def check_n_components(n_components: int, n_samples: int) -> None:
    """Raise SettingsError unless ``1 <= n_components <= n_samples``, a whole number."""
    if not (isinstance(n_components, int | np.integer) and n_components >= 1):
        raise SettingsError(f"n_components must be a whole number >= 1; got {n_components!r}.")
    if n_components > n_samples:
        raise SettingsError(
            f"n_components={n_components} is more than the {n_samples} data points; use at "
            f"most {n_samples} components."
        )
