"""The run view's machinery, for any page that steps an EM run: the step controls, Run
animated by the fragment's ``run_every``, the heading with its badge, the history slider
and the rebuild of a run when its settings change.

A page may keep several runs: each lives in ``st.session_state`` under the keys of a
:class:`RunSlot`. The explorer's (and the bound page's) run is :data:`EXPLORER`.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from em_viz import EMVizError, MixtureEM, Record
from em_viz.data import Dataset
from em_viz.engine.runs import Lockstep
from em_viz.figures.mixture import figure_mixture
from em_viz.figures.principal import figure_principal
from em_viz.ui.labels import E_STEP_DONE, HISTORY_HELP, STEP_HELP, VIEWING_PAST, plain
from em_viz.ui.link import linked_step, publish_step, say_step_not_reached
from em_viz.ui.present import step_keys

MAX_RUN_ITERATIONS = 500
SPEEDS = {"Slow": 1.0, "Medium": 0.4, "Fast": 0.15, "Instant": 0.0}
"""Seconds between animated half-steps of Run; Instant runs to convergence at once.

Run goes on past the gain rule while the run is at a saddle point (nearly identical
components): it stops once finished (converged elsewhere) or after
:data:`MAX_RUN_ITERATIONS`."""
SADDLE_BADGE = "Stopped at (or near) a saddle point"
STUCK_BADGE = "On a saddle point: an iteration changes nothing, so EM cannot leave"

CLEAR_OF_HEADER = "<style>[data-testid='stMainBlockContainer'] { padding-top: 3.4rem; }</style>"
"""For a page whose first element is a line of text or tabs: a little more room above
than the app's compact top, so that Streamlit's header does not cover it."""

HALF_STEPS = ("E-step", "M-step", "Step")
UNDO = ("Back", "Reset")
Stepper = MixtureEM | Lockstep
"""What a slot steps: one run, or runs moved together by one set of controls."""


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
        """The history slider: the index of the half-step shown."""
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

    @property
    def url_step(self) -> str:
        """The half-step shown, in the URL (``step``, ``coins_step``, ...)."""
        return self.prefix + "step"

    @property
    def keys(self) -> str:
        """The step keys' listener."""
        return self.prefix + "step_keys"


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

    @classmethod
    def at(cls, em: MixtureEM, index: int, running: bool = False) -> "RunView":
        """The view of ``em`` at ``history[index]`` (the latest if ``index`` is past it)."""
        last = len(em.history) - 1
        index = min(index, last)
        resp = em.responsibilities if index == last else em.responsibilities_at(index)
        return cls(em, index, em.history[index], resp, running)

    @property
    def history(self) -> list[Record]:
        """The half-steps the history slider runs over."""
        return self.em.history


@dataclass(frozen=True)
class GroupView:
    """What the run view shows of runs moved together: every run at the half-step the
    history slider chose, or at its last if it finished before.

    Every run's history alternates start, E, M, E, M, ..., so one index is the same
    half-step (iteration and phase) in all of them.
    """

    group: Lockstep
    index: int
    running: bool

    def run(self, number: int) -> RunView:
        """The view of run ``number``."""
        return RunView.at(self.group.runs[number], self.index, self.running)

    @property
    def runs(self) -> list[RunView]:
        return [self.run(number) for number in range(len(self.group.runs))]

    @property
    def history(self) -> list[Record]:
        """The half-steps the history slider runs over: the longest run's."""
        return max((em.history for em in self.group.runs), key=len)


def phase_text(record: Record) -> str:
    """'Iteration 3 · after E-step', as shown above the figure."""
    after = {"init": "initial parameters", "E": "after E-step", "M": "after M-step"}
    return f"Iteration {record.iteration} · {after[record.phase]}"


def half_step_label(record: Record) -> str:
    """'Iteration 3 · E-step' (or 'Start'): a place on the history slider, in the
    heading's and the curve's iterations."""
    if record.phase == "init":
        return "Start"
    return f"Iteration {record.iteration} · {record.phase}-step"


