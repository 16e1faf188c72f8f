"""A page of several demos, one shown at a time (Bernoulli mixtures, hidden Markov
models, incomplete data).

The page's control picks a demo; its sidebar gives the data and model, a new setting
starts a new run (:func:`~em_viz.ui.run.replace_run`), and the run view steps it
(:func:`~em_viz.ui.run.run_fragment`), played in the browser: every graph of a demo is
drawn by :func:`played_plot` or :func:`objective_curve`, with a frame per half-step.
Each demo keeps its run in its own :class:`~em_viz.ui.run.RunSlot`, the data the run
was built from beside it (``slot.data``), so switching demos loses nothing.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from em_viz.figures.frames import Parts
from em_viz.ui.plot import FrameList, Frames, plot
from em_viz.ui.present import MAIN_SHARE, main_picture, presenting
from em_viz.ui.run import (
    RunView,
    history_slider,
    how_em_works,
    objective_plot,
    replace_run,
    run_fragment,
)
from em_viz.ui.stepping import RunSlot
from em_viz.ui.url_values import LINKED, bound_values, check_bound

CURVE_HEIGHT = 330


@dataclass(frozen=True)
class Demo:
    """One demo: its run's slot, its intro, its sidebar (returning the run's key, a
    builder and the data, or None when what was typed cannot be used), its view of the
    run, the step buttons' help, the "How EM works here" texts, and its main picture
    in presenter mode: the graphs' keys and their share of their row (see
    :func:`~em_viz.ui.present.main_picture`)."""

    slot: RunSlot
    intro: str
    panel: Callable[[], tuple[Any, Callable[[], Any], Any] | None]
    show: Callable[[RunView, Any], None]
    step_help: Mapping[str, str]
    how: Sequence[str]
    main: tuple[str, ...] = ()
    share: int | None = MAIN_SHARE


def demo_page(demos: Mapping[str, Demo], key: str) -> None:
    """Draw the demo chosen by the control under ``key`` (the first by default): its
    intro, its sidebar, its run (new when its settings changed) and the run view."""
    state = st.session_state
    linked = bound_values()
    presenter = presenting()  # the picture gets the room: the intro goes below the run
    name = st.segmented_control(
        "Demo",
        list(demos),
        default=next(iter(demos)),
        key=key,
        required=True,
        label_visibility="collapsed" if presenter else "visible",
        **LINKED,
    )
    demo = demos[name]
    if not presenter:
        st.caption(demo.intro)
    with st.sidebar:
        st.header(name)
        chosen = demo.panel()
    check_bound(linked, lambda bound: bound == key or bound.startswith(demo.slot.prefix))
    if chosen is not None:
        run_key, build, data = chosen
        if replace_run(demo.slot, run_key, build):
            state[demo.slot.data] = data
    if state.get(demo.slot.em) is None:
        st.stop()
    data = state[demo.slot.data]
    main_picture(*demo.main, share=demo.share)
    run_fragment(
        demo.slot, lambda view: demo.show(view, data), demo.step_help, played=True, look_ahead=True
    )
    if presenter:
        st.caption(demo.intro)
    how_em_works(demo.how)


def played_plot(
    slot: RunSlot,
    view: RunView,
    key: str,
    figure_at: Callable[[RunView], go.Figure],
    variant: str = "",
) -> None:
    """A demo's graph under ``key``, ``figure_at(view)`` at the half-step shown, with a
    frame per half-step (the figure at each, made once per record) for the browser to
    play; ``variant`` names what else shapes the figure (a setting shown), so that
    frames are made anew when it changes."""

    def parts(index: int) -> Parts:
        # (A frame made ahead: the run after that half-step, whose history ends there.)
        figure = figure_at(RunView.at(view.run_at(index), index)).to_plotly_json()
        return figure["data"], figure["layout"]

    frames = view.timeline and Frames(
        view.timeline, FrameList(view.framed, parts), variant=variant
    )
    plot(figure_at(view), key=key, revision=view.index, frames=frames)


def objective_curve(slot: RunSlot, view: RunView, n_samples: int) -> None:
    """The objective's staircase (drawn as it goes while Run plays), the history slider
    and the warnings of the half-step shown, under a demo's figures."""
    objective_plot(slot, view, slot.prefix + "curve", n_samples, CURVE_HEIGHT)
    history_slider(slot, view)
    for warning in view.record.warnings:
        st.warning(warning, icon=":material/warning:")
