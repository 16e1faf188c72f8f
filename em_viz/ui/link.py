"""The page's settings mirrored in its URL, so that a link reproduces a set-up.

Only preset data can be linked (an uploaded file is not in the URL). A value in the
link that the page does not offer is left out, and the page says so: the explorer's and
the compare page's values are read here (:func:`restore_once`); for widgets that
Streamlit binds to the URL itself, :func:`check_bound` names what the binding dropped.
"""

from collections.abc import Callable
from dataclasses import astuple, fields

import streamlit as st

from em_viz import COVARIANCE_TYPES
from em_viz.data import IRIS_FEATURES, PRESETS
from em_viz.data.missingness import MECHANISMS
from em_viz.engine.families.bayesian_gaussian import PRIOR_TYPES
from em_viz.engine.gaussian_em import MISSING, RUN_ALGORITHMS, GaussianSettings
from em_viz.ui.sidebar import (
    CONCENTRATION_CHOICES,
    DEFAULTS,
    EPSILON_CHOICES,
    HIDING_KNOBS,
    INIT_CHOICES,
    KNOBS,
    MECHANISM_URL,
    REG_COVAR_CHOICES,
    TOL_CHOICES,
    Knob,
    hiding_key,
    knob_key,
)

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
"""The values the model panel offers, by setting."""
# URL name -> (session-state key: the setting's name, parser: its default's type, allowed).
MODEL_FIELDS = {
    URL_NAMES[f.name]: (f.name, type(default), ALLOWED[f.name])
    for f, default in zip(fields(GaussianSettings), astuple(DEFAULTS), strict=True)
}
KNOB_FIELDS = {spec.url: knob for knob, spec in KNOBS.items()}
"""URL name -> preset knob."""


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
    """On a session's first run, set the widgets from the URL's values."""
    state = st.session_state
    if state.get("link_restored"):
        return
    state.link_restored = True
    params = st.query_params
    ignored = []
    preset = params.get("data")
    if preset in PRESETS:
        state.source, state.preset = "Preset", preset
        for name, knob in KNOB_FIELDS.items():
            if name in params and knob in PRESETS[preset].knobs:
                try:
                    state[knob_key(preset, knob)] = _knob_value(params[name], KNOBS[knob])
                except ValueError:
                    ignored.append(name)
        for axis in ("fx", "fy"):
            if params.get(axis) in IRIS_FEATURES and "features" in PRESETS[preset].knobs:
                state[f"{knob_key(preset, 'features')}:{axis[1]}"] = params[axis]
    elif preset is not None:
        ignored.append("data")
    ignored += _restore_hiding(params)
    for name, (key, parser, allowed) in MODEL_FIELDS.items():
        if name in params:
            try:
                state[key] = _parse(params[name], parser, allowed)
            except ValueError:
                ignored.append(name)
    say_ignored(ignored)


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
    state = st.session_state
    if not state.get(hiding_key("share")):
        return {}
    params = {spec.url: str(state[hiding_key(field)]) for field, spec in HIDING_KNOBS.items()}
    return {**params, MECHANISM_URL: state[hiding_key("mechanism")]}


def say_ignored(names: list[str]) -> None:
    """One toast naming the values of the link that the page could not use."""
    if names:
        st.toast(f"The link's value for {', '.join(names)} was not understood and is left out.")


def bound_values() -> dict[str, list[str]]:
    """The URL's values, read before the widgets bound to it are drawn (for
    :func:`check_bound`)."""
    return {name: st.query_params.get_all(name) for name in st.query_params}


def _stands_for(raw: list[str], value: object) -> bool:
    """Whether a URL's ``raw`` values give a widget's ``value`` (Streamlit leaves a value
    equal to the widget's default out of the URL)."""
    values = list(value) if isinstance(value, list | tuple) else [value]
    if len(raw) != len(values):
        return False
    for text, item in zip(raw, values, strict=True):
        if isinstance(item, bool):
            same = text.lower() == str(item).lower()
        elif isinstance(item, int | float):
            try:
                same = float(text) == item
            except ValueError:
                same = False
        else:
            same = text == str(item)
        if not same:
            return False
    return True


def check_bound(before: dict[str, list[str]], keys: Callable[[str], bool]) -> None:
    """After the page's widgets bound to the URL (``bind="query-params"``) are drawn,
    name in a toast each value of the link that they dropped or changed.

    Streamlit's binding leaves out, without a word, a value outside a widget's range or
    not among its options (``digits_k=1000``, ``demo=Nonsense``). ``keys`` picks the
    page's widgets among the URL's names.
    """
    state = st.session_state
    dropped = [
        name
        for name, raw in before.items()
        if keys(name)
        and name in state
        and st.query_params.get_all(name) != raw
        and not _stands_for(raw, state[name])
    ]
    say_ignored(dropped)


KEPT_IN_LINK = ("step", "present")
"""What other parts of the page write into the URL: :func:`publish` keeps them."""

MAX_STEP = 10_000
"""The largest half-step index a link may ask for."""

UPLOAD_NOT_LINKED = (
    "This page's link holds the settings and the step, not your uploaded file: to share "
    "the run itself, use Export → JSON."
)


def linked_step(name: str) -> int | None:
    """The half-step index in the URL's ``name`` (None if absent); a value that is not
    a whole number from 0 to :data:`MAX_STEP` is named in a toast and read as 0."""
    text = st.query_params.get(name)
    if text is None:
        return None
    try:
        step = int(text)
    except ValueError:
        step = -1
    if not 0 <= step <= MAX_STEP:
        say_ignored([name])
        return 0
    return step


def say_step_not_reached(name: str, last: int) -> None:
    """The toast for a link's step past the end of its run."""
    st.toast(f"The link's {name} is past the end of this run (half-step {last}): it starts over.")


def publish_step(name: str, index: int) -> None:
    """Write the half-step shown into the URL's ``name`` (left out at the start)."""
    if index == 0:
        if name in st.query_params:
            del st.query_params[name]
    elif st.query_params.get(name) != str(index):
        st.query_params[name] = str(index)


def publish(settings: GaussianSettings) -> None:
    """Write the current settings into the URL (keeping :data:`KEPT_IN_LINK`); for an
    uploaded file, say that the link cannot hold it."""
    state = st.session_state
    params = {name: str(getattr(settings, key)) for name, (key, _, _) in MODEL_FIELDS.items()}
    params |= {name: st.query_params[name] for name in KEPT_IN_LINK if name in st.query_params}
    if state.get("source", "Preset") == "Preset":
        preset = state.get("preset")
        params["data"] = preset
        for name, knob in KNOB_FIELDS.items():
            if knob in PRESETS[preset].knobs:
                params[name] = str(state[knob_key(preset, knob)])
        if "features" in PRESETS[preset].knobs:
            params["fx"] = state[f"{knob_key(preset, 'features')}:x"]
            params["fy"] = state[f"{knob_key(preset, 'features')}:y"]
    else:
        st.caption(UPLOAD_NOT_LINKED)
    params |= _hiding_params()
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)