def replace_run(
    slot: RunSlot,
    key: Any,
    build: Callable[[], Stepper | None],
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


def _histories(target: Stepper) -> list[list[Record]]:
    return [em.history for em in target.runs] if isinstance(target, Lockstep) else [target.history]


def latest_index(target: Stepper) -> int:
    """The index of the latest half-step (of the runs still going, for a group)."""
    return max(len(history) for history in _histories(target)) - 1


def _latest_phase(target: Stepper) -> str:
    """The phase of the latest half-step (of the runs still going, for a group)."""
    return max(_histories(target), key=len)[-1].phase


def _records_at(target: Stepper, index: int) -> list[Record]:
    """Every run's record at half-step ``index`` (its last, if it stopped before)."""
    return [history[min(index, len(history) - 1)] for history in _histories(target)]


def _n_iter(target: Stepper) -> int:
    return max(em.n_iter for em in target.runs) if isinstance(target, Lockstep) else target.n_iter


def _call(target: Stepper, method: str) -> list[str]:
    """Call ``method`` of the stepper; returns the messages of refused steps (a Lockstep
    collects its runs' own, a single run raises its)."""
    try:
        result = getattr(target, method)()
    except EMVizError as error:
        return [str(error)]
    return result if isinstance(result, list) else []


def _half_step(target: Stepper, name: str) -> list[str]:
    """``name`` (E-step, M-step or Step) as single half-steps, so that every record of a
    group comes from one call of the group and Back undoes exactly one half-step."""
    phase = _latest_phase(target)
    calls = ("e_step",) if name == "E-step" or phase != "E" else ()
    if name != "E-step":
        calls = (*calls, "m_step")
    errors: list[str] = []
    for method in calls:
        errors += _call(target, method)
        if errors:
            break
    return errors


def _done(target: Stepper) -> bool:
    """Where Run stops: finished (converged away from a saddle point) or the cap."""
    return target.finished or _n_iter(target) >= MAX_RUN_ITERATIONS


def _run_through(target: Stepper) -> list[str]:
    """Run at Instant speed: half-steps until :func:`_done` or a refused step."""
    while not _done(target):
        errors = _half_step(target, "Step")
        if errors:
            return errors
    return []


def _go_back_to(target: Stepper, index: int) -> None:
    """Drop every half-step after ``index``: the run goes on from the one viewed."""
    while latest_index(target) > index and target.back():
        pass


def take_step(name: str, slot: RunSlot = EXPLORER, shown: int | None = None) -> None:
    """A step button's callback (on any page), acting from the half-step the history
    slider shows: from an earlier one, the later half-steps are dropped first (Back
    then goes one back from the viewed one). The latest state is shown next; messages
    of refused steps wait in ``slot.error``. ``shown``: the half-step on screen when the
    button was drawn (a value the history slider has not sent back yet is stale)."""
    state = st.session_state
    target = state[slot.em]
    if shown is not None:  # the half-step on screen when the button was drawn
        state[slot.view] = shown
    if name == "Reset":
        target.reset()
        errors = []
    else:
        _go_back_to(target, state.get(slot.view, latest_index(target)))
        if name == "Back":
            target.back()
            errors = []
        elif name == "Run":
            errors = _run_through(target)
        else:
            errors = _half_step(target, name)
    state[slot.error] = errors
    state[slot.view] = latest_index(target)


def _start_run(slot: RunSlot) -> None:
    """Run: to convergence at once at Instant speed, else animated half-step by half-step
    (from the half-step viewed)."""
    state = st.session_state
    if SPEEDS[state[slot.speed]] == 0:
        take_step("Run", slot)
    else:
        target = state[slot.em]
        _go_back_to(target, state.get(slot.view, latest_index(target)))
        state[slot.view] = latest_index(target)
        state[slot.running] = True


def _stop_run(slot: RunSlot) -> None:
    st.session_state[slot.running] = False


def _advance(slot: RunSlot, target: Stepper) -> None:
    """One animated half-step of Run, or the end of the run (finished, limit, error)."""
    state = st.session_state
    if _done(target):
        state[slot.running] = False
        return
    take_step("Step" if _latest_phase(target) == "E" else "E-step", slot)
    if state[slot.error]:
        state[slot.running] = False


def _disabled(target: Stepper, index: int, running: bool, stop_when_converged: bool) -> dict:
    """Which buttons are disabled with half-step ``index`` shown: those that would do
    nothing from it (E-step right after an E-step; everything but going back once the
    runs have finished there), and all but Stop while Run animates."""
    records = _records_at(target, index)
    finished = all(r.converged and not r.saddle for r in records)
    settled = running or (stop_when_converged and finished)
    e_done = all(r.phase == "E" for r in records if not (r.converged and not r.saddle))
    return {
        "E-step": settled or e_done,
        "M-step": settled,
        "Step": settled,
        "Run": finished,
        "Back": running or index == 0,
        "Reset": running or index == 0,
    }


def _next_half_step(target: Stepper, index: int) -> str:
    """The button that makes one half-step from half-step ``index``: M after E, else E."""
    history = max(_histories(target), key=len)
    return "M-step" if history[index].phase == "E" else "E-step"


def key_pressed(slot: RunSlot, action: str, shown: int, stop_when_converged: bool) -> None:
    """A step key's callback: "next" (one half-step), "back", "run" (Run or Stop) or
    "reset", as the button would do from half-step ``shown`` (the one on screen), and
    nothing where the button is disabled."""
    state = st.session_state
    target = state[slot.em]
    running = state[slot.running]
    index = min(max(shown, 0), latest_index(target))
    state[slot.view] = index
    disabled = _disabled(target, index, running, stop_when_converged)
    if action == "run":
        if running:
            _stop_run(slot)
        elif not disabled["Run"]:
            _start_run(slot)
        return
    name = {"next": _next_half_step(target, index), "back": "Back", "reset": "Reset"}[action]
    if not disabled[name]:
        take_step(name, slot)


def _restore_step(slot: RunSlot, stop_when_converged: bool) -> None:
    """Once a session, replay the run to the half-step in the URL (``slot.url_step``), so
    that a link shows what was shown; a step the run does not reach is said in a toast
    and the run starts over."""
    state = st.session_state
    restored = slot.prefix + "step_restored"
    if state.get(restored):
        return
    state[restored] = True
    step = linked_step(slot.url_step)
    if not step:
        return
    target = state[slot.em]
    while latest_index(target) < step:
        if stop_when_converged and _done(target):
            break
        if _half_step(target, _next_half_step(target, latest_index(target))):
            break
    if latest_index(target) < step:
        say_step_not_reached(slot.url_step, latest_index(target))
        target.reset()
        step = 0
    state[slot.view] = step


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
    refused step: the one set of controls of every page. They act from the half-step
    the history slider shows (see :func:`take_step`).

    Parameters
    ----------
    slot : RunSlot
    names : sequence of str
        The buttons (E-step, M-step, Step, Run, Back, Reset), in order.
    step_help : mapping
        Each button's tooltip.
    key_prefix : str, optional
        Of the buttons' keys; by default the slot's prefix.
    animate : bool, default=False
        Run animates at the speed of a control after the buttons (Stop ends it), as
        :func:`run_fragment` does; otherwise Run goes to convergence at once.
    stop_when_converged : bool, default=False
        Whether the half-steps too are disabled at a half-step where the runs have
        finished (Run is, always; a run stopped at a saddle point is not finished): so
        on the explorer, Compare and the bound page, while a textbook demo may step on.
    spare : float, optional
        The width, in buttons, of a last column (the speed control's, or room).
    """
    state = st.session_state
    target = state[slot.em]
    running = animate and state[slot.running]
    index = min(state.get(slot.view, 0), latest_index(target))
    disabled = _disabled(target, index, running, stop_when_converged)
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
        tip = step_help[name]
        if name == "E-step" and disabled[name] and not disabled["M-step"]:
            tip = E_STEP_DONE
        column.button(
            name,
            key=keys + name,
            on_click=_start_run if name == "Run" and animate else take_step,
            args=(slot,) if name == "Run" and animate else (name, slot, index),
            disabled=disabled[name],
            help=tip,
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
            label_visibility="collapsed",  # the four speeds say what they are
            persist_state="session",
        )
    for message in state.pop(slot.error, None) or []:
        st.error(plain(message), icon=":material/error:")


def _badge(em: MixtureEM, running: bool) -> None:
    """Converged, running, or stopped at a saddle point: the run's state in a word."""
    if em.finished and not em.at_saddle:
        st.success(converged_text(em.n_iter), icon=":material/check:")
    elif running:
        st.info("Running…", icon=":material/play_arrow:")
    elif em.converged:
        st.warning(STUCK_BADGE if em.stuck else SADDLE_BADGE, icon=":material/warning:")


def converged_text(n_iter: int) -> str:
    """'Converged after 5 iterations' (1 iteration)."""
    return f"Converged after {n_iter} iteration{'' if n_iter == 1 else 's'}"


def _run_view(
    slot: RunSlot,
    show: Callable[[Any], None],
    step_help: Mapping[str, str],
    running: bool,
    spare: float,
    stop_when_converged: bool,
) -> None:
    """The fragment: controls, the step error, the heading (with the badge of a single
    run; a group's runs are badged in their panels by ``show``), then ``show``.
    ``running`` is how the fragment was set up (its timer); when that changes the whole
    page reruns to set it up anew."""
    state = st.session_state
    target = state[slot.em]
    if running:
        _advance(slot, target)
    if state[slot.running] != running:
        st.rerun(scope="app")
    step_controls(
        slot,
        step_help=step_help,
        animate=True,
        spare=spare,
        stop_when_converged=stop_when_converged,
    )
    index = min(state[slot.view], latest_index(target))
    publish_step(slot.url_step, index)
    group = isinstance(target, Lockstep)
    view = GroupView(target, index, running) if group else RunView.at(target, index, running)
    history = view.history
    status = phase_text(history[index])
    if index < len(history) - 1:
        status = f"Viewing {status} (latest: {phase_text(history[-1])})"
    head, side = st.columns([3, 2], vertical_alignment="center")
    # A group's heading is smaller: four panels share the screen; they have the badges.
    head.markdown(f"{'#####' if group else '###'} {status}")
    with side:
        if not group:
            _badge(target, running)
        step_keys(
            slot.keys,
            index,
            lambda action, shown: key_pressed(slot, action, shown, stop_when_converged),
        )
    show(view)


def run_fragment(
    slot: RunSlot,
    show: Callable[[Any], None],
    step_help: Mapping[str, str] = STEP_HELP,
    *,
    spare: float = 3.4,
    stop_when_converged: bool = False,
) -> None:
    """The run view of the slot's run (or runs in lockstep) as one fragment, so that a
    step redraws only it: the controls and heading, then ``show(view)`` draws the rest
    (figures, the :func:`history_slider`, ...), given a :class:`RunView` (a
    :class:`GroupView` for a Lockstep). While Run animates, the fragment reruns at its
    speed. ``spare`` and ``stop_when_converged`` go to :func:`step_controls`."""
    state = st.session_state
    state.setdefault(slot.speed, "Medium")
    state.setdefault(slot.running, False)
    state.setdefault(slot.view, 0)
    _restore_step(slot, stop_when_converged)
    interval = SPEEDS[state[slot.speed]] if state[slot.running] else None
    st.fragment(_run_view, run_every=interval)(
        slot, show, step_help, state[slot.running], spare, stop_when_converged
    )


SLIDER_LABEL = "History: iteration · half-step"


def history_slider(slot: RunSlot, view: RunView | GroupView) -> None:
    """Scrub back through the run's half-steps, once there is more than one, by
    iteration and half-step as the heading and the curve count them; viewing an
    earlier one, a caption says that the buttons go on from there."""
    history = view.history
    last = len(history) - 1
    if last == 0:
        return
    labels = tuple(map(half_step_label, history))  # a copy: the history grows and shrinks
    options = {"format_func": labels.__getitem__, "help": HISTORY_HELP}
    if view.running:
        # Shown, not read: a slider of its own, without a key, so that no value the
        # browser sends back from an earlier tick can move the run off its latest step.
        st.select_slider(SLIDER_LABEL, range(last + 1), value=last, disabled=True, **options)
        return
    st.select_slider(
        SLIDER_LABEL, range(last + 1), key=slot.view, persist_state="session", **options
    )
    if view.index < last:
        st.caption(VIEWING_PAST)


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
    ``uirevision``); data with more than two features on its principal components
    (:func:`~em_viz.figures.pairs.figure_principal`). ``options`` go to
    :func:`~em_viz.figures.mixture.figure_mixture`."""
    if dataset.X.shape[1] > 2:
        return figure_principal(dataset.X, params, resp, uirevision=dataset.name, **options)
    return figure_mixture(
        dataset.X,
        params,
        resp,
        feature_names=dataset.feature_names,
        uirevision=dataset.name,
        **options,
    )
