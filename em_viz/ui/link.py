"""The page's settings mirrored in its URL, so that a link reproduces a set-up.

Only preset data can be linked (an uploaded file is not in the URL). Each URL name is
described once here: the data panel's (``data``, its knobs), the explorer's hiding and
model (``k``, ``cov``, ...; Why EM works shows the explorer's run and writes the same),
and each run of Compare runs (the explorer's names and the run's number: ``k2``,
``rs2``, ...), with the tab open and the multi-start's settings (``tab``, ``ms_of``,
``ms_n``, ``ms``), and the explorer's means placed by clicking (``means``). A value in
the link that the page does not offer is left out, and the page says so: these are read
here (:func:`restore_once`). Each page writes only its own names (:func:`publish`,
:func:`publish_runs`, :func:`publish_starts`, :func:`publish_data`), so the half-step,
presenter mode and the widgets bound to the URL stay (see :mod:`em_viz.ui.url_values`).
"""

from collections.abc import Callable, Collection, Iterable
from dataclasses import asdict
from typing import NamedTuple

import numpy as np
import streamlit as st

from em_viz import ALGORITHMS, COVARIANCE_TYPES, INIT_METHODS
from em_viz.data import IRIS_FEATURES, PRESETS
from em_viz.data.missingness import MECHANISMS, Hiding
from em_viz.engine.families.bayesian_gaussian import PRIOR_TYPES
from em_viz.engine.gaussian_em import MISSING, RUN_ALGORITHMS, GaussianSettings
from em_viz.ui.labels import UPLOAD_NOT_LINKED
from em_viz.ui.sidebar import (
    CONCENTRATION_CHOICES,
    DEFAULTS,
    EPSILON_CHOICES,
    HIDING_KNOBS,
    INIT_CHOICES,
    KNOBS,
    MANUAL_INIT,
    MECHANISM_URL,
    REG_COVAR_CHOICES,
    TOL_CHOICES,
    DataChoice,
    Knob,
    _preset_data,
    hiding_key,
    knob_default,
    knob_key,
)
from em_viz.ui.url_values import say_ignored, write_names

URL_NAMES = {
    "n_components": "k",
    "covariance_type": "cov",
    "init": "init",
    "random_state": "rs",
    "reg_covar": "reg",
    "tol": "tol",
    "algorithm": "alg",
    "epsilon": "eps",
    "missing": "miss",
    "weight_concentration_prior_type": "wpt",
    "weight_concentration_prior": "w0",
}
"""Each setting's name in the URL (short, as links made before keep them)."""
ALLOWED = {
    "n_components": range(1, 21),
    "covariance_type": COVARIANCE_TYPES,
    "init": INIT_CHOICES,
    "random_state": range(0, 1_000_001),
    "reg_covar": REG_COVAR_CHOICES,
    "tol": TOL_CHOICES,
    "algorithm": RUN_ALGORITHMS,
    "epsilon": EPSILON_CHOICES,
    "missing": MISSING,
    "weight_concentration_prior_type": PRIOR_TYPES,
    "weight_concentration_prior": CONCENTRATION_CHOICES,
}
"""The values the explorer's model panel offers, by setting."""


class Field(NamedTuple):
    """A widget's value in the URL: its session-state key, the type its value is read
    as, the values it may take (None: any), and the setting it gives (if any)."""

    key: str
    parser: Callable[[str], object]
    allowed: Collection | None
    setting: str = ""


def model_fields(
    prefix: str = "",
    suffix: str = "",
    settings: Iterable[str] = tuple(URL_NAMES),
    allowed: dict[str, Collection] = ALLOWED,
) -> dict[str, Field]:
    """URL name -> :class:`Field` of a model panel's ``settings``: each widget's key is
    ``prefix`` and the setting's name, each URL name the setting's short name and
    ``suffix``."""
    defaults = asdict(DEFAULTS)
    return {
        URL_NAMES[name] + suffix: Field(prefix + name, type(defaults[name]), allowed[name], name)
        for name in settings
    }


MODEL_FIELDS = model_fields()
"""The explorer's model panel (Why EM works shows its run, with the same names)."""
KNOB_FIELDS = {spec.url: knob for knob, spec in KNOBS.items()}
"""URL name -> preset knob."""
FEATURE_NAMES = ("fx", "fy")
"""Iris's two features, chosen by name."""
DATA_NAMES = ("data", *KNOB_FIELDS, *FEATURE_NAMES)
"""The data panel's names in the URL."""
HIDING_NAMES = (*(spec.url for spec in HIDING_KNOBS.values()), MECHANISM_URL)
HIDING = {"share": 0.0, "mechanism": MECHANISMS[0], "seed": 0}
"""The hiding widgets' first values (the share in percent: nothing hidden)."""

