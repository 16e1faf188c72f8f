"""The sidebar: the data panel and the model panel, each turning widgets into values.

The data panel belongs to the app, not to a page (``app.py`` draws it for the pages that
use it), so that its widgets are the same on every page; every widget keeps its value
for the session (``persist_state``) while a page does not show it. The explorer's URL
mirrors the values (see :mod:`em_viz.ui.link`) so that a link reproduces a set-up.
"""

import inspect
from dataclasses import dataclass, replace

import pandas as pd
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
from em_viz.data.missingness import MAX_SHARE, MECHANISM_NAMES, MECHANISMS, Hiding
from em_viz.engine.families.bayesian_gaussian import PRIOR_TYPES
from em_viz.engine.gaussian_em import RUN_ALGORITHMS, GaussianSettings
from em_viz.ui.labels import (
    ALGORITHM_HELP,
    ALGORITHM_NAMES,
    CONCENTRATION_HELP,
    CONCENTRATION_LABEL,
    COVARIANCE_HELP,
    EMPTY_CELLS_HELP,
    EMPTY_CELLS_LABEL,
    EPSILON_HELP,
    EPSILON_LABEL,
    HIDE_HELP,
    HIDE_LABEL,
    HIDE_SEED_LABEL,
    INIT_HELP,
    INIT_NAMES,
    INIT_SHORT_HELP,
    MECHANISM_HELP,
    MECHANISM_LABEL,
    MORE_COLUMNS_HELP,
    PRIOR_TYPE_HELP,
    PRIOR_TYPE_NAMES,
    REG_COVAR_HELP,
    TOL_HELP,
    plain,
)

MANUAL_INIT = "click on the plot"
INIT_CHOICES = (*INIT_METHODS, MANUAL_INIT)
EPSILON_CHOICES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
REG_COVAR_CHOICES = (1e-12, 1e-9, 1e-6, 1e-4, 1e-3, 1e-2, 1e-1)
TOL_CHOICES = (1e-8, 1e-6, 1e-4, 1e-3, 1e-2)
CONCENTRATION_CHOICES = (1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1e3)
"""The weight prior's concentrations, two a decade from 0.001 to 1000."""
DEFAULTS = GaussianSettings()
KEPT = "session"
"""Every sidebar widget keeps its value while another page is shown."""
DATA_CHOICE = "data_choice"
"""Where the app puts the data panel's answer for the page it runs."""


@dataclass(frozen=True)
class DataChoice:
    """The data the user asked for and a key that changes exactly when it does; for an
    upload whose empty cells are to be taken as missing, ``incomplete`` keeps those rows
    with NaN (the explorer's EM fills them in; other pages use ``dataset``, without them)."""

    dataset: Dataset
    key: tuple
    incomplete: Dataset | None = None


@st.cache_data(max_entries=32, show_spinner=False)
def load_preset(name: str, **knobs: object) -> Dataset:
    """A preset's data set (cached; Streamlit hands back a copy)."""
    return PRESETS[name].make(**knobs)


@st.cache_data(max_entries=4, show_spinner=False)
def load_table(data: bytes, filename: str) -> tuple[pd.DataFrame, list[str]]:
    """An uploaded CSV parsed into a table, and its numeric columns (at least two; both
    cached by the file's bytes, so a rerun computes nothing per column)."""
    table = read_table(data, filename)
    return table, numeric_columns(table)


def knob_key(preset: str, knob: str) -> str:
    """The session-state key of one preset's knob (each preset keeps its own values)."""
    return f"{preset}:{knob}"


def knob_default(preset: str, knob: str) -> object:
    return inspect.signature(PRESETS[preset].make).parameters[knob].default


@dataclass(frozen=True)
class Knob:
    """A preset knob's widget: a number box for whole numbers, a slider otherwise."""

    label: str
    low: float
    high: float
    step: float
    url: str
    """Its name in the explorer's URL."""


KNOBS = {
    "n_samples": Knob("Number of points", 10, 100_000, 50, "n"),
    "n_per_component": Knob("Points per cluster", 5, 30_000, 25, "npc"),
    "seed": Knob("Data seed", 0, 1_000_000, 1, "seed"),
    "spread": Knob("Spread (cluster std)", 0.1, 3.0, 0.1, "spread"),
    "noise": Knob("Noise", 0.0, 0.3, 0.01, "noise"),
}
"""Every numeric knob of the presets (Iris's two features are chosen by name)."""


def _knob_widget(preset: str, knob: str) -> object:
    """One knob's widget; returns its value in the form the preset function takes."""
    key, default = knob_key(preset, knob), knob_default(preset, knob)
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
    spec = KNOBS[knob]
    widget = st.number_input if isinstance(spec.step, int) else st.slider
    return widget(
        spec.label, spec.low, spec.high, default, step=spec.step, key=key, persist_state=KEPT
    )


