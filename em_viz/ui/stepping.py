"""What the step buttons, the keys and the browser's player do to a page's run: where
a run lives in ``st.session_state`` (:class:`RunSlot`), a half-step, a mean moved by
hand, Back and Reset from the half-step shown, Run (animated on the server, or computed
ahead for the browser to play) and Stop, and the half-steps of Step made ahead (a
link's step is replayed by :mod:`em_viz.ui.replay`).

A page may keep several runs: each lives in ``st.session_state`` under the keys of a
:class:`RunSlot`. The explorer's (and the bound page's) run is :data:`EXPLORER`.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from em_viz import EMVizError, MixtureEM, Record
from em_viz.engine.runs import Lockstep
from em_viz.ui.plot import Timeline

MAX_RUN_ITERATIONS = 500
RUN_AHEAD = 30
"""Iterations Run computes ahead for the browser to play, at a time: the next are
computed when the browser has played those."""
SPEEDS = {"1 / s": 1.0, "3 / s": 3.0, "12 / s": 12.0, "Instant": 0.0}
"""Half-steps per second of Run, named by what they do; Instant runs to convergence at
once. A page whose figures have frames plays them in the browser (see
:func:`played_run`); others step on the server at that pace.

Run goes on past the gain rule while the run is at a saddle point (nearly identical
components): it stops once finished (converged elsewhere) or after
:data:`MAX_RUN_ITERATIONS`."""

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
    def url_moves(self) -> str:
        """The means moved by hand, in the URL (``moves``, ...): see :func:`moves_text`."""
        return self.prefix + "moves"

    @property
    def keys(self) -> str:
        """The step keys' listener."""
        return self.prefix + "step_keys"

    @property
    def heard(self) -> str:
        """The number of the latest message heard from the browser (see :func:`heard`)."""
        return self.prefix + "heard"

    @property
    def ahead(self) -> str:
        """The runs after each half-step of the next Step, made ahead (see :func:`ahead_of`)."""
        return self.prefix + "ahead"

    @property
    def presses(self) -> str:
        """How many step buttons' presses (or step keys) the server has acted on."""
        return self.prefix + "presses"

    @property
    def played(self) -> str:
        """Whether the page's figures have frames, so that the browser plays the run."""
        return self.prefix + "played"


EXPLORER = RunSlot()
"""The explorer's run, stepped from the explorer and the bound page."""


def histories(target: Stepper) -> list[list[Record]]:
    return [em.history for em in target.runs] if isinstance(target, Lockstep) else [target.history]


def latest_index(target: Stepper) -> int:
    """The index of the latest half-step (of the runs still going, for a group)."""
    return max(len(history) for history in histories(target)) - 1


def _latest_phase(target: Stepper) -> str:
    """The phase of the latest half-step (of the runs still going, for a group)."""
    return max(histories(target), key=len)[-1].phase


def records_at(target: Stepper, index: int) -> list[Record]:
    """Every run's record at half-step ``index`` (its last, if it stopped before)."""
    return [history[min(index, len(history) - 1)] for history in histories(target)]


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


def _calls(target: Stepper, name: str) -> tuple[str, ...]:
    """The stepper's methods that make button ``name``'s half-steps, in order."""
    calls = ("e_step",) if name == "E-step" or _latest_phase(target) != "E" else ()
    return calls if name == "E-step" else (*calls, "m_step")


def half_step(target: Stepper, name: str) -> list[str]:
    """``name`` (E-step, M-step or Step) as single half-steps, so that every record of a
    group comes from one call of the group and Back undoes exactly one half-step."""
    errors: list[str] = []
    for method in _calls(target, name):
        errors += _call(target, method)
        if errors:
            break
    return errors


def run_over(target: Stepper) -> bool:
    """Where Run stops: finished (converged away from a saddle point) or the cap."""
    return target.finished or _n_iter(target) >= MAX_RUN_ITERATIONS


def _run_through(target: Stepper) -> list[str]:
    """Run at Instant speed: half-steps until :func:`run_over` or a refused step."""
    while not run_over(target):
        errors = half_step(target, "Step")
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
    state[slot.presses] = state.get(slot.presses, 0) + 1
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
        elif _caught_up(slot, target, name):
            errors = []  # its half-steps were made ahead
        else:
            errors = half_step(target, name)
    state[slot.error] = errors
    state[slot.view] = latest_index(target)