RUN_COUNTS = (2, 3, 4)
"""How many runs Compare runs shows side by side."""
RUN_SETTINGS = ("algorithm", "epsilon", "n_components", "covariance_type", "init", "random_state")
"""The settings of a run of Compare runs (its tolerances stay at their defaults)."""
RUN_ALLOWED = ALLOWED | {"algorithm": ALGORITHMS, "init": INIT_METHODS}
"""A run of Compare runs offers EM's variants and the inits that need no click."""
RUNS_FIELD = {"runs": Field("compare_n_runs", int, RUN_COUNTS)}
"""How many runs Compare runs shows (left out of the URL at the first count)."""


TAB_FIELD = {"tab": Field("compare_tab", str, None)}
"""The tab of Compare runs open (``tab=multi``; left out for the first)."""
TABS = {"side": "Side by side", "multi": "Multi-start"}
"""Each tab of Compare runs by its name in the URL."""
STARTS_COUNTS = range(10, 101, 10)
"""How many starts the multi-start offers."""
STARTS_DEFAULT = 50
STARTS_FIELDS = {
    "ms_of": Field("compare_starts_run", int, range(1, RUN_COUNTS[-1] + 1)),
    "ms_n": Field("compare_starts_n", int, STARTS_COUNTS),
}
"""The multi-start's setting (the run whose setting it starts, from 1) and number of
starts, each left out at its first value; ``ms=1`` says their results are shown, and a
link runs them (see :func:`publish_starts`)."""
STARTS_SHOWN = "ms"
STARTS_PENDING = "compare_starts_pending"
"""Set when a link asks for the multi-start's results: the page runs the starts once."""

MEANS = "means"
"""The explorer's means placed by clicking, ``x1,y1;x2,y2`` (each to four significant
digits, as placed)."""
MEANS_KEY = "clicked_means"
"""The session's placed means, as ``[x, y]`` lists."""
MEANS_DIGITS = 4


def placed(x: float, y: float) -> list[float]:
    """A click's point as a placed mean: rounded to :data:`MEANS_DIGITS` significant
    digits, so that a link holds exactly the means the run started from."""
    return [float(f"{x:.{MEANS_DIGITS}g}"), float(f"{y:.{MEANS_DIGITS}g}")]


def means_text(means: list[list[float]]) -> str:
    """The URL's value of placed ``means``: ``x1,y1;x2,y2``."""
    return ";".join(",".join(f"{value:.{MEANS_DIGITS}g}" for value in mean) for mean in means)


def read_means(text: str, X: np.ndarray | None) -> list[list[float]]:
    """Placed means from the URL's ``text`` (``x1,y1;x2,y2``), each inside the box of the
    two-feature data ``X`` widened by its size on each side (what the plot lets one click).

    Raises
    ------
    ValueError
        Saying, in plain words, why the value cannot be used.
    """
    if X is None or X.ndim != 2 or X.shape[1] != 2:
        raise ValueError("means are placed on data with two features only")
    try:
        means = [placed(*map(float, pair.split(","))) for pair in text.split(";")]
    except (TypeError, ValueError):
        raise ValueError("write them as x1,y1;x2,y2, two numbers per mean") from None
    if len(means) > ALLOWED["n_components"][-1]:
        raise ValueError(f"at most {ALLOWED['n_components'][-1]} means")
    low, high = X.min(axis=0), X.max(axis=0)
    span = high - low
    points = np.array(means)
    if not np.all(np.isfinite(points)) or np.any((points < low - span) | (points > high + span)):
        raise ValueError("a mean lies far outside the data")
    return means


def _restore_means(params: dict) -> None:
    """Set the explorer's placed means from the URL; a value that cannot be used is said
    in a toast, with why, and left out."""
    if MEANS not in params:
        return
    X = linked_data().dataset.X if data_linked() else None
    try:
        st.session_state[MEANS_KEY] = read_means(params[MEANS], X)
    except ValueError as error:
        st.toast(f"The link's placed means ({MEANS}) are left out: {error}.")


def run_prefix(number: int) -> str:
    """The widget keys' prefix of run ``number`` (from 0) of Compare runs."""
    return f"compare_{number}_"