def _preset_data(name: str, knobs: dict[str, object]) -> DataChoice:
    return DataChoice(load_preset(name, **knobs), ("preset", name, tuple(knobs.items())))


def default_data() -> DataChoice:
    """What the data panel gives before any of its widgets is touched: the first preset
    with its knobs at their defaults (the same key, so the explorer keeps a run built
    from it)."""
    name = next(iter(PRESETS))
    return _preset_data(name, {knob: knob_default(name, knob) for knob in PRESETS[name].knobs})


def _preset_choice() -> DataChoice:
    name = st.selectbox("Data set", list(PRESETS), key="preset", persist_state=KEPT)
    preset = PRESETS[name]
    st.caption(preset.description)
    return _preset_data(name, {knob: _knob_widget(name, knob) for knob in preset.knobs})


@dataclass(frozen=True)
class KeptUpload:
    """An uploaded file, kept in the session: Streamlit forgets a file uploader's file
    when a page without it is shown (it has no ``persist_state``)."""

    name: str
    data: bytes
    file_id: str


UPLOADED = "uploaded_file"
"""Where the last uploaded file is kept (a plain key, not a widget's)."""


def _keep_upload() -> None:
    """The uploader's callback: keep a new file, or forget it when it is removed (a
    page switch calls no callback, so the kept file outlives it)."""
    upload = st.session_state.get("upload")
    if upload is None:
        st.session_state.pop(UPLOADED, None)
    else:
        st.session_state[UPLOADED] = KeptUpload(upload.name, upload.getvalue(), upload.file_id)


def _upload_choice() -> DataChoice | None:
    st.file_uploader(
        "CSV file with a header row",
        type=["csv", "txt", "tsv"],
        key="upload",
        on_change=_keep_upload,
        help=f"At most {MAX_UPLOAD_BYTES // 2**20} MB; two numeric columns are plotted, and"
        " more can be fitted.",
    )
    kept = st.session_state.get(UPLOADED)
    if kept is None:
        st.caption("Upload a CSV; until then the last data set stays.")
        return None
    if st.session_state.get("upload") is None:
        st.caption(plain(f"Using {kept.name}, uploaded before. Upload another to replace it."))
    table, columns = load_table(kept.data, kept.name)
    x = st.selectbox("x column", columns, index=0, key="column_x", persist_state=KEPT)
    y = st.selectbox("y column", columns, index=1, key="column_y", persist_state=KEPT)
    more = st.multiselect(
        "More columns to fit",
        [column for column in columns if column not in (x, y)],
        key="columns_more",
        help=MORE_COLUMNS_HELP,
        persist_state=KEPT,
    )
    chosen = (x, y, *more)
    dataset = dataset_from_table(table, chosen, name=kept.name)
    key = ("upload", kept.file_id, *chosen)
    if not table[list(chosen)].isna().any(axis=None):
        return DataChoice(dataset, key)
    if not st.checkbox(
        EMPTY_CELLS_LABEL, key="empty_as_missing", help=EMPTY_CELLS_HELP, persist_state=KEPT
    ):
        return DataChoice(dataset, key)
    incomplete = dataset_from_table(table, chosen, name=kept.name, empty_as_missing=True)
    return DataChoice(dataset, (*key, "empty as missing"), incomplete)


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
        st.error(plain(f"{error} The data already loaded stays."))
        return None
    if choice is not None:
        for note in (choice.incomplete or choice.dataset).notes:
            st.info(plain(note))
    return choice


def _number_slider(
    label: str, choices: tuple[float, ...], value: float, key: str, help: str
) -> float:
    """A slider over a few numbers spanning decades, shown as 1e-06 rather than 0.000001."""
    return st.select_slider(
        label, choices, value, key=key, format_func="{:g}".format, help=help, persist_state=KEPT
    )


