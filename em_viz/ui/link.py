"""The page's settings mirrored in its URL, so that a link reproduces a set-up.

Only preset data can be linked (an uploaded file is not in the URL). A value in the
link that the page does not offer is left out, and the page says so.
"""

from dataclasses import astuple, fields

import streamlit as st

from em_viz import ALGORITHMS, COVARIANCE_TYPES
from em_viz.data import IRIS_FEATURES, PRESETS
from em_viz.engine.gaussian_em import GaussianSettings
from em_viz.ui.sidebar import (
    DEFAULTS,
    EPSILON_CHOICES,
    INIT_CHOICES,
    KNOBS,
    REG_COVAR_CHOICES,
    TOL_CHOICES,
    Knob,
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
}
"""Each setting's name in the URL (short, as links made before keep them)."""
ALLOWED = {
    "n_components": range(1, 21),
    "covariance_type": COVARIANCE_TYPES,
    "init": INIT_CHOICES,
    "random_state": range(0, 1_000_001),
    "reg_covar": REG_COVAR_CHOICES,
    "tol": TOL_CHOICES,
    "algorithm": ALGORITHMS,
    "epsilon": EPSILON_CHOICES,
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
    for name, (key, parser, allowed) in MODEL_FIELDS.items():
        if name in params:
            try:
                state[key] = _parse(params[name], parser, allowed)
            except ValueError:
                ignored.append(name)
    if ignored:
        st.toast(f"The link's value for {', '.join(ignored)} was not understood; defaults used.")


def publish(settings: GaussianSettings) -> None:
    """Write the current settings into the URL."""
    state = st.session_state
    params = {name: str(getattr(settings, key)) for name, (key, _, _) in MODEL_FIELDS.items()}
    if state.get("source", "Preset") == "Preset":
        preset = state.get("preset")
        params["data"] = preset
        for name, knob in KNOB_FIELDS.items():
            if knob in PRESETS[preset].knobs:
                params[name] = str(state[knob_key(preset, knob)])
        if "features" in PRESETS[preset].knobs:
            params["fx"] = state[f"{knob_key(preset, 'features')}:x"]
            params["fy"] = state[f"{knob_key(preset, 'features')}:y"]
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)