def ahead_of(
    slot: RunSlot, target: Stepper, index: int, running: bool, stop_when_converged: bool
) -> tuple[MixtureEM, ...]:
    """The run after each half-step of its next Step, made ahead on copies of it
    (:meth:`~em_viz.engine.stepper.MixtureEM.ahead`), so that the browser shows them the
    moment Step, M-step, E-step or the next key is pressed, while the server makes them
    history (:func:`take_step` takes them over, with no second computation). Empty while
    Run plays, away from the latest half-step, for runs in lockstep, or where Step is
    disabled or refused. Made once per latest half-step."""
    state = st.session_state
    if (
        not isinstance(target, MixtureEM)
        or running
        or index != latest_index(target)
        or disabled_buttons(target, index, running, stop_when_converged)["Step"]
    ):
        return ()
    base, runs = state.get(slot.ahead, (None, ()))
    if base is not target.history[-1]:
        runs, run = [], target
        for method in _calls(target, "Step"):
            run = run.ahead()
            if _call(run, method):
                runs = []  # refused: the button says why when pressed
                break
            runs.append(run)
        runs = tuple(runs)
        state[slot.ahead] = (target.history[-1], runs)
    return runs


def _caught_up(slot: RunSlot, target: Stepper, name: str) -> bool:
    """Whether the target took over the half-steps of button ``name`` from
    :func:`ahead_of`: E-step's (an E-step made ahead) or Step's and M-step's (all). The
    half-steps made ahead past those stay for the next press."""
    state = st.session_state
    base, runs = state.pop(slot.ahead, (None, ()))
    if not runs or base is not target.history[-1]:
        return False
    taken = 1 if name == "E-step" else len(runs)
    if name == "E-step" and runs[0].phase != "E":
        return False
    if not target.catch_up(runs[taken - 1]):
        return False
    if runs[taken:]:
        state[slot.ahead] = (target.history[-1], runs[taken:])
    return True


def move_mean(
    slot: RunSlot, component: int, to: tuple[float, float], *, shown: int | None = None
) -> None:
    """A mean dragged by hand: from the half-step the history slider shows (the later
    half-steps are dropped first, as for a step), ``component``'s mean (0-based) moves
    to ``to`` (one number per feature) and the new "moved" record is shown next. Run
    stops. A refused move's message waits in ``slot.error``, as a refused step's.
    ``shown``: the half-step on screen when the drag began. For a slot of one run (a
    MixtureEM), such as :data:`EXPLORER`."""
    state = st.session_state
    em = state[slot.em]
    if shown is not None:
        state[slot.view] = shown
    state[slot.running] = False
    _go_back_to(em, state.get(slot.view, latest_index(em)))
    try:
        em.move_mean(component, to)
        state[slot.error] = []
    except EMVizError as error:
        state[slot.error] = [str(error)]
    state[slot.view] = latest_index(em)


def start_run(slot: RunSlot) -> None:
    """Run: to convergence at once at Instant speed, else animated half-step by half-step
    (from the half-step viewed): computed ahead for the browser to play, where the
    page's figures have frames."""
    state = st.session_state
    if SPEEDS[state[slot.speed]] == 0:
        take_step("Run", slot)
        return
    target = state[slot.em]
    _go_back_to(target, state.get(slot.view, latest_index(target)))
    state[slot.view] = latest_index(target)
    state[slot.running] = True
    if state.get(slot.played):
        _compute_ahead(slot, target)


def _compute_ahead(slot: RunSlot, target: Stepper) -> None:
    """Up to :data:`RUN_AHEAD` more iterations of Run, for the browser to play."""
    limit = _n_iter(target) + RUN_AHEAD
    while not run_over(target) and _n_iter(target) < limit:
        errors = half_step(target, "Step")
        if errors:
            st.session_state[slot.error] = errors
            return


def heard(slot: RunSlot, seq: int | None) -> bool:
    """Record message ``seq`` from the browser (its messages are numbered in the order
    sent): whether it is newer than every one heard before. The highest heard goes back
    with the page (:func:`timeline_of`), so that the browser knows which of its messages
    an answer has taken in."""
    state = st.session_state
    last = state.get(slot.heard, 0)
    if seq is None:
        return True
    state[slot.heard] = max(last, seq)
    return seq > last


