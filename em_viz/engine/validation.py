"""The engine's checks and exceptions: settings, data and steps it refuses, each said in
words that name the fix.

Every exception the engine raises for a user's set-up is an :class:`EMVizError` (a
``ValueError``, so callers that catch ``ValueError`` keep working). A page catches only
these: anything else is a bug and must surface.
"""

from collections.abc import Collection
from numbers import Integral, Real
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


def _shown(value: Any) -> str:
    """``value`` as a message shows it: a NumPy scalar as the plain Python number."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def check_choice(
    value: Any, name: str, choices: Collection[str], *, error: type[EMVizError] = SettingsError
) -> str:
    """``value`` if it is one of ``choices``.

    Raises
    ------
    EMVizError
        ``error`` ("Unknown init 'magic'; choose one of ...") for any other value.
    """
    if not (isinstance(value, str) and value in choices):
        raise error(f"Unknown {name} {_shown(value)}; choose one of {', '.join(choices)}.")
    return value


def check_number(
    value: Any,
    name: str,
    *,
    minimum: float = 0,
    above: bool = False,
    whole: bool = False,
    why: str = "",
    fix: str = "",
    error: type[EMVizError] = SettingsError,
) -> float:
    """``value`` if it is a finite number at least ``minimum`` (above it if ``above``), a
    whole number if ``whole``; booleans are not numbers here.

    Parameters
    ----------
    value : object
    name : str
        The setting's name, as the user knows it.
    minimum : float, default=0
    above : bool, default=False
        Whether ``minimum`` itself is refused.
    whole : bool, default=False
        Whether only whole numbers are accepted (the result is then an ``int``).
    why : str, optional
        What the setting is, said in the message after the rule.
    fix : str, optional
        What to do instead; by default, the rule said as a choice ("Choose 1 or more.").
    error : type, default=SettingsError
        The exception to raise.

    Raises
    ------
    EMVizError
        ``error``, saying the rule, what the setting is, the value and the fix.
    """
    kind = Integral if whole else Real
    if (
        isinstance(value, kind)
        and not isinstance(value, bool | np.bool_)
        and (whole or np.isfinite(value))
        and (value > minimum if above else value >= minimum)
    ):
        return int(value) if whole else float(value)
    number = "whole number" if whole else "number"
    if above:
        rule = f"a {number} above {minimum:g}" if minimum else f"a positive {number}"
        default_fix = f"Choose a {number} above {minimum:g}, such as {minimum + 1:g}."
    else:
        rule = f"a {number} of at least {minimum:g}" if whole else f"a {number} >= {minimum:g}"
        default_fix = f"Choose {minimum:g} or more."
    reason = f" ({why})" if why else ""
    raise error(f"{name} must be {rule}{reason}; got {_shown(value)}. {fix or default_fix}")


def check_shape(array: np.ndarray, shape: tuple[int, ...], name: str) -> np.ndarray:
    """``array`` if it has ``shape``, else SettingsError naming the shape it must have."""
    if array.shape != shape:
        raise SettingsError(f"{name} must have shape {shape}; got {array.shape}.")
    return array


def check_data(
    X: Any, *, allow_nan: bool = False, nan_fix: str = "remove or fill them first"
) -> np.ndarray:
    """``X`` as a C-contiguous float array of shape (n_samples, n_features).

    Parameters
    ----------
    X : array-like
    allow_nan : bool, default=False
        Whether NaN (a missing entry) is accepted.
    nan_fix : str
        What to do about NaN, said in the message when it is refused.

    Raises
    ------
    SettingsError
        If ``X`` is not two-dimensional, is empty, holds infinity, or holds NaN unless
        ``allow_nan``.
    """
    X = np.ascontiguousarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise SettingsError(
            f"X must be a table of shape (n_samples, n_features) with at least one row and "
            f"one column; got shape {X.shape}."
        )
    checks = [(np.isinf(X), "infinite values", "replace them with finite numbers")]
    if not allow_nan:
        checks.append((np.isnan(X), "NaN (missing) values", nan_fix))
    for bad, values, fix in checks:
        bad_rows = np.flatnonzero(bad.any(axis=1))
        if bad_rows.size:
            shown = ", ".join(str(i) for i in bad_rows[:5])
            raise SettingsError(
                f"X holds {values} in {bad_rows.size} row(s) (e.g. rows {shown}); {fix}."
            )
    return X


def check_n_components(n_components: int, n_samples: int) -> None:
    """Raise SettingsError unless ``1 <= n_components <= n_samples``, a whole number."""
    check_number(n_components, "n_components", minimum=1, whole=True)
    if n_components > n_samples:
        raise SettingsError(
            f"n_components={n_components} is more than the {n_samples} data points; use at "
            f"most {n_samples} components."
        )
