"""The run view's machinery, for any page that steps an EM run: the step controls, Run
animated by the fragment's ``run_every``, the heading with its badge, the history slider
and the rebuild of a run when its settings change.

A page may keep several runs: each lives in ``st.session_state`` under the keys of a
:class:`RunSlot`. The explorer's (and the bound page's) run is :data:`EXPLORER`.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import methodcaller
from typing import Any

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from em_viz import EMVizError, MixtureEM, Record
from em_viz.data import Dataset
from em_viz.engine.runs import Lockstep
from em_viz.figures.mixture import figure_mixture
from em_viz.ui.labels import STEP_HELP, plain

MAX_RUN_ITERATIONS = 500
SPEEDS = {"Slow": 1.0, "Medium": 0.4, "Fast": 0.15, "Instant": 0.0}
"""Seconds between animated half-steps of Run; Instant runs to convergence at once.

Run goes on past the gain rule while the run is at a saddle point (nearly identical
components): it stops once finished (converged elsewhere) or after
:data:`MAX_RUN_ITERATIONS`."""
SADDLE_BADGE = "Stopped at (or near) a saddle point"

STEPS = {
    "E-step": methodcaller("e_step"),
    "M-step": methodcaller("m_step"),
    "Step": methodcaller("step"),
    "Run": methodcaller("run", max_iter=MAX_RUN_ITERATIONS, past_saddle=True),
    "Back": methodcaller("back"),
    "Reset": methodcaller("reset"),
}
"""What each step button does to a run (a :class:`~em_viz.MixtureEM`) or to runs moved
together (a :class:`~em_viz.engine.runs.Lockstep`), which answer the same calls."""
HALF_STEPS = ("E-step", "M-step", "Step")
UNDO = ("Back", "Reset")


@dataclass(frozen=True)
class RunSlot:
    """Where one run lives in ``st.session_state``: its keys, and the keys of its
    widgets, share ``prefix``, so that several runs (and their controls) can coexist.

    ``stepper`` names what is stepped: one run (a MixtureEM) or several in lockstep.
    """

    prefix: str = ""
    stepper: str = "em"

    @property
    def em(self) -> str:
        """The stepper (None while a run cannot start yet)."""
        return self.prefix + self.stepper

    @property
    def data(self) -> str:
        """The data set the run was built from."""
        return self.prefix + "run_dataset"

    @property
    def view(self) -> str:
        """The history slider: the index of the record shown."""
        return self.prefix + "history_view"

    @property
    def running(self) -> str:
        """Whether Run is animating."""
        return self.prefix + "running"

    @property
    def speed(self) -> str:
        """The Run speed control, a key of :data:`SPEEDS`."""
        return self.prefix + "speed"

    @property
    def error(self) -> str:
        """The messages of a failed step, shown once."""
        return self.prefix + "step_error"

    @property
    def run_key(self) -> str:
        """The key of the settings the run was built from."""
        return self.prefix + "run_key"


EXPLORER = RunSlot()
"""The explorer's run, stepped from the explorer and the bound page."""


@dataclass(frozen=True)
class RunView:
    """What the run view shows: the record chosen by the history slider.

    Attributes
    ----------
    em : MixtureEM
    index : int
        The record's place in ``em.history``.
    record : Record
    resp : ndarray or None
        The responsibilities of the E-step under the record's parameters.
    running : bool
        Whether Run is animating (widgets that would change the run are disabled).
    """

    em: MixtureEM
    index: int
    record: Record
    resp: np.ndarray | None
    running: bool


def phase_text(record: Record) -> str:
    """'Iteration 3 · after E-step', as shown above the figure."""
    after = {"init": "initial parameters", "E": "after E-step", "M": "after M-step"}
    return f"Iteration {record.iteration} · {after[record.phase]}"


