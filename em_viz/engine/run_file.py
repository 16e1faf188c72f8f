"""A Gaussian run as a file: its settings, its data and its history as JSON, restored
exactly by replaying the half-steps; and the points with their responsibilities as CSV.

The JSON holds one record per half-step (``iteration``, ``phase``, ``log_likelihood``,
``objective``, ``weights``, ``means``, ``covariances``; a mean moved by hand also
``moved_component`` and ``moved_to``) under ``"history"``, the settings
of :class:`~em_viz.engine.gaussian_em.GaussianSettings`, the data (a missing entry as
null), the half-step shown (``position``) and :data:`FORMAT_VERSION`. Numbers that are
not finite are written as null (JSON has no NaN). Restoring rebuilds the run from the
settings and the first record's parameters, replays every half-step and checks each
against the saved record, so a file that was edited by hand, or written by another
version of the engine, is refused rather than shown as something it is not.
"""

import inspect
import json
from collections.abc import Sequence
from dataclasses import asdict, fields
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from em_viz.engine.bayesian_em import VARIATIONAL, BayesianGaussianMixtureEM
from em_viz.engine.gaussian_em import GaussianMixtureEM, GaussianSettings
from em_viz.engine.stepper import MixtureEM, Record
from em_viz.engine.validation import DataError, EMVizError, check_number

GaussianRun = GaussianMixtureEM | BayesianGaussianMixtureEM
"""A run a file can hold: EM's variants, or variational Bayes, on Gaussian mixtures."""
FORMAT = "em-viz run"
FORMAT_VERSION = 1
MAX_POINTS = 100_000
MAX_HALF_STEPS = 10_001
MAX_FILE_CHARS = 200_000_000
REPLAY_TOLERANCE = 1e-9
"""Relative (and, near 0, absolute) difference allowed between a replayed number and the
saved one."""
NOT_FINITE_NOTE = "Numbers that are not finite (a missing data entry, NaN) are written as null."
_KEYS = ("format", "version", "settings", "data", "history", "position")
_RECORD_KEYS = (
    "iteration",
    "phase",
    "log_likelihood",
    "objective",
    "weights",
    "means",
    "covariances",
)
_NOT_RESTORED = (
    "The file was edited, or was saved by another version of em-viz: replaying its "
    "settings from its first half-step does not give the same run"
)


def _safe(values: Any) -> Any:
    """``values`` (a number or an array) as JSON numbers and lists, non-finite as None."""
    array = np.asarray(values, dtype=float)
    listed = array.tolist()
    if np.isfinite(array).all():
        return listed
    if array.ndim == 0:
        return None
    return np.where(np.isfinite(array), array, None).tolist()


def _record_dict(record: Record) -> dict[str, Any]:
    """One half-step as JSON (a move also with its component and where to)."""
    saved = {
        "iteration": record.iteration,
        "phase": record.phase,
        "log_likelihood": _safe(record.log_likelihood),
        "objective": _safe(record.objective),
        "weights": _safe(record.weights),
        "means": _safe(record.means),
        "covariances": _safe(record.covariances),
    }
    if record.moved is not None:
        saved["moved_component"] = record.moved
        saved["moved_to"] = _safe(record.means[record.moved])
    return saved


