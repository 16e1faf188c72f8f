"""The explorer page: choose data and a model, step EM, and see every change.

State: the stepper ``em`` in ``st.session_state`` (one per browser session), with the
data set it runs on and the key of the settings it was built from. The step controls,
figures, history slider and the Run animation live in one fragment, so a step redraws
only that part of the page; buttons act through callbacks.
"""

from dataclasses import asdict

import numpy as np
import streamlit as st

from em_viz import GaussianMixtureEM, Record
from em_viz.figures import (
    figure_log_likelihood,
    figure_mixture,
    figure_placing,
    parameters_table,
)
from em_viz.ui import link
from em_viz.ui.plot import plot
from em_viz.ui.sidebar import MANUAL_INIT, DataChoice, ModelSettings, data_panel, model_panel

MAX_RUN_ITERATIONS = 500
SPEEDS = {"Slow": 1.0, "Medium": 0.4, "Fast": 0.15, "Instant": 0.0}
"""Seconds between animated half-steps of Run; Instant runs to convergence at once."""
ELLIPSE_MOTION_MS = 350
MIXTURE_HEIGHT = 500
CURVE_HEIGHT = 360

STEPS = {
    "E-step": GaussianMixtureEM.e_step,
    "M-step": GaussianMixtureEM.m_step,
    "Step": GaussianMixtureEM.step,
    "Back": GaussianMixtureEM.back,
    "Reset": GaussianMixtureEM.reset,
}
STEP_HELP = {
    "E-step": "Expectation: recolour each point by how responsible each component is for it.",
    "M-step": "Maximisation: move each component to the weighted mean and covariance of "
    "its points.",
    "Step": "One iteration: an E-step, then an M-step.",
    "Back": "Undo the last half-step.",
    "Reset": "Back to the initial parameters.",
}
WHAT_CHANGED = {
    "init": "The initial parameters: grey points, one ellipse per component. "
    "Press E-step to colour the points by their responsibilities.",
    "E": "E-step: each point's colour now mixes the component colours by its "
    "responsibilities r_ik = p(component k | point i). The ellipses did not move.",
    "M": "M-step: each component moved to the mean and covariance of all points weighted "
    "by their responsibilities; its weight is its share of them. The colours did not change.",
}


HARD_CHANGED = {
    **WHAT_CHANGED,
    "E": "E-step: each point now belongs wholly to its most responsible component (for "
    "k-means: its nearest centre). The ellipses did not move.",
    "M": "M-step: each component moved to the mean (and covariance) of the points it now "
    "owns. The colours did not change.",
}


def phase_text(record: Record) -> str:
    """'Iteration 3 · after E-step', as shown above the figure."""
    after = {"init": "initial parameters", "E": "after E-step", "M": "after M-step"}
    return f"Iteration {record.iteration} · {after[record.phase]}"


def _describe_change(old: dict, new: dict) -> str:
    """Plain words for what made a new run start."""
    if old["data"] != new["data"]:
        return "New data: a new run starts from its initial parameters."
    changed = [
        f"{name.replace('_', ' ')} {old['model'][name]} → {value}"
        for name, value in new["model"].items()
        if old["model"][name] != value
    ]
    if not changed:
        return "Initial means placed: a new run starts from them."
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
        algorithm=settings.algorithm,
        epsilon=settings.epsilon,
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
        st.error(f"{error} The previous run is kept.", icon=":material/error:")
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


def _show_latest() -> None:
    st.session_state.history_view = len(st.session_state.em.history) - 1


def take_step(name: str) -> None:
    """A step button's callback (on any page): one half-step, Back or Reset on the
    session's stepper, then show its latest state; an error waits in ``step_error``."""
    try:
        STEPS[name](st.session_state.em)
    except ValueError as error:
        st.session_state.step_error = str(error)
    _show_latest()


def _start_run() -> None:
    """Run: to convergence at once at Instant speed, else animated half-step by half-step."""
    state = st.session_state
    if SPEEDS[state.speed] == 0:
        try:
            state.em.run(max_iter=MAX_RUN_ITERATIONS)
        except ValueError as error:
            state.step_error = str(error)
        _show_latest()
    else:
        state.running = True


def _stop_run() -> None:
    st.session_state.running = False


def _advance(em: GaussianMixtureEM) -> None:
    """One animated half-step of Run, or the end of the run (converged, limit, error)."""
    state = st.session_state
    if em.converged or em.n_iter >= MAX_RUN_ITERATIONS:
        state.running = False
        return
    try:
        em.m_step() if em.phase == "E" else em.e_step()
    except ValueError as error:
        state.step_error = str(error)
        state.running = False
    _show_latest()


def _controls(em: GaussianMixtureEM, running: bool) -> None:
    """E-step, M-step, Step, Run (or Stop), Back, Reset and the Run speed."""
    cols = st.columns([1, 1, 1, 1, 1, 1, 3.4], vertical_alignment="bottom")
    at_start = len(em.history) == 1
    for col, name in zip(cols, ["E-step", "M-step", "Step"], strict=False):
        col.button(
            name,
            on_click=take_step,
            args=(name,),
            disabled=running,
            help=STEP_HELP[name],
            width="stretch",
        )
    if running:
        cols[3].button("Stop", on_click=_stop_run, type="primary", width="stretch")
    else:
        cols[3].button(
            "Run",
            on_click=_start_run,
            type="primary",
            disabled=em.converged,
            width="stretch",
            help="Step to convergence, half-step by half-step at the chosen speed.",
        )
    for col, name in zip(cols[4:6], ["Back", "Reset"], strict=False):
        col.button(
            name,
            on_click=take_step,
            args=(name,),
            disabled=running or at_start,
            help=STEP_HELP[name],
            width="stretch",
        )
    cols[6].segmented_control(
        "Run speed", list(SPEEDS), key="speed", disabled=running, required=True
    )