def replace_run(
    slot: RunSlot,
    key: Any,
    build: Callable[[], MixtureEM | None],
    describe: Callable[[Any, Any], str] | None = None,
) -> bool:
    """Start a new run in ``slot`` when ``key`` (its settings) changed; on an impossible
    set-up (``build`` raises an :class:`~em_viz.EMVizError`) say why and keep the run
    that was there.

    ``describe(old_key, new_key)`` words the change in a toast. Returns whether a new
    run was started.
    """
    state = st.session_state
    if state.get(slot.run_key) == key:
        return False
    try:
        em = build()
    except EMVizError as error:
        kept = " The previous run is kept." if state.get(slot.em) is not None else ""
        st.error(plain(f"{error}{kept}"), icon=":material/error:")
        return False
    if describe is not None and slot.run_key in state:
        st.toast(describe(state[slot.run_key], key))
    state.update({slot.em: em, slot.run_key: key, slot.view: 0, slot.running: False})
    return True


def _act(target: MixtureEM | Lockstep, name: str) -> list[str]:
    """Press ``name`` on ``target``; returns the messages of refused steps (a Lockstep
    collects its runs' own, a single run raises its)."""
    try:
        result = STEPS[name](target)
    except EMVizError as error:
        return [str(error)]
    return result if isinstance(target, Lockstep) and isinstance(result, list) else []


def take_step(name: str, slot: RunSlot = EXPLORER) -> None:
    """A step button's callback (on any page): the button's action on the slot's
    stepper, then show its latest state; messages of refused steps wait in
    ``slot.error``."""
    state = st.session_state
    target = state[slot.em]
    state[slot.error] = _act(target, name)
    if isinstance(target, MixtureEM):
        state[slot.view] = len(target.history) - 1


def _start_run(slot: RunSlot) -> None:
    """Run: to convergence at once at Instant speed, else animated half-step by half-step."""
    state = st.session_state
    if SPEEDS[state[slot.speed]] == 0:
        take_step("Run", slot)
    else:
        state[slot.running] = True


def _stop_run(slot: RunSlot) -> None:
    st.session_state[slot.running] = False


def _advance(slot: RunSlot, em: MixtureEM) -> None:
    """One animated half-step of Run, or the end of the run (finished, limit, error)."""
    state = st.session_state
    if em.finished or em.n_iter >= MAX_RUN_ITERATIONS:
        state[slot.running] = False
        return
    take_step("M-step" if em.phase == "E" else "E-step", slot)
    if state[slot.error]:
        state[slot.running] = False


def step_controls(
    slot: RunSlot,
    names: Sequence[str] = (*HALF_STEPS, "Run", *UNDO),
    *,
    step_help: Mapping[str, str] = STEP_HELP,
    key_prefix: str | None = None,
    animate: bool = False,
    stop_when_converged: bool = False,
    spare: float | None = None,
) -> None:
    """The step buttons of the slot's stepper, in one row, then the messages of a
    refused step: the one set of controls of every page.

    Parameters
    ----------
    slot : RunSlot
    names : sequence of str
        The buttons, keys of :data:`STEPS`, in order.
    step_help : mapping
        Each button's tooltip.
    key_prefix : str, optional
        Of the buttons' keys; by default the slot's prefix.
    animate : bool, default=False
        Run animates at the speed of a control after the buttons (Stop ends it), as
        :func:`run_fragment` does; otherwise Run goes to convergence at once.
    stop_when_converged : bool, default=False
        Whether the half-steps too are disabled once the stepper has finished (Run is,
        always; a run stopped at a saddle point is not finished).
    spare : float, optional
        The width, in buttons, of a last column (the speed control's, or room).
    """
    state = st.session_state
    target = state[slot.em]
    running = animate and state[slot.running]
    at_start = target.at_start if isinstance(target, Lockstep) else len(target.history) == 1
    keys = slot.prefix if key_prefix is None else key_prefix
    widths = [1] * len(names) + ([spare] if spare else [])
    columns = st.columns(widths, vertical_alignment="bottom")
    for column, name in zip(columns, names, strict=False):
        if name == "Run" and running:
            column.button(
                "Stop",
                key=keys + "Stop",
                on_click=_stop_run,
                args=(slot,),
                type="primary",
                width="stretch",
            )
            continue
        if name == "Run":
            disabled = target.finished
        elif name in UNDO:
            disabled = running or at_start
        else:
            disabled = running or (stop_when_converged and target.finished)
        column.button(
            name,
            key=keys + name,
            on_click=_start_run if name == "Run" and animate else take_step,
            args=(slot,) if name == "Run" and animate else (name, slot),
            disabled=disabled,
            help=step_help[name],
            type="primary" if name == "Run" else "secondary",
            width="stretch",
        )
    if animate:
        columns[-1].segmented_control(
            "Run speed",
            list(SPEEDS),
            key=slot.speed,
            disabled=running,
            required=True,
            persist_state="session",
        )
    for message in state.pop(slot.error, None) or []:
        st.error(plain(message), icon=":material/error:")


