"""The explorer page: choose data and a model, step EM, and see every change.

State: the stepper ``em`` in ``st.session_state`` (one per browser session, the
:data:`~em_viz.ui.run.EXPLORER` slot), with the data set it runs on (``EXPLORER.data``)
and the key of the settings it was built from. The step controls, figures, history
slider and the Run animation live in one fragment (see :mod:`em_viz.ui.run`), so a step
redraws only that part of the page; buttons act through callbacks.
"""

from dataclasses import asdict, replace

import numpy as np
import streamlit as st

from em_viz import BayesianGaussianMixtureEM, GaussianMixtureEM
from em_viz.data import Dataset
from em_viz.engine.families import bayesian_gaussian
from em_viz.engine.families.bayesian_gaussian import SWITCHED_OFF
from em_viz.engine.gaussian_em import GaussianSettings
from em_viz.figures.frames import Parts
from em_viz.figures.mixture import drag_handles, figure_placing, mixture_traces
from em_viz.figures.pairs import MAX_GRID_FEATURES, figure_for, parts_for
from em_viz.figures.tables import parameters_table
from em_viz.ui import link, url_values
from em_viz.ui.export import export_menu
from em_viz.ui.hidden import (
    BEFORE_HIDING,
    at_expectation,
    figure_options,
    has_missing,
    incomplete_settings,
    is_incomplete,
    mean_bias,
    with_hidden,
)
from em_viz.ui.labels import (
    CONTOURS_HELP,
    CONTOURS_LABEL,
    FEATURE_VIEW_CAPTIONS,
    FEATURE_VIEWS,
    FEATURES_SHOWN_HELP,
    NO_FEATURE_SHOWN,
    SWITCHING_OFF,
    WIDER_THAN_DATA,
    settings_change,
    what_changed,
)
from em_viz.ui.lessons import HOW_GAUSSIAN_EM_WORKS
from em_viz.ui.plot import GLIDE_MS, FrameList, Frames, plot
from em_viz.ui.run import (
    RunView,
    history_slider,
    how_em_works,
    mixture_figure,
    objective_plot,
    phase_text,
    replace_run,
    run_fragment,
)
from em_viz.ui.sidebar import (
    MANUAL_INIT,
    DataChoice,
    chosen_data,
    hiding_panel,
    model_panel,
)
from em_viz.ui.stepping import EXPLORER, move_mean

CONTOURS_KEY = "contours"
"""The density contours' toggle (:mod:`em_viz.figures.contours`), also its URL name."""
MIXTURE_HEIGHT = 500
FEATURES_HEIGHT = 480
"""Data with more than two features is drawn across the page, as high as a 1280x720
screen leaves below the controls."""
CURVE_HEIGHT = 360


def _describe_change(old: dict, new: dict) -> str:
    """Plain words for what made a new run start."""
    if old["data"] != new["data"]:
        return "New data: a new run starts from its initial parameters."
    changed = settings_change(old["model"], new["model"])
    if not changed:
        return "Initial means placed: a new run starts from them."
    return f"{changed}: a new run starts from the new initial parameters."


def _build(choice: DataChoice, settings: GaussianSettings) -> GaussianMixtureEM | None:
    """A new stepper for these settings; None while manual means are still being placed."""
    clicked = st.session_state.get("clicked_means", [])
    if settings.init != MANUAL_INIT:
        return settings.build(choice.dataset.X)
    if len(clicked) < settings.n_components:
        return None
    means = np.array(clicked[: settings.n_components])
    return replace(settings, init="random-points").build(choice.dataset.X, means_init=means)


def ensure_run(
    choice: DataChoice | None, settings: GaussianSettings, before_hiding: Dataset | None = None
) -> None:
    """Start a new run when the data or the settings changed; on an impossible set-up say
    why and keep the run that was there. ``before_hiding`` is the data set before some of
    its coordinates were hidden (kept with the run, to measure the bias)."""
    if choice is None:
        return
    state = st.session_state
    if state.get("run_data_key", choice.key) != choice.key:  # a link's means are kept
        state.clicked_means = []
    key = {
        "data": choice.key,
        "model": asdict(settings),
        "clicked": tuple(map(tuple, state.get("clicked_means", []))),
    }
    placing = settings.init == MANUAL_INIT and len(key["clicked"]) < settings.n_components
    describe = None if placing else _describe_change  # the heading says what to do
    if replace_run(EXPLORER, key, lambda: _build(choice, settings), describe):
        state.update(
            {
                "run_data_key": choice.key,
                EXPLORER.data: choice.dataset,
                BEFORE_HIDING: before_hiding,
            }
        )