def run_fields(number: int) -> dict[str, Field]:
    """URL name -> :class:`Field` of run ``number`` (from 0) of Compare runs: ``k1``,
    ``rs1``, ... for the first."""
    return model_fields(run_prefix(number), str(number + 1), RUN_SETTINGS, RUN_ALLOWED)


def _parse(text: str, parser: type, allowed) -> object:
    value = parser(text)
    if allowed is not None and value not in allowed:
        raise ValueError(text)
    return value


def _knob_value(text: str, spec: Knob) -> float:
    """A knob's value from the URL, of its widget's type and inside its range."""
    value = type(spec.step)(text)
    if not spec.low <= value <= spec.high:
        raise ValueError(text)
    return value


def restore_once() -> None:
    """On a session's first run, set the widgets from the URL's values: the data panel's,
    the explorer's hiding and model, and the runs of Compare runs (any page's link is read
    whole, whichever page it opens)."""
    state = st.session_state
    if state.get("link_restored"):
        return
    state.link_restored = True
    params = st.query_params
    ignored = _restore_data(params) + _restore_hiding(params)
    fields = MODEL_FIELDS | RUNS_FIELD | STARTS_FIELDS
    for number in range(RUN_COUNTS[-1]):
        fields |= run_fields(number)
    for name, field in fields.items():
        if name in params:
            try:
                state[field.key] = _parse(params[name], field.parser, field.allowed)
            except ValueError:
                ignored.append(name)
    if "tab" in params:
        if params["tab"] in TABS:
            state[TAB_FIELD["tab"].key] = TABS[params["tab"]]
        else:
            ignored.append("tab")
    if STARTS_SHOWN in params:
        if params[STARTS_SHOWN] == "1":
            state[STARTS_PENDING] = True
        else:
            ignored.append(STARTS_SHOWN)
    _restore_means(params)
    say_ignored(ignored)


def _restore_data(params: dict) -> list[str]:
    """Set the data panel's widgets from the URL; return the names not understood."""
    state, ignored = st.session_state, []
    preset = params.get("data")
    if preset in PRESETS:
        state.source, state.preset = "Preset", preset
        for name, knob in KNOB_FIELDS.items():
            if name in params and knob in PRESETS[preset].knobs:
                try:
                    state[knob_key(preset, knob)] = _knob_value(params[name], KNOBS[knob])
                except ValueError:
                    ignored.append(name)
        for axis in FEATURE_NAMES:
            if params.get(axis) in IRIS_FEATURES and "features" in PRESETS[preset].knobs:
                state[f"{knob_key(preset, 'features')}:{axis[1]}"] = params[axis]
    elif preset is not None:
        ignored.append("data")
    return ignored


def _restore_hiding(params: dict) -> list[str]:
    """Set the explorer's hiding widgets from the URL; return the names not understood
    (a share must be one the slider offers)."""
    state, ignored = st.session_state, []
    for field, spec in HIDING_KNOBS.items():
        if spec.url in params:
            try:
                value = _knob_value(params[spec.url], spec)
                if value % spec.step:
                    raise ValueError(params[spec.url])
                state[hiding_key(field)] = value
            except ValueError:
                ignored.append(spec.url)
    if MECHANISM_URL in params:
        if params[MECHANISM_URL] in MECHANISMS:
            state[hiding_key("mechanism")] = params[MECHANISM_URL]
        else:
            ignored.append(MECHANISM_URL)
    return ignored


def _hiding_params() -> dict[str, str]:
    """The hiding widgets' values for the URL, when something is hidden."""
    values = {field: _state_value(hiding_key(field), value) for field, value in HIDING.items()}
    if not values["share"]:
        return {}
    params = {spec.url: str(values[field]) for field, spec in HIDING_KNOBS.items()}
    return {**params, MECHANISM_URL: values["mechanism"]}


def _state_value(key: str, default: object) -> object:
    """A widget's value in the session, or its default while it was never drawn nor set
    by a link (Why EM works shows the explorer's run without its widgets)."""
    return st.session_state.get(key, default)


def _linked_knobs(preset: str) -> dict[str, object]:
    """The preset's knobs as their values in the session say, each at its default where
    unset (Iris's features as a pair)."""
    knobs = {}
    for knob in PRESETS[preset].knobs:
        key, default = knob_key(preset, knob), knob_default(preset, knob)
        if knob == "features":
            default = tuple(
                _state_value(f"{key}:{axis}", value)
                for axis, value in zip("xy", default, strict=True)
            )
        knobs[knob] = _state_value(key, default)
    return knobs


