"""The "Export" menu of a Gaussian run: the picture shown as a PNG for slides, the run so
far as a GIF (one frame per half-step), the run as JSON (settings, data and history) and
the points with their responsibilities as CSV; and opening a saved run from its JSON,
at the half-step it was saved.

A page wires it with one call in its run view, :func:`export_menu`. A restored run takes
the slot's run and data set; its settings are kept with it (:func:`run_settings`), since
the page's widgets still describe the run they built.
"""

from collections.abc import Callable

import plotly.graph_objects as go
import streamlit as st

from em_viz import BayesianGaussianMixtureEM, EMVizError
from em_viz.data import Dataset
from em_viz.engine.families.bayesian_gaussian import SWITCHED_OFF
from em_viz.engine.gaussian_em import GaussianSettings
from em_viz.engine.run_file import (
    MAX_POINTS,
    SavedRun,
    responsibilities_csv,
    run_from_json,
    run_to_json,
)
from em_viz.figures.export import DEFAULT_SIZE, browser_problem, gif_bytes, png_bytes, with_heading
from em_viz.ui.hidden import has_missing
from em_viz.ui.labels import plain
from em_viz.ui.run import RunView, mixture_figure, phase_text
from em_viz.ui.stepping import RunSlot

MAX_GIF_FRAMES = 100
"""A GIF shows at most the first this many half-steps (about a second each to render)."""
FrameFigure = Callable[[RunView], go.Figure]
"""The page's figure of a run at one half-step (``view.record``, ``view.resp``)."""
EXPORT_HELP = {
    "GIF": "The run so far as an animation, one frame per half-step (at most the first "
    f"{MAX_GIF_FRAMES}; it takes about a second a frame to make).",
    "PNG": "The picture shown, at twice the resolution, for slides.",
    "JSON": "The settings, the data and every half-step's parameters, to open again here "
    "or read in a notebook.",
    "CSV": "The points with each component's responsibility at the half-step shown.",
}
TOO_MANY_TO_SAVE = (
    f"A saved run holds at most {MAX_POINTS:,} points; take a sample of the data to save it."
)
NO_RESPONSIBILITIES = "There are no responsibilities before the first E-step: take one first."
OPEN_LABEL = "Open a saved run (JSON)"
OPENED = (
    "This run was opened from a file ({name}). Changing a setting in the sidebar starts a "
    "new run on the sidebar's data."
)
NOT_TWO_COLUMNS = (
    "The saved run is on {n} columns of data; this page draws runs on two. Its file can "
    "be read in a notebook with em_viz.engine.run_file.run_from_json."
)


def _key(slot: RunSlot, name: str) -> str:
    return f"{slot.prefix}export_{name}"


def _opened(slot: RunSlot) -> tuple | None:
    """The slot's run, its settings and its file's name if it was opened from a file."""
    restored = st.session_state.get(_key(slot, "restored"))
    if restored is not None and restored[0] is st.session_state.get(slot.em):
        return restored
    return None


def run_settings(slot: RunSlot, settings: GaussianSettings) -> GaussianSettings:
    """The settings of the slot's run: those saved with it if it was opened from a file,
    else ``settings`` (the page's)."""
    opened = _opened(slot)
    return settings if opened is None else opened[1]


def mixture_frame(slot: RunSlot) -> FrameFigure:
    """The mixture figure of the slot's run on its data set, as the page draws it (for
    variational Bayes, the components it switched off faint)."""
    dataset = st.session_state[slot.data]

    def frame(view: RunView) -> go.Figure:
        variational = isinstance(view.em, BayesianGaussianMixtureEM)
        fade_below = SWITCHED_OFF if variational else 0.0
        missing = {}
        if has_missing(view.em):  # hollow at their expected place, as the page draws them
            imputed, spread = view.em.imputed_at(view.index)
            missing = {"imputed": imputed, "spread": spread}
        return mixture_figure(
            dataset, view.record.params, view.resp, fade_below=fade_below, **missing
        )

    return frame


def _frame(frame_figure: FrameFigure, view: RunView) -> go.Figure:
    """A frame of a picture file: the page's figure, at the default size, headed as the
    page heads it."""
    figure = frame_figure(view).update_layout(width=DEFAULT_SIZE[0], height=DEFAULT_SIZE[1])
    return with_heading(figure, phase_text(view.record))


