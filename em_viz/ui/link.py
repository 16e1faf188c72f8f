"""The page's settings mirrored in its URL, so that a link reproduces a set-up.

Only preset data can be linked (an uploaded file is not in the URL). A value in the
link that the page does not offer is left out, and the page says so.
"""

import streamlit as st

from em_viz import ALGORITHMS, COVARIANCE_TYPES
from em_viz.data import IRIS_FEATURES, PRESETS
from em_viz.ui.sidebar import (
    EPSILON_CHOICES,
    INIT_CHOICES,
    REG_COVAR_CHOICES,
    TOL_CHOICES,
    ModelSettings,
    knob_key,
)

# URL name -> (session-state key, parser, allowed values or None for any).
MODEL_FIELDS = {
    "k": ("n_components", int, range(1, 21)),
    "cov": ("covariance_type", str, COVARIANCE_TYPES),
    "init": ("init", str, INIT_CHOICES),
    "rs": ("random_state", int, range(0, 1_000_001)),
    "reg": ("reg_covar", float, REG_COVAR_CHOICES),
    "tol": ("tol", float, TOL_CHOICES),
    "alg": ("algorithm", str, ALGORITHMS),
    "eps": ("epsilon", float, EPSILON_CHOICES),
}
# URL name -> (preset knob, parser); validated by the preset's own widgets' ranges.
KNOB_FIELDS = {
    "n": ("n_samples", int),
    "npc": ("n_per_component", int),
    "seed": ("seed", int),
    "spread": ("spread", float),
    "noise": ("noise", float),
}


def _parse(text: str, parser: type, allowed) -> object:
    value = parser(text)
    if allowed is not None and value not in allowed:
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
        for name, (knob, parser) in KNOB_FIELDS.items():
            if name in params and knob in PRESETS[preset].knobs:
                try:
                    state[knob_key(preset, knob)] = parser(params[name])
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


def publish(settings: ModelSettings) -> None:
    """Write the current settings into the URL."""
    state = st.session_state
    params = {name: str(getattr(settings, key)) for name, (key, _, _) in MODEL_FIELDS.items()}
    if state.get("source", "Preset") == "Preset":
        preset = state.get("preset")
        params["data"] = preset
        for name, (knob, _) in KNOB_FIELDS.items():
            if knob in PRESETS[preset].knobs:
                params[name] = str(state[knob_key(preset, knob)])
        if "features" in PRESETS[preset].knobs:
            params["fx"] = state[f"{knob_key(preset, 'features')}:x"]
            params["fy"] = state[f"{knob_key(preset, 'features')}:y"]
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)