def played_to(slot: RunSlot, index: int, finished: bool, seq: int | None = None) -> None:
    """The browser stopped playing Run at half-step ``index``: at the last computed one
    (``finished``), Run goes on with the next ones unless it is done; before it (Stop),
    the half-steps not shown are dropped, so the run is where the picture is."""
    heard(slot, seq)
    state = st.session_state
    target = state[slot.em]
    index = min(max(index, 0), latest_index(target))
    state[slot.view] = index
    if finished and index == latest_index(target) and state[slot.running] and not run_over(target):
        _compute_ahead(slot, target)
        return
    _go_back_to(target, index)
    state[slot.running] = False


def moved_to(slot: RunSlot, index: int, seq: int | None = None) -> None:
    """The browser's history slider (or a step key) stopped at half-step ``index``, its
    message ``seq``: unless a later message was heard first (a step key pressed while
    the slider was dragged, both in one rerun), which acted from what was on screen."""
    state = st.session_state
    if not heard(slot, seq):
        return
    state[slot.view] = min(max(index, 0), latest_index(state[slot.em]))


def revision_of(target: Stepper) -> str:
    """The name of the run's history as the browser plays it: a new run or a changed
    history is a new revision (a record made again at the same address is the same)."""
    records = tuple(
        (id(r), r.iteration, r.phase, r.objective)
        for history in histories(target)
        for r in history
    )
    return f"{id(target)}-{hash(records) & 0xFFFFFFFF:x}"


def timeline_of(
    slot: RunSlot,
    target: Stepper,
    index: int,
    running: bool,
    ahead: Sequence[MixtureEM] = (),
) -> Timeline:
    """The slot's run as the browser plays it, named by the slot (see
    :func:`revision_of`), with the latest message heard from it (:func:`heard`), and
    the step buttons whose half-steps ``ahead`` (from :func:`ahead_of`) holds."""
    state = st.session_state
    answered, presses = state.get(slot.heard, 0), state.get(slot.presses, 0)
    buttons = {}
    if ahead:
        buttons = {slot.prefix + "Step": len(ahead), slot.prefix + "M-step": len(ahead)}
        if ahead[0].phase == "E":
            buttons[slot.prefix + "E-step"] = 1
    revision = revision_of(target)
    return Timeline(slot.prefix + "run", revision, index, running, answered, presses, buttons)


def stop_run(slot: RunSlot) -> None:
    st.session_state[slot.running] = False


def advance(slot: RunSlot, target: Stepper) -> None:
    """One animated half-step of Run, or the end of the run (finished, limit, error)."""
    state = st.session_state
    if run_over(target):
        state[slot.running] = False
        return
    take_step("Step" if _latest_phase(target) == "E" else "E-step", slot)
    if state[slot.error]:
        state[slot.running] = False


def disabled_buttons(
    target: Stepper, index: int, running: bool, stop_when_converged: bool
) -> dict:
    """Which buttons are disabled with half-step ``index`` shown: those that would do
    nothing from it (E-step right after an E-step; everything but going back once the
    runs have finished there), and all but Stop while Run animates."""
    records = records_at(target, index)
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


def next_half_step(target: Stepper, index: int) -> str:
    """The button that makes one half-step from half-step ``index``: M after E, else E."""
    history = max(histories(target), key=len)
    return "M-step" if history[index].phase == "E" else "E-step"


def key_pressed(
    slot: RunSlot,
    action: str,
    shown: int,
    stop_when_converged: bool,
    seq: int | None = None,
    revision: str | None = None,
) -> None:
    """A step key's callback: "next" (one half-step), "back", "run" (Run or Stop) or
    "reset", as the button would do from half-step ``shown`` (the one on screen), and
    nothing where the button is disabled; except "back", which shows the half-step
    before, as the browser does where it has the frames (Back drops one).

    ``seq`` numbers the message (see :func:`heard`); ``revision`` names the history
    ``shown`` counts in (:func:`timeline_of`): pressed before the browser had taken in
    a newer one, the key acts from the half-step the server showed last."""
    state = st.session_state
    heard(slot, seq)
    target = state[slot.em]
    running = state[slot.running]
    if revision is not None and revision != revision_of(target):
        shown = state[slot.view]
    index = min(max(shown, 0), latest_index(target))
    state[slot.view] = index
    disabled = disabled_buttons(target, index, running, stop_when_converged)
    if action == "run":
        if running:
            stop_run(slot)
        elif not disabled["Run"]:
            start_run(slot)
        return
    if action == "back":
        state[slot.view] = max(index - 1, 0)
        return
    name = {"next": next_half_step(target, index), "reset": "Reset"}[action]
    if not disabled[name]:
        take_step(name, slot)
