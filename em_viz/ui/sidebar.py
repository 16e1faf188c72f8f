"""The sidebar: the data panel and the model panel, each turning widgets into values.

The data panel belongs to the app, not to a page (``app.py`` draws it for the pages that
use it), so that its widgets are the same on every page; every widget keeps its value
for the session (``persist_state``) while a page does not show it. The explorer's URL
mirrors the values (see :mod:`em_viz.ui.link`) so that a link reproduces a set-up.
"""

import inspect
from dataclasses import dataclass

import streamlit as st

from em_viz import ALGORITHMS, COVARIANCE_TYPES, INIT_METHODS
from em_viz.data import (
    IRIS_FEATURES,
    MAX_UPLOAD_BYTES,
    PRESETS,
    DataError,
    Dataset,
    dataset_from_table,
    numeric_columns,
    read_table,
)
from em_viz.engine.gaussian_em import GaussianSettings
from em_viz.ui.labels import (
    ALGORITHM_HELP,
    ALGORITHM_NAMES,
    COVARIANCE_HELP,
    EPSILON_HELP,
    EPSILON_LABEL,
    INIT_HELP,
)

MANUAL_INIT = "click on the plot"
INIT_CHOICES = (*INIT_METHODS, MANUAL_INIT)
EPSILON_CHOICES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
REG_COVAR_CHOICES = (1e-12, 1e-9, 1e-6, 1e-4, 1e-3, 1e-2, 1e-1)
TOL_CHOICES = (1e-8, 1e-6, 1e-4, 1e-3, 1e-2)
DEFAULTS = GaussianSettings()
KEPT = "session"
"""Every sidebar widget keeps its value while another page is shown."""
DATA_CHOICE = "data_choice"
"""Where the app puts the data panel's answer for the page it runs."""


@dataclass(frozen=True)
class DataChoice:
    """The data the user asked for and a key that changes exactly when it does."""

    dataset: Dataset
    key: tuple


@st.cache_data(max_entries=32, show_spinner=False)
def load_preset(name: str, **knobs: object) -> Dataset:
    """A preset's data set (cached; Streamlit hands back a copy)."""
    return PRESETS[name].make(**knobs)


@st.cache_data(max_entries=4, show_spinner=False)
def load_table(data: bytes, filename: str):
    """An uploaded CSV parsed into a table (cached by its bytes)."""
    return read_table(data, filename)


def knob_key(preset: str, knob: str) -> str:
    """The session-state key of one preset's knob (each preset keeps its own values)."""
    return f"{preset}:{knob}"


def knob_default(preset: str, knob: str) -> object:
    return inspect.signature(PRESETS[preset].make).parameters[knob].default


def _knob_widget(preset: str, knob: str) -> object:
    """One knob's widget; returns its value in the form the preset function takes."""
    key, default = knob_key(preset, knob), knob_default(preset, knob)
    if knob == "n_samples":
        return st.number_input(
            "Number of points", 10, 100_000, default, step=50, key=key, persist_state=KEPT
        )
    if knob == "n_per_component":
        return st.number_input(
            "Points per cluster", 5, 30_000, default, step=25, key=key, persist_state=KEPT
        )
    if knob == "seed":
        return st.number_input(
            "Data seed", 0, 1_000_000, default, step=1, key=key, persist_state=KEPT
        )
    if knob == "spread":
        return st.slider(
            "Spread (cluster std)", 0.1, 3.0, default, step=0.1, key=key, persist_state=KEPT
        )
    if knob == "noise":
        return st.slider("Noise", 0.0, 0.3, default, step=0.01, key=key, persist_state=KEPT)
    if knob == "features":
        x, y = (
            st.selectbox(
                f"{axis} feature",
                IRIS_FEATURES,
                IRIS_FEATURES.index(value),
                key=f"{key}:{axis}",
                persist_state=KEPT,
            )
            for axis, value in zip("xy", default, strict=True)
        )
        return (x, y)
    raise KeyError(knob)


def _preset_choice() -> DataChoice:
    name = st.selectbox("Data set", list(PRESETS), key="preset", persist_state=KEPT)
    preset = PRESETS[name]
    st.caption(preset.description)
    knobs = {knob: _knob_widget(name, knob) for knob in preset.knobs}
    return DataChoice(load_preset(name, **knobs), ("preset", name, tuple(knobs.items())))


