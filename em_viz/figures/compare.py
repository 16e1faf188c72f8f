"""Figures of several runs: their objective curves side by side, and a multi-start's
spread of optima."""

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from em_viz.engine.runs import StartResult
from em_viz.engine.stepper import Record
from em_viz.figures.style import (
    BLACK,
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    OUTLINE,
    VERMILLION,
    axis,
    base_layout,
)

TICKS = 8
"""About as many ticks as Plotly puts on a small chart's y axis."""
LEAST_SPAN = 1e-5
"""The least range of a multi-start's axis, relative to its values: ten times the
tolerance within which two starts count as one optimum (``distinct_optima``), so two
optima that count as distinct lie visibly apart."""

RUN_COLOURS = (BLACK, VERMILLION, BLUE, GREEN)
RUN_DASHES = ("solid", "dash", "dot", "dashdot")
"""One colour and dash per run on the shared curve (told apart in grey print too)."""


def _layout(title: str, x_title: str) -> dict:
    """The app's white look for a small chart: the title names the y values, the legend
    sits in the bottom-right corner, which rising curves and optima near the top leave
    empty."""
    return base_layout(
        title,
        margin={"l": 20, "r": 20, "t": 45, "b": 20},
        legend={
            "x": 0.99,
            "y": 0.02,
            "xanchor": "right",
            "yanchor": "bottom",
            "bgcolor": "rgba(255, 255, 255, 0.8)",
        },
        xaxis=axis(x_title, standoff=4, automargin=True),
        yaxis=axis(tickformat=".4~f", automargin=True),
    )


def value_axis(values: Sequence[float]) -> dict:
    """A y axis on which no two tick labels read the same: its range the values' with a
    margin, and as many decimals as ticks ``TICKS`` to the range apart need. Values
    closer than ``LEAST_SPAN`` of their size (starts that all reached one optimum) get that
    range, so the axis still reads like numbers."""
    low, high = float(np.min(values)), float(np.max(values))
    size = max(abs(low), abs(high), 1.0)
    span = max(high - low, LEAST_SPAN * size)
    middle = (low + high) / 2
    low, high = min(low, middle - span / 2), max(high, middle + span / 2)
    margin = 0.15 * span
    decimals = max(0, int(np.ceil(-np.log10(span / TICKS))))
    return axis(
        range=[low - margin, high + margin],
        autorange=False,
        tickformat=f",.{decimals}f",
        automargin=True,
    )


def figure_objective_curves(
    histories: Sequence[Sequence[Record]],
    names: Sequence[str],
    n_samples: int,
    objective_name: str | None = "log-likelihood",
) -> go.Figure:
    """The runs' objectives per point after every iteration, one line per run.

    Parameters
    ----------
    histories : sequence of sequences of Record
        Each run's history; E-steps are left out (they change no objective).
    names : sequence of str
        The legend's run names.
    n_samples : int
        The values are per point, comparable across data sizes and as quoted on slides.
    objective_name : str or None, default="log-likelihood"
        What the runs' ``objective`` is when they share it; None when they do not (runs
        of different algorithms): then every run's log-likelihood is drawn.

    Returns
    -------
    figure : go.Figure
        One trace per run, in order.
    """
    shown = objective_name or "log-likelihood"
    traces = []
    for number, (history, name) in enumerate(zip(histories, names, strict=True)):
        ends = [r for r in history if r.phase != "E"]
        values = [r.objective if objective_name else r.log_likelihood for r in ends]
        traces.append(
            go.Scatter(
                x=[r.iteration for r in ends],
                y=np.array(values) / n_samples,
                mode="lines+markers",
                name=name,
                line={
                    "color": RUN_COLOURS[number % len(RUN_COLOURS)],
                    "dash": RUN_DASHES[number % len(RUN_DASHES)],
                    "width": 3,
                },
                marker={"size": 7},
                customdata=np.array(values),
                hovertemplate=(
                    f"{name}, iteration %{{x}}<br>{shown} per point %{{y:.5f}}"
                    "<br>total %{customdata:,.3f}<extra></extra>"
                ),
            )
        )
    return go.Figure(traces, _layout(f"{shown} per point", "iteration"))


def figure_multi_start(
    results: Sequence[StartResult], objective_name: str = "log-likelihood"
) -> go.Figure:
    """Each start's final objective per point against its iterations, the best marked.

    The vertical spread shows the distinct optima (local maxima) the starts reached;
    the horizontal one how long each took. Hover gives the seed, the iterations and
    the time taken.

    Returns
    -------
    figure : go.Figure
        Traces: all starts, then the best one (a ring).
    """
    y = np.array([r.mean_objective for r in results])
    x = np.array([r.n_iter for r in results])
    customdata = np.array([[r.seed, r.objective, r.seconds * 1000] for r in results])
    hover = (
        "seed %{customdata[0]}<br>%{x} iterations<br>"
        f"{objective_name} per point %{{y:.5f}}<br>total %{{customdata[1]:,.3f}}"
        "<br>%{customdata[2]:.0f} ms<extra></extra>"
    )
    best = int(np.argmax(y))
    converged = np.array([r.converged for r in results])
    traces = [
        go.Scatter(
            x=x,
            y=y,
            mode="markers",
            name="a start",
            marker={
                "size": 12,
                "color": np.where(converged, BLUE, GREY).tolist(),
                "opacity": 0.7,
                "line": {"color": "white", "width": 1},
            },
            customdata=customdata,
            hovertemplate=hover,
        ),
        go.Scatter(
            x=x[best : best + 1],
            y=y[best : best + 1],
            mode="markers",
            name=f"best (seed {results[best].seed})",
            marker={
                "symbol": "star",
                "size": 22,
                "color": ORANGE,
                "line": {"color": OUTLINE, "width": 1.5},
            },
            customdata=customdata[best : best + 1],
            hovertemplate=hover,
        ),
    ]
    title = f"final {objective_name} per point<br><sup>{len(results)} starts · ★ best</sup>"
    layout = _layout(title, "iterations to converge")
    return go.Figure(traces, {**layout, "yaxis": value_axis(y), "showlegend": False})
