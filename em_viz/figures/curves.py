"""A run's objective over its half-steps, and the iteration axis such curves share.

A value is drawn after every half-step: whole iterations at the M-steps (and the start
at 0), each E-step half way into its iteration, a mean moved by hand at its iteration's
whole number (after an M-step, a jump on the same spot; after an E-step, where that
iteration's M-step would have been).
"""

import itertools
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from em_viz.engine.stepper import Record
from em_viz.figures.style import (
    CURVE_FONT_SIZE,
    LINE_GREY,
    PHASE_STYLE,
    axis,
    base_layout,
    legend_below,
    ring,
)


def half_step_x(record: Record) -> float:
    """Where a record sits on the iteration axis: an E-step half-way into its iteration,
    every other record (a move by hand too) at its iteration."""
    return record.iteration - 0.5 if record.phase == "E" else float(record.iteration)


def tick_step(last_iteration: int) -> int:
    """The smallest whole-number step of 1, 2, 5, 10, 20, ... giving at most ten ticks."""
    steps = (m * 10**e for e in itertools.count() for m in (1, 2, 5))
    return next(step for step in steps if last_iteration <= 10 * step)


def signed(value: float, spec: str) -> str:
    """``value`` formatted, with a typographic minus sign."""
    return format(value, spec).replace("-", "\N{MINUS SIGN}")


def iteration_axis(history: Sequence[Record]) -> dict:
    """The x axis of a figure with a value per half-step: whole iterations, E-steps
    half way along theirs."""
    end = max(half_step_x(r) for r in history)
    return axis(
        "iteration",
        standoff=4,
        tick0=0,
        dtick=tick_step(max(r.iteration for r in history)),
        tickformat="d",
        range=[-0.4, max(end, 1.0) + 0.5],
    )


LEGEND_TEXT_WIDTH = 66
"""The room for a legend entry's name in px (Plotly adds its symbol's): "shown now" at
the legend's 13 px."""

SHORT_NAME = 16
"""Objective names longer than this are called "objective" in the curve's title and
wrapped onto two lines on its axis."""


def _wrapped(name: str) -> str:
    """A long name broken at the space nearest its middle (Plotly's <br>)."""
    if len(name) <= SHORT_NAME or " " not in name:
        return name
    spaces = [i for i, c in enumerate(name) if c == " "]
    cut = min(spaces, key=lambda i: abs(i - len(name) / 2))
    return f"{name[:cut]}<br>{name[cut + 1 :]}"


def figure_log_likelihood(
    history: Sequence[Record],
    current_index: int,
    n_samples: int,
    objective_name: str = "log-likelihood",
) -> go.Figure:
    """The total log-likelihood (or the objective the algorithm improves) after every
    half-step, with the current one ringed.

    EM never lowers the log-likelihood at an M-step, and an E-step leaves it unchanged
    (it only recomputes responsibilities), so the curve rises in flat-then-up stairs.

    Parameters
    ----------
    history : sequence of Record
        The run's half-steps, as in ``GaussianMixtureEM.history``.
    current_index : int
        The record shown elsewhere in the app; negative counts from the end.
    n_samples : int
        For the mean log-likelihood per point.
    objective_name : str, default="log-likelihood"
        What the records' ``objective`` is (``GaussianMixtureEM.objective_name``); it is
        the log-likelihood itself for soft EM.

    Returns
    -------
    figure : go.Figure
        Traces: the line through all records, one marker trace per phase (start,
        E-step, M-step, "moved" by hand; possibly empty, the last in the legend only once
        the history has a move) and the ring around the current record.
    """
    return go.Figure(*log_likelihood_parts(history, current_index, n_samples, objective_name))


def log_likelihood_parts(
    history: Sequence[Record],
    current_index: int,
    n_samples: int,
    objective_name: str = "log-likelihood",
) -> tuple[list[dict], dict]:
    """:func:`figure_log_likelihood`'s traces and layout, as Plotly's JSON: cheap enough
    to make for every half-step the browser plays."""
    x = np.array([half_step_x(r) for r in history])
    y = np.array([r.objective for r in history])
    iterations = np.array([r.iteration for r in history], dtype=float)
    phases = np.array([r.phase for r in history])
    customdata = np.column_stack([iterations, y / n_samples])
    traces = [
        dict(
            type="scatter",
            x=x,
            y=y,
            mode="lines",
            line={"color": LINE_GREY, "width": 2},
            name=objective_name,
            showlegend=False,
            hoverinfo="skip",
        )
    ]
    for phase, (label, symbol, colour) in PHASE_STYLE.items():
        chosen = phases == phase
        traces.append(
            dict(
                type="scatter",
                x=x[chosen],
                y=y[chosen],
                mode="markers",
                name=label,
                showlegend=phase != "moved" or bool(chosen.any()),
                marker={"symbol": symbol, "size": 13, "color": colour},
                cliponaxis=False,
                customdata=customdata[chosen],
                hovertemplate=(
                    f"iteration %{{customdata[0]}}, {label}<br>{objective_name} %{{y:,.2f}}"
                    "<br>per point %{customdata[1]:.4f}<extra></extra>"
                ),
            )
        )
    current = history[current_index]
    traces.append(
        ring(
            [half_step_x(current)],
            [current.objective],
            size=24,
            name="shown now",
            cliponaxis=False,  # whole at the plot's edge, the latest record's place
        )
    )
    short = len(objective_name) <= SHORT_NAME
    title = (
        f"{objective_name if short else 'objective'} {signed(current.objective, ',.1f')}"
        f"<br><sup>{signed(current.objective / n_samples, '.4f')} per point</sup>"
    )
    layout = base_layout(
        title,
        # Text room for the widest name ("shown now", none cut), two entries a row from
        # a little left of the plot, under the ticks.
        legend=legend_below(
            -0.3,
            x=-0.15,
            entrywidth=LEGEND_TEXT_WIDTH,
            entrywidthmode="pixels",
            font={"size": CURVE_FONT_SIZE - 2},
        ),
        # A wrapped axis title takes two lines' width beside the ticks.
        margin={"l": 90 if short else 115, "r": 20, "t": 70, "b": 100},
        xaxis=iteration_axis(history),
        yaxis=axis(_wrapped(objective_name), tickformat=",.7~g"),
    )
    return traces, layout
