"""The explorer page: choose data and a model, step EM, and see every change.

State: the stepper ``em`` in ``st.session_state`` (one per browser session), with the
data set it runs on and the key of the settings it was built from. Buttons act through
callbacks; the figures, the history slider and the Run animation live in one fragment,
so scrubbing and running redraw only that part of the page.
"""

from dataclasses import asdict

import numpy as np
import streamlit as st

from em_viz import GaussianMixtureEM
from em_viz.figures import figure_log_likelihood, figure_mixture, parameters_table
from em_viz.ui import link
from em_viz.ui.plot import plot
from em_viz.ui.sidebar import MANUAL_INIT, DataChoice, ModelSettings, data_panel, model_panel

MAX_RUN_ITERATIONS = 500
SPEEDS = {"Slow": 1.0, "Medium": 0.4, "Fast": 0.15, "Instant": 0.0}
ELLIPSE_MOTION_MS = 350
MIXTURE_HEIGHT = 520
CURVE_HEIGHT = 340

WHAT_CHANGED = {
    "init": "The initial parameters: grey points, one ellipse per component.",
    "E": "E-step: each point's colour now mixes the component colours by its "
    "responsibilities r_ik = p(component k | point i). The ellipses did not move.",
    "M": "M-step: each component moved to the weighted mean and covariance of the points, "
    "weighted by their responsibilities; its weight is its share of them. The colours did "
    "not change.",
}


def phase_text(record) -> str:
    """'Iteration 3 · after E-step', as shown above the figure."""
    after = {"init": "initial parameters", "E": "after E-step", "M": "after M-step"}
    return f"Iteration {record.iteration} · {after[record.phase]}"


def _describe_change(old: dict | None, new: dict) -> str:
    """Plain words for what made a new run start."""
    if old is None:
        return "New run started."
    if old["data"] != new["data"]:
        return "New data: a new run starts from its initial parameters."
    changed = [
        f"{name.replace('_', ' ')} {old['model'][name]} → {value}"
        for name, value in new["model"].items()
        if old["model"][name] != value
    ]
    if not changed:
        return "New start placed: a new run begins from it."
    return f"{', '.join(changed)}: a new run starts from the new initial parameters."


def _build(choice: DataChoice, settings: ModelSettings) -> GaussianMixtureEM | None:
    """A new stepper for these settings; None while manual means are still being placed."""
    clicked = st.session_state.get("clicked_means", [])
    manual = settings.init == MANUAL_INIT
    if manual and len(clicked) < settings.n_components:
        return None
    return GaussianMixtureEM(
        choice.dataset.X,
        settings.n_components,
        covariance_type=settings.covariance_type,
        init="random-points" if manual else settings.init,
        random_state=settings.random_state,
        reg_covar=settings.reg_covar,
        tol=settings.tol,
        means_init=np.array(clicked[: settings.n_components]) if manual else None,
    )


def ensure_run(choice: DataChoice | None, settings: ModelSettings) -> None:
    """Start a new run when the data or the settings changed; on an impossible set-up say
    why and keep the run that was there."""
    if choice is None:
        return
    state = st.session_state
    if state.get("run_data_key") != choice.key:
        state.clicked_means = []
    key = {
        "data": choice.key,
        "model": asdict(settings),
        "clicked": tuple(map(tuple, state.get("clicked_means", []))),
    }
    if state.get("run_key") == key:
        return
    try:
        em = _build(choice, settings)
    except ValueError as error:
        st.error(f"{error} The previous run is kept.")
        return
    if "run_key" in state:
        st.toast(_describe_change(state.run_key, key))
    state.update(
        em=em,
        run_key=key,
        run_data_key=choice.key,
        run_dataset=choice.dataset,
        history_view=0,
        running=False,
    )


def _act(action: str) -> None:
    """A step button's callback: act on the stepper and show its latest state."""
    state = st.session_state
    em = state.em
    try:
        if action == "Run" and SPEEDS[state.speed] == 0:
            em.run(max_iter=MAX_RUN_ITERATIONS)
        elif action == "Run":
            state.running = True
        elif action == "Stop":
            state.running = False
        else:
            getattr(
                em,
                {"E-step": "e_step", "M-step": "m_step", "Step": "step"}.get(
                    action, action.lower()
                ),
            )()
    except ValueError as error:
        state.step_error = str(error)
        state.running = False
    state.history_view = len(em.history) - 1


def _clear_clicks() -> None:
    st.session_state.clicked_means = []


def _add_click() -> None:
    """Record a click on the plot as the next initial mean."""
    click = st.session_state.mixture_clicks.click
    if click:
        st.session_state.clicked_means = [
            *st.session_state.get("clicked_means", []),
            [click["x"], click["y"]],
        ]


