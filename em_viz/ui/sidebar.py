"""The sidebar: the data panel and the model panel, each turning widgets into values.

Widget values live in ``st.session_state`` under the keys below; the URL mirrors them
(see :mod:`em_viz.ui.link`) so that a link reproduces the lecture's set-up.
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

MANUAL_INIT = "click on the plot"
INIT_CHOICES = (*INIT_METHODS, MANUAL_INIT)
INIT_HELP = (
    "random-points: means at random data points; k-means++: means spread out by "
    "k-means++ seeding (both start every covariance at the data's own covariance, with "
    "equal weights); kmeans: a full k-means fit, then one M-step from its clusters; "
    "random-responsibilities: one M-step from random soft assignments (all means start "
    "near the centre); click on the plot: place the means yourself."
)
COVARIANCE_HELP = (
    "full: any ellipse per component; tied: one shared ellipse shape; diag: ellipses "
    "aligned with the axes; spherical: circles."
)


ALGORITHM_NAMES = {
    "soft": "EM (soft)",
    "hard": "hard EM",
    "kmeans": "k-means",
    "fixed-eps": "EM with fixed εI",
}
ALGORITHM_HELP = (
    "EM (soft): every point shared between components by its responsibilities. "
    "Hard EM: each point wholly to its most responsible component. k-means: hard EM with "
    "one shared round covariance and equal weights (Lloyd's algorithm). EM with fixed εI: "
    "soft EM whose covariances stay ε·I and weights 1/K; as ε shrinks it becomes k-means."
)
EPSILON_CHOICES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
REG_COVAR_CHOICES = (1e-12, 1e-9, 1e-6, 1e-4, 1e-3, 1e-2, 1e-1)
TOL_CHOICES = (1e-8, 1e-6, 1e-4, 1e-3, 1e-2)
MODEL_DEFAULTS = {
    "n_components": 3,
    "covariance_type": "full",
    "init": "k-means++",
    "random_state": 0,
    "reg_covar": 1e-6,
    "tol": 1e-4,
    "algorithm": "soft",
    "epsilon": 1.0,
}


@dataclass(frozen=True)
class DataChoice:
    """The data the user asked for and a key that changes exactly when it does."""

    dataset: Dataset
    key: tuple


@dataclass(frozen=True)
class ModelSettings:
    """The model panel's values: what a new run is built from."""

    n_components: int
    covariance_type: str
    init: str
    random_state: int
    reg_covar: float
    tol: float
    algorithm: str
    epsilon: float


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
    key = knob_key(preset, knob)
    st.session_state.setdefault(key, knob_default(preset, knob))
    if knob == "n_samples":
        return st.number_input("Number of points", 10, 100_000, step=50, key=key)
    if knob == "n_per_component":
        return st.number_input("Points per cluster", 5, 30_000, step=25, key=key)
    if knob == "seed":
        return st.number_input("Data seed", 0, 1_000_000, step=1, key=key)
    if knob == "spread":
        return st.slider("Spread (cluster std)", 0.1, 3.0, step=0.1, key=key)
    if knob == "noise":
        return st.slider("Noise", 0.0, 0.3, step=0.01, key=key)
    if knob == "features":
        st.session_state.setdefault(key + ":x", knob_default(preset, knob)[0])
        st.session_state.setdefault(key + ":y", knob_default(preset, knob)[1])
        x = st.selectbox("x feature", IRIS_FEATURES, key=key + ":x")
        y = st.selectbox("y feature", IRIS_FEATURES, key=key + ":y")
        return (x, y)
    raise KeyError(knob)


def _preset_choice() -> DataChoice:
    name = st.selectbox("Data set", list(PRESETS), key="preset")
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
    x = st.selectbox("x column", columns, index=0, key="column_x")
    y = st.selectbox("y column", columns, index=1, key="column_y")
    dataset = dataset_from_table(table, (x, y), name=upload.name)
    return DataChoice(dataset, ("upload", upload.file_id, x, y))


def data_panel() -> DataChoice | None:
    """The data panel; returns the chosen data, or None when it cannot be had (the
    reason is shown in the panel and the caller keeps the data it had)."""
    st.header("Data")
    source = st.radio("Source", ["Preset", "Upload CSV"], horizontal=True, key="source")
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
    return st.select_slider(label, choices, key=key, format_func="{:g}".format, help=help)


def model_panel(n_points: int) -> ModelSettings:
    """The model panel; returns its settings."""
    st.header("Model")
    for key, value in MODEL_DEFAULTS.items():
        st.session_state.setdefault(key, value)
    algorithm = st.selectbox(
        "Algorithm",
        ALGORITHMS,
        key="algorithm",
        format_func=ALGORITHM_NAMES.get,
        help=ALGORITHM_HELP,
    )
    epsilon = MODEL_DEFAULTS["epsilon"]
    if algorithm == "fixed-eps":
        epsilon = _number_slider(
            "ε (every component's variance)",
            EPSILON_CHOICES,
            "epsilon",
            "In squared data units. Small ε hardens the colours: the updates become k-means.",
        )
    n_components = st.number_input(
        "Components K", 1, 20, step=1, key="n_components", help=f"The data has {n_points} points."
    )
    covariance_type = st.selectbox(
        "Covariance type", COVARIANCE_TYPES, key="covariance_type", help=COVARIANCE_HELP
    )
    init = st.selectbox("Initialisation", INIT_CHOICES, key="init", help=INIT_HELP)
    random_state = st.number_input("Init seed", 0, 1_000_000, step=1, key="random_state")
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
    return ModelSettings(
        int(n_components),
        covariance_type,
        init,
        int(random_state),
        reg_covar,
        tol,
        algorithm,
        epsilon,
    )


SHARED_KEYS = (
    *MODEL_DEFAULTS,
    "source",
    "preset",
    "column_x",
    "column_y",
    *(
        knob_key(name, knob) + axis
        for name, preset in PRESETS.items()
        for knob in preset.knobs
        for axis in ((":x", ":y") if knob == "features" else ("",))
    ),
)
"""The explorer's and the data panel's widget keys. Streamlit forgets the value of a
widget that a page does not show, so every run sets them again as plain values (see
:func:`keep_widget_values`): the data panel keeps its data across pages (an uploaded
file cannot be kept this way) and the explorer finds its settings on return."""


def keep_widget_values() -> None:
    """Set the shared widgets' values again as plain session state (see
    :data:`SHARED_KEYS`), so that the next page's widgets start from them."""
    state = st.session_state
    for key in SHARED_KEYS:
        if key in state:
            state[key] = state[key]
