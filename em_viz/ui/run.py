"""The run view's machinery, for any page that steps an EM run: the step controls, Run
animated by the fragment's ``run_every``, the heading with its badge, the history slider
and the rebuild of a run when its settings change.

A page may keep several runs: each lives in ``st.session_state`` under the keys of a
:class:`RunSlot`. The explorer's (and the bound page's) run is :data:`EXPLORER`.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st

from em_viz import MixtureEM, Record

MAX_RUN_ITERATIONS = 500
SPEEDS = {"Slow": 1.0, "Medium": 0.4, "Fast": 0.15, "Instant": 0.0}
"""Seconds between animated half-steps of Run; Instant runs to convergence at once."""

STEPS = {
    "E-step": MixtureEM.e_step,
    "M-step": MixtureEM.m_step,
    "Step": MixtureEM.step,
    "Back": MixtureEM.back,
    "Reset": MixtureEM.reset,
}
STEP_HELP = {
    "E-step": "Expectation: recolour each point by how responsible each component is for it.",
    "M-step": "Maximisation: move each component to the weighted mean and covariance of "
    "its points.",
    "Step": "One iteration: an E-step, then an M-step.",
    "Back": "Undo the last half-step.",
    "Reset": "Back to the initial parameters.",
}


@dataclass(frozen=True)
class RunSlot:
    """Where one run lives in ``st.session_state``: its keys, and the keys of its
    widgets, share ``prefix``, so that several runs (and their controls) can coexist."""

    prefix: str = ""

    @property
    def em(self) -> str:
        """The stepper (None while a run cannot start yet)."""
        return self.prefix + "em"

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
        """The error of a failed step, shown once."""
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
    set-up (``build`` raises ValueError) say why and keep the run that was there.

    ``describe(old_key, new_key)`` words the change in a toast. Returns whether a new
    run was started.
    """
    state = st.session_state
    if state.get(slot.run_key) == key:
        return False
    try:
        em = build()
    except ValueError as error:
        st.error(f"{error} The previous run is kept.", icon=":material/error:")
        return False
    if describe is not None and slot.run_key in state:
        st.toast(describe(state[slot.run_key], key))
    state.update({slot.em: em, slot.run_key: key, slot.view: 0, slot.running: False})
    return True


def _show_latest(slot: RunSlot) -> None:
    st.session_state[slot.view] = len(st.session_state[slot.em].history) - 1


def take_step(name: str, slot: RunSlot = EXPLORER) -> None:
    """A step button's callback (on any page): one half-step, Back or Reset on the
    slot's stepper, then show its latest state; an error waits in ``slot.error``."""
    try:
        STEPS[name](st.session_state[slot.em])
    except ValueError as error:
        st.session_state[slot.error] = str(error)
    _show_latest(slot)


def _start_run(slot: RunSlot) -> None:
    """Run: to convergence at once at Instant speed, else animated half-step by half-step."""
    state = st.session_state
    if SPEEDS[state[slot.speed]] == 0:
        try:
            state[slot.em].run(max_iter=MAX_RUN_ITERATIONS)
        except ValueError as error:
            state[slot.error] = str(error)
        _show_latest(slot)
    else:
        state[slot.running] = True


def _stop_run(slot: RunSlot) -> None:
    st.session_state[slot.running] = False


def _advance(slot: RunSlot, em: MixtureEM) -> None:
    """One animated half-step of Run, or the end of the run (converged, limit, error)."""
    state = st.session_state
    if em.converged or em.n_iter >= MAX_RUN_ITERATIONS:
        state[slot.running] = False
        return
    try:
        em.m_step() if em.phase == "E" else em.e_step()
    except ValueError as error:
        state[slot.error] = str(error)
        state[slot.running] = False
    _show_latest(slot)


def _controls(slot: RunSlot, em: MixtureEM, running: bool, step_help: Mapping[str, str]) -> None:
    """E-step, M-step, Step, Run (or Stop), Back, Reset and the Run speed."""
    cols = st.columns([1, 1, 1, 1, 1, 1, 3.4], vertical_alignment="bottom")
    at_start = len(em.history) == 1
    for col, name in zip(cols, ["E-step", "M-step", "Step"], strict=False):
        col.button(
            name,
            key=slot.prefix + name,
            on_click=take_step,
            args=(name, slot),
            disabled=running,
            help=step_help[name],
            width="stretch",
        )
    if running:
        cols[3].button(
            "Stop",
            key=slot.prefix + "Stop",
            on_click=_stop_run,
            args=(slot,),
            type="primary",
            width="stretch",
        )
    else:
        cols[3].button(
            "Run",
            key=slot.prefix + "Run",
            on_click=_start_run,
            args=(slot,),
            type="primary",
            disabled=em.converged,
            width="stretch",
            help="Step to convergence, half-step by half-step at the chosen speed.",
        )
    for col, name in zip(cols[4:6], ["Back", "Reset"], strict=False):
        col.button(
            name,
            key=slot.prefix + name,
            on_click=take_step,
            args=(name, slot),
            disabled=running or at_start,
            help=step_help[name],
            width="stretch",
        )
    cols[6].segmented_control(
        "Run speed",
        list(SPEEDS),
        key=slot.speed,
        disabled=running,
        required=True,
        persist_state="session",
    )


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
    _controls(slot, em, running, step_help)
    if error := state.pop(slot.error, None):
        st.error(error, icon=":material/error:")

    last = len(em.history) - 1
    index = min(state[slot.view], last)
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