def _restore(slot: RunSlot) -> None:
    """The uploader's callback: the saved run takes the slot at its saved half-step; a
    file that is no saved run is said why, and the run shown is kept."""
    state = st.session_state
    upload = state.get(_key(slot, "upload"))
    if upload is None:
        return
    try:
        saved: SavedRun = run_from_json(upload.getvalue())
        if saved.X.shape[1] != 2:
            raise EMVizError(NOT_TWO_COLUMNS.format(n=saved.X.shape[1]))
    except EMVizError as error:
        kept = " The run shown is kept." if state.get(slot.em) is not None else ""
        state[_key(slot, "message")] = f"{upload.name}: {error}{kept}"
        return
    dataset = Dataset(saved.X, None, saved.name or upload.name, tuple(saved.feature_names))
    state.update(
        {
            slot.em: saved.em,
            slot.data: dataset,
            slot.view: saved.position,
            slot.running: False,
            _key(slot, "restored"): (saved.em, saved.settings, upload.name),
            _key(slot, "gif"): None,
        }
    )
    record = saved.em.history[saved.position]
    st.toast(plain(f"Opened {upload.name} at {phase_text(record)}."), icon=":material/check:")


def _gif(slot: RunSlot, view: RunView, frame_figure: FrameFigure) -> None:
    """GIF: render every half-step so far with a progress bar, then offer the file."""
    state = st.session_state
    history = view.em.history
    shown = min(len(history), MAX_GIF_FRAMES)
    made_for = (view.em, history[-1])
    if st.button("GIF", key=_key(slot, "render_gif"), help=EXPORT_HELP["GIF"], width="stretch"):
        bar = st.progress(0.0, text="Rendering the GIF…")

        def advance(done: int, total: int) -> None:
            bar.progress(done / total, text=f"Rendering the GIF: frame {done} of {total}")

        frames = (_frame(frame_figure, RunView.at(view.em, i)) for i in range(shown))
        state[_key(slot, "gif")] = (made_for, gif_bytes(list(frames), progress=advance))
        bar.empty()
    made = state.get(_key(slot, "gif"))
    if made is not None and all(a is b for a, b in zip(made[0], made_for, strict=True)):
        frames = f"{shown} frames" if shown == len(history) else f"first {shown} of {len(history)}"
        st.download_button(
            f"Save the GIF ({len(made[1]) / 1e6:.1f} MB, {frames})",
            made[1],
            file_name="em-run.gif",
            mime="image/gif",
            key=_key(slot, "save_gif"),
            on_click="ignore",
            icon=":material/download:",
            width="stretch",
        )


def export_menu(
    slot: RunSlot,
    view: RunView,
    settings: GaussianSettings,
    frame_figure: FrameFigure | None = None,
) -> None:
    """The "Export" menu of the slot's Gaussian run at the half-step ``view`` shows.

    Parameters
    ----------
    slot : RunSlot
        The run (``st.session_state[slot.em]``) and its data set (``slot.data``).
    view : RunView
        The half-step shown.
    settings : GaussianSettings
        The settings the page built the run from (a run opened from a file keeps its own).
    frame_figure : callable, optional
        The page's figure at a half-step; by default :func:`mixture_frame`.
    """
    state = st.session_state
    dataset: Dataset = state[slot.data]
    em, index = view.em, view.index
    frame_figure = frame_figure or mixture_frame(slot)
    settings = run_settings(slot, settings)
    problem = browser_problem()
    with st.popover("Export", icon=":material/download:", width="stretch"):
        if problem is None:
            _gif(slot, view, frame_figure)
        else:
            st.caption(plain(problem))
        st.download_button(
            "PNG",
            lambda: png_bytes(_frame(frame_figure, view)),
            file_name=f"em-step-{index}.png",
            mime="image/png",
            key=_key(slot, "png"),
            on_click="ignore",
            disabled=problem is not None,
            help=EXPORT_HELP["PNG"],
            width="stretch",
        )
        st.download_button(
            "JSON",
            lambda: run_to_json(
                em,
                settings,
                position=index,
                name=dataset.name,
                feature_names=dataset.feature_names,
            ),
            file_name="em-run.json",
            mime="application/json",
            key=_key(slot, "json"),
            on_click="ignore",
            disabled=len(em.X) > MAX_POINTS,
            help=TOO_MANY_TO_SAVE if len(em.X) > MAX_POINTS else EXPORT_HELP["JSON"],
            width="stretch",
        )
        st.download_button(
            "CSV",
            lambda: responsibilities_csv(em, index, dataset.feature_names),
            file_name=f"em-responsibilities-{index}.csv",
            mime="text/csv",
            key=_key(slot, "csv"),
            on_click="ignore",
            disabled=view.resp is None,
            help=NO_RESPONSIBILITIES if view.resp is None else EXPORT_HELP["CSV"],
            width="stretch",
        )
        st.file_uploader(
            OPEN_LABEL,
            type="json",
            key=_key(slot, "upload"),
            on_change=_restore,
            args=(slot,),
        )
    message = state.pop(_key(slot, "message"), None)
    if message:
        st.error(plain(message), icon=":material/error:")
    opened = _opened(slot)
    if opened is not None:
        st.caption(plain(OPENED.format(name=opened[2])))
