"""A run's half-step and its means moved by hand, in a link: written for the URL
(:func:`moves_text`, with :func:`~em_viz.ui.url_values.publish_step`), read back
(:func:`linked_moves`) and replayed once a session (:func:`restore_step`), so that a
link shows what was shown."""

from collections.abc import Sequence

import streamlit as st

from em_viz import EMVizError, MixtureEM, Record
from em_viz.ui.stepping import RunSlot, half_step, latest_index, next_half_step, run_over
from em_viz.ui.url_values import linked_step, say_ignored, say_step_not_reached


def moves_text(history: Sequence[Record]) -> str:
    """The means moved by hand in ``history``, for a link: ``place:mean:x:y`` each (the
    record's place in the history, the mean numbered from 1, and where it went, exactly),
    joined by ``;``; empty without a move."""
    return ";".join(
        ":".join(
            [str(place), str(record.moved + 1), *map(repr, map(float, record.means[record.moved]))]
        )
        for place, record in enumerate(history)
        if record.phase == "moved"
    )


def linked_moves(name: str) -> dict[int, tuple[int, tuple[float, ...]]]:
    """The moves in the URL's ``name`` (see :func:`moves_text`), by place: the mean's
    index (from 0) and where it went. A value that cannot be read is named in a toast and
    no move is taken from it (a move the run cannot make ends the replay there)."""
    text = st.query_params.get(name)
    if not text:
        return {}
    moves = {}
    try:
        for part in text.split(";"):
            place, mean, *to = part.split(":")
            moves[int(place)] = (int(mean) - 1, tuple(map(float, to)))
    except ValueError:
        say_ignored([name])
        return {}
    return moves


def restore_step(slot: RunSlot, stop_when_converged: bool) -> None:
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
    moves = linked_moves(slot.url_moves) if isinstance(target, MixtureEM) else {}
    while latest_index(target) < step:
        move = moves.get(latest_index(target) + 1)
        if move is not None:
            try:
                target.move_mean(*move)
            except EMVizError:
                break
            continue
        if stop_when_converged and run_over(target):
            break
        if half_step(target, next_half_step(target, latest_index(target))):
            break
    if latest_index(target) < step:
        say_step_not_reached(slot.url_step, latest_index(target))
        target.reset()
        step = 0
    state[slot.view] = step