def _run_view(
    slot: RunSlot,
    show: Callable[[RunView], None],
    step_help: Mapping[str, str],
    running: bool,
) -> None:
    """The fragment: controls, the step error, the heading and its badge, then ``show``.
    ``running`` is how the fragment was set up (its timer); when that changes the whole
    page reruns to set it up anew."""
    state = st.session_state
    em = state[slot.em]
    if running:
        _advance(slot, em)
    if state[slot.running] != running:
        st.rerun(scope="app")
    step_controls(slot, step_help=step_help, animate=True, spare=3.4)

    last = len(em.history) - 1
    index = min(state[slot.view], last)
    record = em.history[index]
    resp = em.responsibilities if index == last else em.responsibilities_at(index)
    status = phase_text(record)
    if index < last:
        status = f"Viewing {status} (latest: {phase_text(em.history[-1])})"
    head, badge = st.columns([3, 2], vertical_alignment="center")
    head.markdown(f"### {status}")
    if em.finished:
        badge.success(f"Converged after {em.n_iter} iterations", icon=":material/check:")
    elif running:
        badge.info("Running…", icon=":material/play_arrow:")
    elif em.converged:
        badge.warning(SADDLE_BADGE, icon=":material/warning:")
    show(RunView(em, index, record, resp, running))


def run_fragment(
    slot: RunSlot, show: Callable[[RunView], None], step_help: Mapping[str, str] = STEP_HELP
) -> None:
    """The run view of the slot's run as one fragment, so that a step redraws only it:
    the controls and heading, then ``show(view)`` draws the rest (figures, the
    :func:`history_slider`, ...). While Run animates, the fragment reruns at its speed."""
    state = st.session_state
    state.setdefault(slot.speed, "Medium")
    state.setdefault(slot.running, False)
    interval = SPEEDS[state[slot.speed]] if state[slot.running] else None
    st.fragment(_run_view, run_every=interval)(slot, show, step_help, state[slot.running])


def history_slider(slot: RunSlot, view: RunView) -> None:
    """Scrub back through the run's half-steps, once there is more than one."""
    last = len(view.em.history) - 1
    if last > 0:
        st.slider(
            "History: every half-step so far",
            0,
            last,
            key=slot.view,
            disabled=view.running,
            persist_state="session",
            help="Scrub back through the run without recomputing it.",
        )


def how_em_works(parts: Sequence[str]) -> None:
    """ "How EM works here", for a student on their own: ``parts`` are prose (Markdown)
    and formulas (LaTeX) in turn, prose first."""
    with st.expander("How EM works here", icon=":material/school:"):
        for place, part in enumerate(parts):
            (st.latex if place % 2 else st.markdown)(part)


def mixture_figure(
    dataset: Dataset, params: Any, resp: np.ndarray | None, **options: Any
) -> go.Figure:
    """The mixture figure of a run on ``dataset``: its points, its feature names on the
    axes, and the zoom kept for as long as the data set stays (its name as
    ``uirevision``); ``options`` go to :func:`~em_viz.figures.mixture.figure_mixture`."""
    return figure_mixture(
        dataset.X,
        params,
        resp,
        feature_names=dataset.feature_names,
        uirevision=dataset.name,
        **options,
    )