def _run_view(em: GaussianMixtureEM, running: bool) -> None:
    """The fragment: controls, status, the mixture figure, the log-likelihood curve, the
    history slider and the parameters. ``running`` is how the fragment was set up (its
    timer); when that changes the whole page reruns to set it up anew."""
    state = st.session_state
    if running:
        _advance(em)
    if state.running != running:
        st.rerun(scope="app")
    _controls(em, running)
    if error := state.pop("step_error", None):
        st.error(error, icon=":material/error:")

    last = len(em.history) - 1
    index = min(state.history_view, last)
    record = em.history[index]
    resp = em.responsibilities if index == last else em.responsibilities_at(index)
    status = phase_text(record)
    if index < last:
        status = f"Viewing {status} (latest: {phase_text(em.history[-1])})"
    head, badge = st.columns([3, 2], vertical_alignment="center")
    head.markdown(f"### {status}")
    if em.converged:
        badge.success(f"Converged after {em.n_iter} iterations", icon=":material/check:")
    elif running:
        badge.info("Running…", icon=":material/play_arrow:")

    dataset = state.run_dataset
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
        hard = em.algorithm in ("hard", "kmeans")
        st.caption((HARD_CHANGED if hard else WHAT_CHANGED)[record.phase])
    with right:
        curve = figure_log_likelihood(em.history, index, len(em.X), em.objective_name)
        plot(curve.update_layout(height=CURVE_HEIGHT), key="log_likelihood", revision=index)
        if last > 0:
            st.slider(
                "History: every half-step so far",
                0,
                last,
                key="history_view",
                disabled=running,
                help="Scrub back through the run without recomputing it.",
            )
        for warning in record.warnings:
            st.warning(warning, icon=":material/warning:")
    st.markdown(f"**Parameters** · {phase_text(record)}")
    table = parameters_table(record.params, feature_names=dataset.feature_names)
    st.dataframe(
        table,
        column_config={name: st.column_config.NumberColumn(format="%.4g") for name in table},
    )


def _how_em_works() -> None:
    """The two half-steps in symbols, for a student on their own."""
    with st.expander("How EM works here", icon=":material/school:"):
        st.markdown(
            "Each component k has a weight π_k, a mean μ_k and a covariance Σ_k. "
            "**E-step**: every point gets a responsibility for every component, how likely "
            "that component is to have produced it:"
        )
        st.latex(
            r"r_{ik} = \frac{\pi_k\,\mathcal{N}(x_i \mid \mu_k, \Sigma_k)}"
            r"{\sum_j \pi_j\,\mathcal{N}(x_i \mid \mu_j, \Sigma_j)}"
        )
        st.markdown(
            "**M-step**: each component is re-fitted to all points, weighted by those "
            "responsibilities (reg_covar keeps every covariance invertible):"
        )
        st.latex(
            r"N_k = \sum_i r_{ik},\quad \pi_k = \frac{N_k}{N},\quad "
            r"\mu_k = \frac{1}{N_k}\sum_i r_{ik} x_i,\quad "
            r"\Sigma_k = \frac{1}{N_k}\sum_i r_{ik}(x_i-\mu_k)(x_i-\mu_k)^\top"
            r" + \text{reg\_covar}\, I"
        )
        st.markdown(
            "Neither half-step can lower the log-likelihood "
            "Σ_i log Σ_k π_k N(x_i | μ_k, Σ_k), so the curve only climbs; it stops at a "
            "*local* optimum that depends on the start. Try another seed or initialisation."
        )


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


def _placing_means(settings: ModelSettings) -> None:
    """Manual init: show the data and collect clicks until K means are placed."""
    dataset = st.session_state.run_dataset
    clicked = st.session_state.get("clicked_means", [])
    st.markdown(
        f"### Click on the plot to place mean {len(clicked) + 1} of {settings.n_components}"
    )
    figure = figure_placing(
        dataset.X, np.array(clicked), feature_names=dataset.feature_names, uirevision=dataset.name
    )
    plot(figure.update_layout(height=MIXTURE_HEIGHT), key="mixture_clicks", on_click=_add_click)
    st.button("Clear placed means", on_click=_clear_clicks, disabled=not clicked)


def explorer_page() -> None:
    """The explorer: the sidebar panels, then the run view (or the means being placed)."""
    link.restore_once()
    state = st.session_state
    state.setdefault("speed", "Medium")
    state.setdefault("running", False)
    with st.sidebar:
        choice = data_panel()
        dataset = choice.dataset if choice else state.get("run_dataset")
        if dataset is None:
            st.stop()
        settings = model_panel(len(dataset.X))
    ensure_run(choice, settings)
    link.publish(settings)
    if "run_dataset" not in state:
        st.stop()
    if state.get("em") is None:
        _placing_means(settings)
        return
    interval = SPEEDS[state.speed] if state.running else None
    st.fragment(_run_view, run_every=interval)(state.em, state.running)
    _how_em_works()