def merging_note(em: GaussianMixtureEM) -> str | None:
    """Why EM with fixed εI puts every mean on one point, when it does: ε above the
    data's largest variance (the point where deterministic annealing's clusters split)."""
    if em.algorithm != "fixed-eps":
        return None
    variance = float(np.linalg.eigvalsh(np.cov(em.X, rowvar=False))[-1])
    if em.epsilon <= variance:
        return None
    return WIDER_THAN_DATA.format(epsilon=em.epsilon, variance=variance)


def switching_off_note(em: GaussianMixtureEM | BayesianGaussianMixtureEM, weights) -> str | None:
    """For variational Bayes, what it does that EM cannot, and how many components
    (``weights``: those shown) it keeps active."""
    if not isinstance(em, BayesianGaussianMixtureEM):
        return None
    active = int(np.sum(np.asarray(weights) >= SWITCHED_OFF))
    return SWITCHING_OFF.format(threshold=SWITCHED_OFF, active=active, total=len(weights))


def _shown_features(dataset: Dataset) -> list[int] | None:
    """The features the pairs grid shows: all up to ``MAX_GRID_FEATURES``, beyond that
    those picked (None when none is)."""
    names = list(dataset.feature_names)
    if len(names) <= MAX_GRID_FEATURES:
        return list(range(len(names)))
    picked = st.multiselect(
        "Features shown",
        names,
        names[:MAX_GRID_FEATURES],
        max_selections=MAX_GRID_FEATURES,
        key=f"features_shown:{dataset.name}",
        persist_state="session",
        help=FEATURES_SHOWN_HELP.format(most=MAX_GRID_FEATURES),
    )
    return [names.index(name) for name in picked] or None


def _features_view(dataset: Dataset, view: RunView, fade_below: float) -> None:
    """Data with more than two features, across the page: the pairs grid or the
    principal components (a switch), the features the grid shows, and what it shows."""
    shown = st.segmented_control(
        "View",
        list(FEATURE_VIEWS),
        default="pairs",
        format_func=FEATURE_VIEWS.get,
        required=True,
        key="features_view",
        persist_state="session",
        label_visibility="collapsed",
    )
    features = _shown_features(dataset) if shown == "pairs" else None
    if shown == "pairs" and features is None:
        st.info(NO_FEATURE_SHOWN, icon=":material/info:")
        return
    options = {"view": shown, "features": features, "fade_below": fade_below}
    figure = figure_for(dataset, view.record.params, view.resp, **options)
    figure.update_layout(
        height=FEATURES_HEIGHT,
        transition={"duration": GLIDE_MS, "easing": "cubic-in-out"},
    )

    def parts(at: int) -> Parts:
        run = view.run_at(at)  # (a frame made ahead: the run after that half-step)
        # With missing entries, each half-step's points are at its own expectations.
        data = replace(dataset, X=run.imputed_at(at)[0]) if has_missing(run) else dataset
        return parts_for(data, run.history[at].params, run.responsibilities_at(at), **options)

    frames = view.timeline and Frames(
        view.timeline, FrameList(view.framed, parts), variant=f"{shown}:{features}"
    )
    plot(figure, key="mixture", revision=view.index, frames=frames)
    st.caption(FEATURE_VIEW_CAPTIONS[shown])