def _upload_choice() -> DataChoice | None:
    upload = st.file_uploader(
        "CSV file with a header row",
        type=["csv", "txt", "tsv"],
        key="upload",
        help=f"At most {MAX_UPLOAD_BYTES // 2**20} MB; two numeric columns are used.",
    )
    if upload is None:
        st.caption("Upload a CSV; until then the last data set stays.")
        return None
    table = load_table(upload.getvalue(), upload.name)
    columns = numeric_columns(table)  # read_table made sure there are at least two
    x = st.selectbox("x column", columns, index=0, key="column_x", persist_state=KEPT)
    y = st.selectbox("y column", columns, index=1, key="column_y", persist_state=KEPT)
    dataset = dataset_from_table(table, (x, y), name=upload.name)
    return DataChoice(dataset, ("upload", upload.file_id, x, y))


def data_panel() -> DataChoice | None:
    """The data panel; returns the chosen data, or None when it cannot be had (the
    reason is shown in the panel and the caller keeps the data it had).

    Drawn by the app, outside every page, so that its widgets are one set for all the
    pages that show it (a widget drawn by a page is that page's own)."""
    st.header("Data")
    source = st.radio(
        "Source", ["Preset", "Upload CSV"], horizontal=True, key="source", persist_state=KEPT
    )
    try:
        choice = _preset_choice() if source == "Preset" else _upload_choice()
    except DataError as error:
        st.error(f"{error} The data already loaded stays.")
        return None
    if choice is not None:
        for note in choice.dataset.notes:
            st.info(note)
    return choice


def _number_slider(label: str, choices: tuple[float, ...], key: str, help: str) -> float:
    """A slider over a few numbers spanning decades, shown as 1e-06 rather than 0.000001."""
    return st.select_slider(
        label,
        choices,
        getattr(DEFAULTS, key),
        key=key,
        format_func="{:g}".format,
        help=help,
        persist_state=KEPT,
    )


def _choice(label: str, options: tuple[str, ...], key: str, **kwargs: object) -> str:
    """A selectbox of one setting, starting at its default."""
    index = options.index(getattr(DEFAULTS, key))
    return st.selectbox(label, options, index, key=key, persist_state=KEPT, **kwargs)


def _whole(label: str, low: int, high: int, key: str, **kwargs: object) -> int:
    """A number input of one whole-number setting, starting at its default."""
    value = getattr(DEFAULTS, key)
    return int(
        st.number_input(label, low, high, value, step=1, key=key, persist_state=KEPT, **kwargs)
    )


def model_panel(n_points: int) -> GaussianSettings:
    """The model panel; returns its settings (``init`` may be :data:`MANUAL_INIT`). Its
    widgets' keys are the settings' names."""
    st.header("Model")
    algorithm = _choice(
        "Algorithm", ALGORITHMS, "algorithm", format_func=ALGORITHM_NAMES.get, help=ALGORITHM_HELP
    )
    epsilon = DEFAULTS.epsilon
    if algorithm == "fixed-eps":
        epsilon = _number_slider(EPSILON_LABEL, EPSILON_CHOICES, "epsilon", EPSILON_HELP)
    n_components = _whole(
        "Components K", 1, 20, "n_components", help=f"The data has {n_points} points."
    )
    covariance_type = _choice(
        "Covariance type", COVARIANCE_TYPES, "covariance_type", help=COVARIANCE_HELP
    )
    init = _choice("Initialisation", INIT_CHOICES, "init", help=INIT_HELP)
    random_state = _whole("Init seed", 0, 1_000_000, "random_state")
    reg_covar = _number_slider(
        "reg_covar",
        REG_COVAR_CHOICES,
        "reg_covar",
        "Added to every variance so that no component can shrink to nothing.",
    )
    tol = _number_slider(
        "Tolerance",
        TOL_CHOICES,
        "tol",
        "Converged when an iteration raises the mean log-likelihood per point by less.",
    )
    return GaussianSettings(
        n_components, covariance_type, init, random_state, reg_covar, tol, algorithm, epsilon
    )


def chosen_data() -> DataChoice | None:
    """The data panel's answer on this run: the app draws the panel before it runs the
    page (see :func:`data_panel`) and leaves the answer here."""
    return st.session_state.get(DATA_CHOICE)
