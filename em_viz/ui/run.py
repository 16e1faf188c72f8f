"""The run view of any page that steps an EM run: the step controls, the heading with
its badge, the history slider (the browser's player where the page's figures have
frames, see :mod:`em_viz.ui.plot`), and the rebuild of a run when its settings change.
What the controls do to the run is :mod:`em_viz.ui.stepping`'s.
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
from em_viz.figures.curves import figure_log_likelihood, log_likelihood_parts
from em_viz.figures.mixture import figure_mixture
from em_viz.figures.principal import figure_principal
from em_viz.ui.labels import (
    E_STEP_DONE,
    HISTORY_HELP,
    MOVED_BY_HAND,
    STEP_HELP,
    VIEWING_PAST,
    plain,
)
from em_viz.ui.plot import FrameList, Frames, Timeline, plot, timeline_slider, timeline_text
from em_viz.ui.present import step_keys
from em_viz.ui.replay import moves_text, restore_step
from em_viz.ui.stepping import (
    HALF_STEPS,
    SPEEDS,
    UNDO,
    RunSlot,
    Stepper,
    advance,
    ahead_of,
    disabled_buttons,
    key_pressed,
    latest_index,
    moved_to,
    played_to,
    start_run,
    stop_run,
    take_step,
    timeline_of,
)
from em_viz.ui.url_values import publish_step, publish_text

VIEWING = "Viewing {shown} (latest: {latest})"
SADDLE_BADGE = "Stopped at (or near) a saddle point"
STUCK_BADGE = "On a saddle point: an iteration changes nothing, so EM cannot leave"

CLEAR_OF_HEADER = "<style>[data-testid='stMainBlockContainer'] { padding-top: 3.4rem; }</style>"
"""For a page whose first element is a line of text or tabs: a little more room above
than the app's compact top, so that Streamlit's header does not cover it."""


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
    timeline : Timeline or None
        The run as the browser plays it, on a page whose figures have frames.
    ahead : tuple of MixtureEM
        The run after each half-step of its next Step, made ahead
        (:func:`~em_viz.ui.stepping.ahead_of`), for frames past the latest half-step
        (see ``Timeline.ahead``).
    """

    em: MixtureEM
    index: int
    record: Record
    resp: np.ndarray | None
    running: bool
    timeline: Timeline | None = None
    ahead: tuple[MixtureEM, ...] = ()

    @classmethod
    def at(
        cls,
        em: MixtureEM,
        index: int,
        running: bool = False,
        timeline: Timeline | None = None,
        ahead: tuple[MixtureEM, ...] = (),
    ) -> "RunView":
        """The view of ``em`` at ``history[index]`` (the latest if ``index`` is past it)."""
        last = len(em.history) - 1
        index = min(index, last)
        resp = em.responsibilities if index == last else em.responsibilities_at(index)
        return cls(em, index, em.history[index], resp, running, timeline, ahead)

    @property
    def history(self) -> list[Record]:
        """The half-steps the history slider runs over."""
        return self.em.history

    @property
    def framed(self) -> list[Record]:
        """The half-steps the frames show: the history, then those made ahead."""
        return self.ahead[-1].history if self.ahead else self.em.history

    @property
    def made_ahead(self) -> list[Record]:
        """The half-steps made ahead, past the latest."""
        return self.framed[len(self.em.history) :]

    def run_at(self, index: int) -> MixtureEM:
        """The run a frame shows: for a frame made ahead, the run as it will be after
        half-step ``index`` (its history ends there); else the run."""
        made = index - len(self.em.history)
        return self.ahead[made] if made >= 0 else self.em


@dataclass(frozen=True)
class GroupView:
    """What the run view shows of runs moved together: every run at the half-step the
    history slider chose, or at its last if it finished before.

    Every run's history alternates start, E, M, E, M, ..., so one index is the same
    half-step (iteration and phase) in all of them. ``timeline``: the runs as the
    browser plays them, as :class:`RunView`'s.
    """

    group: Lockstep
    index: int
    running: bool
    timeline: Timeline | None = None

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

    @property
    def made_ahead(self) -> list[Record]:
        """None: runs in lockstep are not stepped ahead (see :attr:`RunView.made_ahead`)."""
        return []


def phase_text(record: Record) -> str:
    """'Iteration 3 · after E-step' (or '... · mean 2 moved by hand'), as shown above
    the figure."""
    if record.phase == "moved":
        return f"Iteration {record.iteration} · {MOVED_BY_HAND.format(number=record.moved + 1)}"
    after = {"init": "initial parameters", "E": "after E-step", "M": "after M-step"}
    return f"Iteration {record.iteration} · {after[record.phase]}"