def run_to_dict(
    em: GaussianRun,
    settings: GaussianSettings,
    *,
    position: int = -1,
    name: str = "",
    feature_names: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The run as JSON-safe dicts, lists and numbers (see the module's description).

    Parameters
    ----------
    em : GaussianMixtureEM or BayesianGaussianMixtureEM
        The run, built from ``settings`` on its data ``em.X`` of shape (N, D).
    settings : GaussianSettings
    position : int, default=-1
        The half-step shown, an index into ``em.history`` (negative from the end).
    name : str, optional
        The data set's name.
    feature_names : sequence of D str, optional
        Default: ``x1, x2, ...``.

    Raises
    ------
    DataError
        If the data has more than :data:`MAX_POINTS` points.
    """
    X = em.X
    if len(X) > MAX_POINTS:
        raise DataError(
            f"A saved run holds at most {MAX_POINTS:,} points; this one has {len(X):,}. "
            "Take a sample of the data to save it."
        )
    names = list(feature_names or [f"x{j + 1}" for j in range(X.shape[1])])
    history = [_record_dict(record) for record in em.history]
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "note": NOT_FINITE_NOTE,
        "settings": asdict(settings),
        "data": {"name": name, "feature_names": names, "X": _safe(X)},
        "history": history,
        "position": range(len(em.history))[position],
    }


def run_to_json(em: GaussianRun, settings: GaussianSettings, **options: Any) -> str:
    """:func:`run_to_dict` as JSON text (strict JSON: no NaN)."""
    return json.dumps(run_to_dict(em, settings, **options), allow_nan=False)


def _refuse_constant(constant: str) -> None:
    raise DataError(
        f"The file holds {constant}, which JSON does not allow; a missing number is null."
    )


def _array(value: Any, shape: tuple[int, ...], what: str, *, nullable: bool = False) -> np.ndarray:
    """``value`` as a float array of ``shape`` (null as NaN if ``nullable``)."""
    try:
        array = np.array(value, dtype=float)
    except (TypeError, ValueError):
        array = None
    if array is None or array.shape != shape:
        raise DataError(f"In the file, {what} is not a table of numbers of shape {shape}.")
    if not nullable and np.isnan(array).any():
        raise DataError(f"In the file, {what} holds null where a number is needed.")
    return array


def _settings(value: Any) -> GaussianSettings:
    known = {field.name for field in fields(GaussianSettings)}
    if not isinstance(value, dict) or set(value) != known:
        raise DataError(f"The file's settings must name exactly: {', '.join(sorted(known))}.")
    check_number(value["n_components"], "n_components", minimum=1, whole=True, error=DataError)
    if value["random_state"] is not None:
        check_number(value["random_state"], "random_state", whole=True, error=DataError)
    return GaussianSettings(**value)


def _close(saved: np.ndarray, replayed: np.ndarray) -> bool:
    return saved.shape == replayed.shape and np.allclose(
        saved, replayed, rtol=REPLAY_TOLERANCE, atol=REPLAY_TOLERANCE, equal_nan=True
    )


def _check_record(saved: dict, em: GaussianRun, number: int) -> None:
    """Refuse unless the replayed latest record equals ``saved`` to the tolerance."""
    record = em.history[-1]
    same = (
        saved["iteration"] == record.iteration
        and saved["phase"] == record.phase
        and saved.get("moved_component") == record.moved
    )
    for key in _RECORD_KEYS[2:]:
        value = saved[key]
        replayed = np.asarray(getattr(record, key), dtype=float)
        same = same and _close(_array(value, replayed.shape, key, nullable=True), replayed)
    if not same:
        raise DataError(f"{_NOT_RESTORED} (it differs at half-step {number}).")


def _parse(text: str | bytes) -> dict:
    if len(text) > MAX_FILE_CHARS:
        raise DataError(
            f"The file is too large ({len(text) / 1e6:.0f} MB); a saved run is at most "
            f"{MAX_FILE_CHARS / 1e6:.0f} MB."
        )
    try:
        content = json.loads(text, parse_constant=_refuse_constant)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise DataError(f"The file is not JSON text ({error}).") from None
    if not isinstance(content, dict) or content.get("format") != FORMAT:
        raise DataError("The file is not a run saved by em-viz (its format is not named).")
    if content.get("version") != FORMAT_VERSION:
        raise DataError(
            f"The file is a saved run of format version {content.get('version')!r}; this "
            f"version of em-viz reads version {FORMAT_VERSION}."
        )
    missing = [key for key in _KEYS if key not in content]
    if missing:
        raise DataError(f"The file lacks the part(s) {', '.join(missing)} of a saved run.")
    return content


class SavedRun(NamedTuple):
    """A run restored from its file (see :func:`run_from_json`).

    Attributes
    ----------
    em : GaussianMixtureEM or BayesianGaussianMixtureEM
        Rebuilt from the settings and the first record's parameters, every half-step
        replayed and checked against the file.
    settings : GaussianSettings
    X : ndarray of shape (N, D)
        The data (NaN for a missing entry).
    position : int
        The index of the half-step that was shown.
    name : str
        The data set's name.
    feature_names : list of D str
    """

    em: GaussianRun
    settings: GaussianSettings
    X: np.ndarray
    position: int
    name: str
    feature_names: list[str]


def _rebuild(
    settings: GaussianSettings, X: np.ndarray, start: dict[str, np.ndarray]
) -> GaussianRun:
    """The run's first half-step: EM's variants from the saved start itself (every part
    of it given, so the initialisation method is not used), variational Bayes from its
    settings (its start is soft EM's first E-step from them, checked against the file).
    """
    if settings.algorithm == VARIATIONAL.name:
        return settings.build(X)
    taken = inspect.signature(GaussianMixtureEM).parameters
    options = {k: v for k, v in asdict(settings).items() if k in taken}
    return GaussianMixtureEM(X, **{**options, "init": "random-points"}, **start)


def _replay(em: GaussianRun, saved: dict) -> None:
    """Take the saved half-step again: an E-step, an M-step or a move by hand.

    Raises
    ------
    KeyError
        For any other phase, or a move without its component and place.
    EMVizError
        If the run refuses the half-step.
    """
    if saved["phase"] == "moved":
        em.move_mean(saved["moved_component"], saved["moved_to"])
    else:
        {"E": em.e_step, "M": em.m_step}[saved["phase"]]()


def run_from_json(text: str | bytes) -> SavedRun:
    """Restore a run saved by :func:`run_to_json`, exactly, at the half-step shown: the
    run is rebuilt from the settings and the first record's parameters, and every
    half-step replayed and checked against the file.

    Raises
    ------
    DataError
        For anything but such a file, in words: not JSON, parts or keys missing, wrong
        shapes, NaN, more than :data:`MAX_POINTS` points or :data:`MAX_HALF_STEPS`
        half-steps, settings the engine refuses, or a history that replaying does not
        reproduce (the file was edited or comes from another version).
    """
    content = _parse(text)
    data, history = content["data"], content["history"]
    if not isinstance(data, dict) or not isinstance(data.get("X"), list):
        raise DataError("The file's data must be an object with the points as X.")
    if len(data["X"]) > MAX_POINTS:
        raise DataError(
            f"The file holds {len(data['X']):,} points; a saved run holds at most {MAX_POINTS:,}."
        )
    if not isinstance(history, list) or not 1 <= len(history) <= MAX_HALF_STEPS:
        raise DataError(
            f"The file's history must be a list of 1 to {MAX_HALF_STEPS:,} half-steps."
        )
    if not all(isinstance(r, dict) and set(_RECORD_KEYS) <= set(r) for r in history):
        raise DataError(
            f"Every half-step of the file's history must have {', '.join(_RECORD_KEYS)}."
        )
    settings = _settings(content["settings"])
    first = data["X"][0] if data["X"] else []
    n_features = len(first) if isinstance(first, list) else 0
    X = _array(data["X"], (len(data["X"]), n_features), "the data", nullable=True)
    names = data.get("feature_names")
    if not (isinstance(names, list) and len(names) == n_features):
        raise DataError(f"The file's data must name its {n_features} feature(s).")
    position = content["position"]
    if not (isinstance(position, int) and 0 <= position < len(history)):
        raise DataError(
            f"The file's position must be a half-step of its history, 0 to {len(history) - 1}."
        )
    first_record = history[0]
    K = settings.n_components
    shapes = {"weights": (K,), "means": (K, n_features), "covariances": (K, *[n_features] * 2)}
    start = {
        f"{key}_init": _array(first_record[key], shape, f"the first half-step's {key}")
        for key, shape in shapes.items()
    }
    try:
        em = _rebuild(settings, X, start)
    except EMVizError as error:
        raise DataError(f"The file's run cannot be rebuilt: {error}") from None
    _check_record(first_record, em, 0)
    for number, saved in enumerate(history[1:], start=1):
        try:
            _replay(em, saved)
        except (KeyError, TypeError):
            raise DataError(
                f"{_NOT_RESTORED} (half-step {number} is no E-step, M-step or move)."
            ) from None
        except EMVizError as error:
            raise DataError(f"{_NOT_RESTORED}: {error}") from None
        _check_record(saved, em, number)
    return SavedRun(em, settings, X, position, str(data.get("name", "")), names)


def responsibilities_csv(
    em: MixtureEM, position: int = -1, feature_names: Sequence[str] | None = None
) -> str:
    """The points with each component's responsibility at ``history[position]`` (those
    of the latest E-step at or before it), as CSV text; a missing entry is empty.

    Raises
    ------
    DataError
        Before the first E-step, when there are no responsibilities yet.
    """
    resp = em.responsibilities_at(position)
    if resp is None:
        raise DataError("There are no responsibilities before the first E-step; take one.")
    X = np.asarray(em.X, dtype=float)
    names = list(feature_names or [f"x{j + 1}" for j in range(X.shape[1])])
    table = pd.DataFrame(X, columns=names)
    for k in range(resp.shape[1]):
        table[f"responsibility of component {k + 1}"] = resp[:, k]
    return table.to_csv(index=False)