def controls(em: GaussianMixtureEM) -> None:
    """The step buttons, labelled as in the lecture: E-step, M-step, Step, Run, Back, Reset."""
    running = st.session_state.get("running", False)
    cols = st.columns([1, 1, 1, 1, 1, 1, 2], vertical_alignment="bottom")
    for col, action in zip(cols, ["E-step", "M-step", "Step"], strict=False):
        col.button(action, on_click=_act, args=(action,), disabled=running, width="stretch")
    if running:
        cols[3].button("Stop", on_click=_act, args=("Stop",), type="primary", width="stretch")
    else:
        cols[3].button(
            "Run",
            on_click=_act,
            args=("Run",),
            type="primary",
            disabled=em.converged,
            width="stretch",
            help="Step to convergence, one half-step at a time at the chosen speed.",
        )
    cols[4].button(
        "Back",
        on_click=_act,
        args=("back",),
        disabled=running or len(em.history) == 1,
        width="stretch",
    )
    cols[5].button("Reset", on_click=_act, args=("reset",), disabled=running, width="stretch")
    st.session_state.setdefault("speed", "Medium")
    cols[6].segmented_control(
        "Run speed", list(SPEEDS), key="speed", disabled=running, required=True
    )


def _advance(em: GaussianMixtureEM) -> None:
    """One animated half-step of Run; stops at convergence or after the iteration limit."""
    state = st.session_state
    if em.converged or em.n_iter >= MAX_RUN_ITERATIONS:
        state.running = False
        st.rerun(scope="app")
    try:
        em.m_step() if em.phase == "E" else em.e_step()
    except ValueError as error:
        state.step_error = str(error)
        state.running = False
        st.rerun(scope="app")
    state.history_view = len(em.history) - 1


def _figures(em: GaussianMixtureEM) -> None:
    """The mixture figure, the log-likelihood curve, the slider and the table."""
    state = st.session_state
    if state.get("running"):
        _advance(em)
    dataset = state.run_dataset
    last = len(em.history) - 1
    index = min(state.get("history_view", last), last)
    record = em.history[index]
    resp = em.responsibilities if index == last else em.responsibilities_at(index)

    status = phase_text(record)
    if index < last:
        status = f"Viewing {status} (latest: {phase_text(em.history[-1])})"
    top = st.columns([3, 2], vertical_alignment="center")
    top[0].markdown(f"### {status}")
    if em.converged:
        top[1].success(f"Converged after {em.n_iter} iterations", icon=":material/check:")
    elif state.get("running"):
        top[1].info("Running…", icon=":material/play_arrow:")

    left, right = st.columns([3, 2])
    with left:
        figure = figure_mixture(
            em.X, record.params, resp, feature_names=dataset.feature_names, uirevision=dataset.name
        )
        figure.update_layout(
            height=MIXTURE_HEIGHT,
            transition={"duration": ELLIPSE_MOTION_MS, "easing": "cubic-in-out"},
        )
        plot(figure, key="mixture", revision=index)
        st.caption(WHAT_CHANGED[record.phase])
    with right:
        curve = figure_log_likelihood(em.history, index, len(em.X))
        plot(curve.update_layout(height=CURVE_HEIGHT), key="log_likelihood", revision=index)
        if last > 0:
            st.slider(
                "History (every half-step so far)",
                0,
                last,
                key="history_view",
                disabled=bool(state.get("running")),
                help="Scrub back through the run without recomputing it.",
            )
        for warning in record.warnings:
            st.warning(warning, icon=":material/warning:")
        table = parameters_table(record.params)
        st.dataframe(
            table, width="stretch", hide_index=False, column_config=_number_columns(table)
        )


def _number_columns(table) -> dict:
    return {name: st.column_config.NumberColumn(format="%.4g") for name in table.columns}


def _placing_means(settings: ModelSettings) -> None:
    """Manual init: show the data and collect clicks until K means are placed."""
    dataset = st.session_state.run_dataset
    clicked = st.session_state.get("clicked_means", [])
    st.markdown(
        f"### Click on the plot to place mean {len(clicked) + 1} of {settings.n_components}"
    )
    placed = _placed_means_params(dataset.X, clicked)
    figure = figure_mixture(
        dataset.X,
        placed,
        None,
        feature_names=dataset.feature_names,
        clickable=True,
        uirevision=dataset.name,
    )
    st.plotly_chart(
        figure,
        key="mixture_clicks",
        on_select=_add_click,
        selection_mode="points",
        config={"displaylogo": False},
    )
    st.button("Clear placed means", on_click=_clear_clicks, disabled=not clicked)


def _placed_means_params(X: np.ndarray, clicked: list):
    """Parameters that draw the means placed so far (small circles, equal weights)."""
    from em_viz.families.gaussian import GaussianParams

    means = np.array(clicked, dtype=float).reshape(-1, 2)
    scale = 0.02 * np.ptp(X, axis=0).max() ** 2
    return GaussianParams(
        np.full(len(means), 1 / max(len(means), 1)),
        means,
        np.repeat(scale * np.eye(2)[None], len(means), axis=0),
    )


def explorer_page() -> None:
    """The explorer: the sidebar panels, the step controls and the figures."""
    link.restore_once()
    with st.sidebar:
        choice = data_panel()
        dataset = choice.dataset if choice else st.session_state.get("run_dataset")
        if dataset is None:
            st.stop()
        settings = model_panel(len(dataset.X))
    if "run_dataset" not in st.session_state and choice is None:
        st.stop()
    ensure_run(choice, settings)
    link.publish(settings)
    if error := st.session_state.pop("step_error", None):
        st.error(error)
    em = st.session_state.get("em")
    if em is None:
        _placing_means(settings)
        return
    controls(em)
    interval = SPEEDS[st.session_state.speed] if st.session_state.get("running") else None
    st.fragment(_figures, run_every=interval or None)(em)