def half_step_label(record: Record) -> str:
    """'Iteration 3 · E-step' (or 'Start', or the heading of a move): a place on the
    history slider, in the heading's and the curve's iterations."""
    if record.phase == "init":
        return "Start"
    if record.phase == "moved":
        return phase_text(record)
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
    disabled = disabled_buttons(target, index, running, stop_when_converged)
    keys = slot.prefix if key_prefix is None else key_prefix
    widths = [1] * len(names) + ([spare] if spare else [])
    columns = st.columns(widths, vertical_alignment="bottom")
    for column, name in zip(columns, names, strict=False):
        if name == "Run" and running:
            column.button(
                "Stop",
                key=keys + "Stop",
                on_click=stop_run,
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
            on_click=start_run if name == "Run" and animate else take_step,
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
    look_ahead: bool,
) -> None:
    """The fragment: controls, the step error, the heading (with the badge of a single
    run; a group's runs are badged in their panels by ``show``), then ``show``.
    ``running`` is how the fragment was set up (its timer); when that changes the whole
    page reruns to set it up anew. ``look_ahead``: see :func:`run_fragment`."""
    state = st.session_state
    target = state[slot.em]
    played = state[slot.played]
    if running and not played:
        advance(slot, target)
    if state[slot.running] != running and not played:
        st.rerun(scope="app")  # to set the fragment's timer up anew
    running = state[slot.running]
    step_controls(
        slot,
        step_help=step_help,
        animate=True,
        spare=spare,
        stop_when_converged=stop_when_converged,
    )
    index = min(state[slot.view], latest_index(target))
    publish_step(slot.url_step, index)
    if isinstance(target, MixtureEM):
        publish_text(slot.url_moves, moves_text(target.history))
    group = isinstance(target, Lockstep)
    ahead = ahead_of(slot, target, index, running, stop_when_converged) if look_ahead else ()
    timeline = timeline_of(slot, target, index, running, ahead) if played else None
    view = (
        GroupView(target, index, running, timeline)
        if group
        else RunView.at(target, index, running, timeline, ahead)
    )
    history = view.history
    head, side = st.columns([3, 2], vertical_alignment="center")
    # A group's heading is smaller: four panels share the screen; they have the badges.
    if timeline is not None:
        with head:
            texts = [phase_text(record) for record in history]
            timeline_text(
                timeline,
                key=slot.prefix + "heading",
                texts=texts,
                style="heading-small" if group else "heading",
                viewing=VIEWING,
                run_texts=texts,
                ahead_texts=[phase_text(record) for record in view.made_ahead],
            )
    else:
        status = phase_text(history[index])
        if index < len(history) - 1:
            status = VIEWING.format(shown=status, latest=phase_text(history[-1]))
        head.markdown(f"{'#####' if group else '###'} {status}")
    with side:
        if not group:
            _badge(target, running)
        step_keys(
            slot.keys,
            index,
            lambda action, shown, seq, revision: key_pressed(
                slot, action, shown, stop_when_converged, seq, revision
            ),
        )
    show(view)


def run_fragment(
    slot: RunSlot,
    show: Callable[[Any], None],
    step_help: Mapping[str, str] = STEP_HELP,
    *,
    spare: float = 3.4,
    stop_when_converged: bool = False,
    played: bool = False,
    look_ahead: bool = False,
) -> None:
    """The run view of the slot's run (or runs in lockstep) as one fragment, so that a
    step redraws only it: the controls and heading, then ``show(view)`` draws the rest
    (figures, the :func:`history_slider`, ...), given a :class:`RunView` (a
    :class:`GroupView` for a Lockstep). While Run animates, the fragment reruns at its
    speed. ``spare`` and ``stop_when_converged`` go to :func:`step_controls`.

    ``played``: the page's figures have frames (``view.timeline``), so that the browser
    plays Run and moves the history slider and the heading itself. ``look_ahead``: its
    figures also have frames for the next Step, made ahead (``view.ahead``), so that
    the step buttons show it the moment they are pressed."""
    state = st.session_state
    state.setdefault(slot.speed, "3 / s")
    state.setdefault(slot.running, False)
    state.setdefault(slot.view, 0)
    state[slot.played] = played
    restore_step(slot, stop_when_converged)
    rate = SPEEDS.get(state[slot.speed], 0.0)  # None before its control is drawn again
    interval = 1 / rate if state[slot.running] and rate and not played else None
    st.fragment(_run_view, run_every=interval)(
        slot, show, step_help, state[slot.running], spare, stop_when_converged, look_ahead
    )


SLIDER_LABEL = "History: iteration · half-step"


def history_slider(slot: RunSlot, view: RunView | GroupView) -> None:
    """Scrub back through the run's half-steps, once there is more than one, by
    iteration and half-step as the heading and the curve count them; viewing an
    earlier one, a caption says that the buttons go on from there."""
    history = view.history
    last = len(history) - 1
    labels = tuple(map(half_step_label, history))  # a copy: the history grows and shrinks
    if view.timeline is not None:
        # Drawn (hidden) with one half-step too: it plays Run and answers the keys.
        timeline_slider(
            view.timeline,
            key=slot.prefix + "history_player",
            labels=labels,
            label=SLIDER_LABEL,
            help=HISTORY_HELP,
            speed=SPEEDS.get(st.session_state.get(slot.speed), 0.0),  # only read by Run
            ahead_labels=list(map(half_step_label, view.made_ahead)),
            on_moved=lambda index, seq: moved_to(slot, index, seq),
            on_stopped=lambda index, finished, seq: played_to(slot, index, finished, seq),
        )
        if view.index < last and not view.running:
            st.caption(VIEWING_PAST)
        return
    if last == 0:
        return
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


def objective_plot(slot: RunSlot, view: RunView, key: str, n_samples: int, height: int) -> None:
    """The run's objective per half-step (:func:`figure_log_likelihood`, per point over
    ``n_samples``), the half-step shown ringed, under ``key``: drawn as it goes while Run
    plays, with a frame per half-step on a played page (the whole curve's, and the
    growing one's for Run)."""
    em, index, name = view.em, view.index, view.em.objective_name
    shown = em.history[: index + 1] if view.running else em.history
    curve = figure_log_likelihood(shown, index, n_samples, name).update_layout(height=height)
    history = em.history
    # The whole curve in every frame (a frame made ahead: to its half-step), so that
    # each frame changes with the history's length.
    frames = view.timeline and Frames(
        view.timeline,
        FrameList(
            [(record, len(view.run_at(at).history)) for at, record in enumerate(view.framed)],
            lambda at: log_likelihood_parts(view.run_at(at).history, at, n_samples, name),
        ),
        FrameList(
            history, lambda at: log_likelihood_parts(history[: at + 1], at, n_samples, name)
        ),
    )
    plot(curve, key=key, revision=index, frames=frames)


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