def linked_data() -> DataChoice:
    """The data panel's preset as its values in the session say (a link's, once
    restored): what the panel would give, without drawing it."""
    preset = _state_value("preset", next(iter(PRESETS)))
    return _preset_data(preset, _linked_knobs(preset))


def linked_hiding() -> Hiding:
    """The explorer's hiding as its values in the session say (share 0: none)."""
    values = {field: _state_value(hiding_key(field), value) for field, value in HIDING.items()}
    return Hiding(values["share"] / 100, values["mechanism"], int(values["seed"]))


def linked_settings() -> GaussianSettings:
    """The explorer's model panel as its values in the session say."""
    values = asdict(DEFAULTS)
    return GaussianSettings(
        **{
            field.setting: _state_value(field.key, values[field.setting])
            for field in MODEL_FIELDS.values()
        }
    )


def data_linked() -> bool:
    """Whether the data panel's data can be in a link: a preset, not an uploaded file."""
    return _state_value("source", "Preset") == "Preset"


def _data_params() -> dict[str, str] | None:
    """The data panel's values for the URL; None for an uploaded file."""
    if not data_linked():
        return None
    preset = _state_value("preset", next(iter(PRESETS)))
    knobs = _linked_knobs(preset)
    params = {"data": preset}
    params |= {name: str(knobs[knob]) for name, knob in KNOB_FIELDS.items() if knob in knobs}
    if "features" in knobs:
        params |= dict(zip(FEATURE_NAMES, knobs["features"], strict=True))
    return params


def _settings_params(
    settings: GaussianSettings, fields: dict[str, Field], default: GaussianSettings | None = None
) -> dict[str, str]:
    """Each field's setting for the URL; with a ``default``, only those that differ."""
    return {
        name: str(getattr(settings, field.setting))
        for name, field in fields.items()
        if default is None or getattr(settings, field.setting) != getattr(default, field.setting)
    }


def publish_data(upload_note: str | None = None) -> None:
    """Write the data panel's values into the URL; for an uploaded file, which a link
    cannot hold, say so in ``upload_note`` (a caption), if given."""
    params = _data_params()
    if params is None and upload_note is not None:
        st.caption(upload_note)
    write_names(params or {}, DATA_NAMES)


def publish(settings: GaussianSettings, upload_note: str = UPLOAD_NOT_LINKED) -> None:
    """Write the explorer's run into the URL: the data, the hiding, ``settings`` and, for
    means placed by clicking, those placed (see :func:`publish_data` for
    ``upload_note``)."""
    publish_data(upload_note)
    params = _settings_params(settings, MODEL_FIELDS) | _hiding_params()
    means = _state_value(MEANS_KEY, [])
    if settings.init == MANUAL_INIT and means:
        params[MEANS] = means_text(means)
    write_names(params, (*MODEL_FIELDS, *HIDING_NAMES, MEANS))


def publish_runs(specs: list[GaussianSettings], defaults: list[GaussianSettings]) -> None:
    """Write Compare runs into the URL: the data, how many runs, and each run's settings
    where they differ from its default (``defaults``, one per possible run); the page
    says where an upload is left out (see :func:`data_linked`)."""
    publish_data()
    params = {} if len(specs) == RUN_COUNTS[0] else {"runs": str(len(specs))}
    names = list(RUNS_FIELD)
    for number, default in enumerate(defaults):
        fields = run_fields(number)
        names += fields
        if number < len(specs):
            params |= _settings_params(specs[number], fields, default)
    write_names(params, names)


def publish_starts(tab: str, of: int, n_starts: int, shown: bool) -> None:
    """Write the tab open in Compare runs and the multi-start's setting ``of`` (a run's
    number, from 1) and ``n_starts`` into the URL, and ``ms=1`` while the results ``shown``
    are those of this setting, in full (a link then runs them again: the same seeds give
    the same optima)."""
    names = (*TAB_FIELD, *STARTS_FIELDS, STARTS_SHOWN)
    params = {} if tab == TABS["side"] else {"tab": next(k for k, v in TABS.items() if v == tab)}
    if of != 1:
        params["ms_of"] = str(of)
    if n_starts != STARTS_DEFAULT:
        params["ms_n"] = str(n_starts)
    if shown:
        params[STARTS_SHOWN] = "1"
    write_names(params, names)