def _show_run(view: RunView) -> None:
    """The run view below the controls: the mixture figure (across the page for data with
    more than two features), the log-likelihood curve, the history slider and the
    parameters."""
    em, index, record = view.em, view.index, view.record
    dataset = st.session_state[EXPLORER.data]
    variational = isinstance(em, BayesianGaussianMixtureEM)
    fade_below = SWITCHED_OFF if variational else 0.0
    many = dataset.X.shape[1] > 2
    if many:
        _features_view(at_expectation(dataset, em, index), view, fade_below)
    left, right = st.columns([3, 2])
    with right:
        run_slot = st.container()  # the curve and the history slider, drawn after the figure
        contours = False
        if not many:  # an option of the figure, drawn first: the figure needs its value
            before = url_values.bound_values()
            contours = st.toggle(
                CONTOURS_LABEL, key=CONTOURS_KEY, help=CONTOURS_HELP, **url_values.LINKED
            )
            url_values.check_bound(before, lambda name: name == CONTOURS_KEY)
    with left:
        figure_slot = st.container()
        missing = (
            {}
            if variational or many
            else figure_options(em, index, st.session_state[EXPLORER.run_key])
        )
        if not many:
            figure = mixture_figure(
                dataset,
                record.params,
                view.resp,
                fade_below=fade_below,
                contours=contours,
                **missing,
            )
            figure.update_layout(
                height=MIXTURE_HEIGHT,  # a step from the server glides as Plotly animates it
                transition={"duration": GLIDE_MS, "easing": "cubic-in-out"},
            )

            def mixture_parts(at: int) -> Parts:
                run = view.run_at(at)  # (a frame made ahead: the run after that half-step)
                options = dict(missing)  # the fit on complete rows stays; the points move
                if missing:
                    options["imputed"], options["spread"] = run.imputed_at(at)
                resp = run.responsibilities_at(at)
                params = run.history[at].params
                return mixture_traces(
                    dataset.X, params, resp, fade_below=fade_below, contours=contours, **options
                ), {}

            variant = f"{'complete rows' if 'complete_fit' in missing else ''} {contours}"
            frames = Frames(view.timeline, FrameList(view.framed, mixture_parts), variant=variant)
            with figure_slot:
                plot(
                    figure,
                    key="mixture",
                    revision=index,
                    frames=frames,
                    drag=None if variational else drag_handles(figure),
                    on_drag=lambda k, to, shown: move_mean(EXPLORER, k, to, shown=shown),
                )
        st.caption(what_changed(em.variant, bool(missing))[record.phase])
        bias = mean_bias(em, record.params, st.session_state.get(BEFORE_HIDING))
        if bias:
            st.caption(bias)
        switching_off = switching_off_note(em, record.params.weights)
        if switching_off:
            st.caption(switching_off)
        note = merging_note(em)
        if note:
            st.info(note, icon=":material/info:")
    with run_slot:
        objective_plot(EXPLORER, view, "log_likelihood", len(em.X), CURVE_HEIGHT)
        history_slider(EXPLORER, view)
    with right:
        run_settings = GaussianSettings(**st.session_state[EXPLORER.run_key]["model"])
        export_menu(EXPLORER, view, run_settings)
        # Variational Bayes switching components off is its point: the caption says it.
        said = set(bayesian_gaussian.diagnose(record.params)) if variational else set()
        for warning in record.warnings:
            if warning not in said:
                st.warning(warning, icon=":material/warning:")
    st.markdown(f"**Parameters** · {phase_text(record)}")
    table = parameters_table(record.params, feature_names=dataset.feature_names)
    st.dataframe(
        table,
        column_config={name: st.column_config.NumberColumn(format="%.4g") for name in table},
    )


def _clear_clicks() -> None:
    st.session_state.clicked_means = []


def _add_click() -> None:
    """Record a click on the plot as the next initial mean."""
    click = st.session_state.mixture_clicks.click
    if click:
        st.session_state.clicked_means = [
            *st.session_state.get("clicked_means", []),
            link.placed(click["x"], click["y"]),
        ]


def _placing_means(settings: GaussianSettings) -> None:
    """Manual init: show the data and collect clicks until K means are placed."""
    dataset = st.session_state[EXPLORER.data]
    clicked = st.session_state.get("clicked_means", [])
    st.markdown(
        f"### Click on the plot to place mean {len(clicked) + 1} of {settings.n_components}"
    )
    figure = figure_placing(
        dataset.X, np.array(clicked), feature_names=dataset.feature_names, uirevision=dataset.name
    )
    left, right = st.columns([3, 2])  # the run view's columns: the same axis ranges
    with left:
        plot(
            figure.update_layout(height=MIXTURE_HEIGHT), key="mixture_clicks", on_click=_add_click
        )
    with right:
        st.button("Clear placed means", on_click=_clear_clicks, disabled=not clicked)


def explorer_page() -> None:
    """The explorer: the model panel below the app's data panel, then the run view (or
    the means being placed)."""
    state = st.session_state
    choice = chosen_data()
    dataset = choice.dataset if choice else state.get(EXPLORER.data)
    if dataset is None:
        st.stop()
    with st.sidebar:
        hiding = hiding_panel()
        running = with_hidden(choice, hiding)
        settings = model_panel(len(dataset.X), manual_init=dataset.X.shape[1] == 2)
    if running is not None and is_incomplete(running.dataset):
        settings = incomplete_settings(settings)
        if settings is None:
            return
    hidden = choice is not None and choice.incomplete is None and hiding.share > 0
    ensure_run(running, settings, choice.dataset if hidden else None)
    link.publish(settings)
    if EXPLORER.data not in state:
        st.stop()
    if state.get(EXPLORER.em) is None:
        _placing_means(settings)
        return
    run_fragment(EXPLORER, _show_run, stop_when_converged=True, played=True, look_ahead=True)
    how_em_works(HOW_GAUSSIAN_EM_WORKS)