def model_widgets(
    default: GaussianSettings,
    prefix: str = "",
    *,
    manual_init: bool = True,
    tolerances: bool = True,
    components_help: str | None = None,
    variational: bool = False,
) -> GaussianSettings:
    """The widgets of one run's settings, starting at ``default``; returns the settings.

    Each widget's key is ``prefix`` and the setting's name. ``manual_init`` offers
    :data:`MANUAL_INIT` among the inits; without ``tolerances`` reg_covar and tol keep
    their defaults; ``variational`` offers variational Bayes among the algorithms, with
    its weight prior's widgets.
    """

    def choice(label: str, options: tuple[str, ...], name: str, **kwargs: object) -> str:
        index = options.index(getattr(default, name))
        return st.selectbox(label, options, index, key=prefix + name, persist_state=KEPT, **kwargs)

    def whole(label: str, low: int, high: int, name: str, **kwargs: object) -> int:
        value = getattr(default, name)
        key = prefix + name
        return int(
            st.number_input(label, low, high, value, step=1, key=key, persist_state=KEPT, **kwargs)
        )

    algorithms = RUN_ALGORITHMS if variational else ALGORITHMS
    algorithm = choice(
        "Algorithm", algorithms, "algorithm", format_func=ALGORITHM_NAMES.get, help=ALGORITHM_HELP
    )
    prior_type = default.weight_concentration_prior_type
    concentration = default.weight_concentration_prior
    if algorithm == "variational-bayes":
        prior_type = choice(
            "Weight prior",
            PRIOR_TYPES,
            "weight_concentration_prior_type",
            format_func=PRIOR_TYPE_NAMES.get,
            help=PRIOR_TYPE_HELP,
        )
        concentration = _number_slider(
            CONCENTRATION_LABEL,
            CONCENTRATION_CHOICES,
            concentration,
            prefix + "weight_concentration_prior",
            CONCENTRATION_HELP,
        )
    epsilon = default.epsilon
    if algorithm == "fixed-eps":
        epsilon = _number_slider(
            EPSILON_LABEL, EPSILON_CHOICES, epsilon, prefix + "epsilon", EPSILON_HELP
        )
    n_components = whole("Components K", 1, 20, "n_components", help=components_help)
    covariance_type = choice(
        "Covariance type",
        COVARIANCE_TYPES,
        "covariance_type",
        help=COVARIANCE_HELP,
        disabled=not replace(default, algorithm=algorithm).variant.uses_covariance_type,
    )
    inits = INIT_CHOICES if manual_init else INIT_METHODS
    init = choice(
        "Initialisation",
        inits,
        "init",
        format_func=INIT_NAMES.get,
        help=INIT_HELP if manual_init else INIT_SHORT_HELP,
    )
    random_state = whole("Init seed", 0, 1_000_000, "random_state")
    reg_covar, tol = default.reg_covar, default.tol
    if tolerances:
        reg_covar = _number_slider(
            "reg_covar", REG_COVAR_CHOICES, reg_covar, prefix + "reg_covar", REG_COVAR_HELP
        )
        tol = _number_slider("Tolerance", TOL_CHOICES, tol, prefix + "tol", TOL_HELP)
    return GaussianSettings(
        n_components,
        covariance_type,
        init,
        random_state,
        reg_covar,
        tol,
        algorithm,
        epsilon,
        weight_concentration_prior_type=prior_type,
        weight_concentration_prior=concentration,
    )


HIDING_KNOBS = {
    "share": Knob(HIDE_LABEL, 0.0, 100 * MAX_SHARE, 5.0, "hide"),
    "seed": Knob(HIDE_SEED_LABEL, 0, 1_000_000, 1, "hseed"),
}
"""The explorer's widgets hiding coordinates (the share in percent), by field of
:class:`~em_viz.data.missingness.Hiding`; the mechanism's URL name is :data:`MECHANISM_URL`."""
MECHANISM_URL = "mech"


def hiding_key(field: str) -> str:
    """The session-state key of a hiding widget (one set for every data set)."""
    return f"hiding:{field}"


def hiding_panel() -> Hiding:
    """The explorer's "Hide values" panel: a share of the points each lose a coordinate,
    by one of three mechanisms, seeded; returns the hiding (share 0: nothing hidden)."""
    st.header("Hide values")
    share_spec, seed_spec = HIDING_KNOBS["share"], HIDING_KNOBS["seed"]
    share = st.slider(
        share_spec.label,
        share_spec.low,
        share_spec.high,
        0.0,
        step=share_spec.step,
        key=hiding_key("share"),
        help=HIDE_HELP,
        persist_state=KEPT,
    )
    mechanism = st.selectbox(
        MECHANISM_LABEL,
        MECHANISMS,
        format_func=MECHANISM_NAMES.get,
        key=hiding_key("mechanism"),
        help=MECHANISM_HELP,
        disabled=share == 0,
        persist_state=KEPT,
    )
    seed = st.number_input(
        seed_spec.label,
        seed_spec.low,
        seed_spec.high,
        0,
        step=seed_spec.step,
        key=hiding_key("seed"),
        disabled=share == 0,
        persist_state=KEPT,
    )
    return Hiding(share / 100, mechanism, int(seed))


def model_panel(n_points: int, manual_init: bool = True) -> GaussianSettings:
    """The explorer's model panel; returns its settings (``init`` may be
    :data:`MANUAL_INIT`, if ``manual_init`` offers it: means are placed by clicking on
    two-feature data only). Its widgets' keys are the settings' names."""
    st.header("Model")
    return model_widgets(
        DEFAULTS,
        manual_init=manual_init,
        components_help=f"The data has {n_points} points.",
        variational=True,
    )


def chosen_data() -> DataChoice | None:
    """The data panel's answer on this run: the app draws the panel before it runs the
    page (see :func:`data_panel`) and leaves the answer here."""
    return st.session_state.get(DATA_CHOICE)
