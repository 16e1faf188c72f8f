"""Figures of the coin demos of a Bernoulli mixture: each coin's bias step by step, the
coins' biases against the overall rate of heads, and the mixing weights as bars.

Two demos draw on these: two coins tossed in sets (Do & Batzoglou) and single flips of
several coins (only the overall rate of heads is identifiable); the digits demo shows
its weights with :func:`figure_weights`. Every figure keeps the same traces in the same
order in every state of a run, so that ``Plotly.react`` updates it in place; component k
is drawn in colour k of :func:`em_viz.figures.style.component_colours`.
"""

from collections.abc import Sequence
from html import escape

import numpy as np
import plotly.graph_objects as go

from em_viz.engine.stepper import Record
from em_viz.figures.curves import half_step_x, iteration_axis
from em_viz.figures.style import (
    CURVE_FONT_SIZE,
    FONT_SIZE,
    LINE_GREY,
    OUTLINE,
    PHASE_STYLE,
    axis,
    base_layout,
    component_colours,
    legend_below,
    ring,
)


def _bar_layout(x_title: str) -> dict:
    """The white look for a bar chart of probabilities: y fixed to [0, 1], no title (the
    page says what it shows; a title would crowd a narrow column)."""
    return base_layout(
        font_size=FONT_SIZE,
        margin={"l": 70, "r": 20, "t": 70, "b": 60},
        xaxis=axis(x_title, standoff=4, fixedrange=True),
        yaxis=axis(range=[0, 1], tickvals=[0, 0.25, 0.5, 0.75, 1]),
    )


def figure_weights(weights: np.ndarray) -> go.Figure:
    """The mixing weights as bars in the components' colours, each labelled with its
    value: how much of the data each component takes.

    Parameters
    ----------
    weights : ndarray of shape (K,)

    Returns
    -------
    figure : go.Figure
        One bar trace; x categories "1" .. "K".
    """
    weights = np.asarray(weights, dtype=float)
    hex_colours, _ = component_colours(len(weights))
    bars = go.Bar(
        x=[str(k + 1) for k in range(len(weights))],
        y=weights,
        marker={"color": hex_colours, "line": {"color": OUTLINE, "width": 1}},
        text=[f"{w:.2f}" for w in weights],
        textposition="outside",
        textangle=0,
        cliponaxis=False,
        name="weight",
        hovertemplate="component %{x}<br>weight π = %{y:.3f}<extra></extra>",
    )
    layout = _bar_layout("weight π<sub>k</sub>")
    layout["font"]["size"] = CURVE_FONT_SIZE
    layout["margin"].update(l=45, r=10, t=30)
    return go.Figure([bars], layout)


def _component_names(n_components: int, names: Sequence[str] | None) -> list[str]:
    """``names`` escaped for Plotly's HTML, or "Component k"."""
    if names is None:
        return [f"Component {k + 1}" for k in range(n_components)]
    return [escape(str(name)) for name in names]


def figure_probability_paths(
    history: Sequence[Record],
    current_index: int,
    *,
    names: Sequence[str] | None = None,
    feature: int = 0,
) -> go.Figure:
    """Each component's probability of feature ``feature`` after every half-step, one
    line per component, the current record ringed: the coins' biases separating and
    settling.

    An E-step leaves the parameters as they are, so each line is flat across it and
    moves at the M-steps.

    Parameters
    ----------
    history : sequence of Record
        The run's half-steps; ``record.probabilities`` is (K, D).
    current_index : int
        The record shown elsewhere on the page; negative counts from the end.
    names : sequence of str, optional
        The components' legend names (e.g. ``["coin A", "coin B"]``); default
        "Component k".
    feature : int, default=0
        The column of ``probabilities`` drawn.

    Returns
    -------
    figure : go.Figure
        Traces: one line per component (markers by phase: start, E-step, M-step), then
        the rings on the current record; the same K + 1 in every state.
    """
    x = np.array([half_step_x(r) for r in history])
    paths = np.array([r.probabilities[:, feature] for r in history])  # (records, K)
    symbols = [PHASE_STYLE[r.phase][1] for r in history]
    steps = [[r.iteration, PHASE_STYLE[r.phase][0]] for r in history]
    labels = _component_names(paths.shape[1], names)
    hex_colours, _ = component_colours(paths.shape[1])
    traces = [
        go.Scatter(
            x=x,
            y=paths[:, k],
            mode="lines+markers",
            name=label,
            line={"color": colour, "width": 3},
            marker={"symbol": symbols, "size": 10, "color": colour},
            customdata=steps,
            cliponaxis=False,
            hovertemplate=(
                f"{label}<br>iteration %{{customdata[0]}}, %{{customdata[1]}}"
                "<br>P(heads) = %{y:.3f}<extra></extra>"
            ),
        )
        for k, (label, colour) in enumerate(zip(labels, hex_colours, strict=True))
    ]
    current = history[current_index]
    traces.append(
        ring(
            np.full(paths.shape[1], half_step_x(current)),
            current.probabilities[:, feature],
            name="shown now",
            showlegend=False,
            cliponaxis=False,
        )
    )
    key = " · ".join(
        f"{symbol} {PHASE_STYLE[phase][0]}"
        for phase, symbol in (("init", "■"), ("E", "◆"), ("M", "●"))
    )
    layout = base_layout(
        f"Each coin's bias, step by step<br><sup>{key} · ○ shown now</sup>",
        legend=legend_below(-0.22),
        margin={"l": 70, "r": 20, "t": 70, "b": 90},
        xaxis=iteration_axis(history),
        yaxis=axis("P(heads)", range=[0, 1], tickvals=[0, 0.25, 0.5, 0.75, 1]),
    )
    return go.Figure(traces, layout)


def figure_coins(
    probabilities: np.ndarray,
    weights: np.ndarray,
    observed_rate: float,
    *,
    names: Sequence[str] | None = None,
) -> go.Figure:
    """Each coin's bias as a bar (its weight under it), with the overall rate of heads
    the model predicts, ``sum_k pi_k p_k``, and the rate observed.

    With one flip per observation only that overall rate is identifiable: EM matches it
    to the observed rate after one iteration, and the biases then stay wherever they
    were. The model's rate is a broad grey band and the observed one a dashed line on
    top, so that both show when they agree; the legend gives both values.

    Parameters
    ----------
    probabilities : ndarray of shape (K, 1) or (K,)
        The coins' biases ``p_k = P(heads | coin k)``.
    weights : ndarray of shape (K,)
        The mixing weights ``pi_k``.
    observed_rate : float
        The fraction of heads in the data.
    names : sequence of str, optional
        The coins' names on the x axis; default "Component k".

    Returns
    -------
    figure : go.Figure
        Traces: the bars, the model's overall rate, the observed rate.
    """
    weights = np.asarray(weights, dtype=float)
    biases = np.asarray(probabilities, dtype=float).reshape(len(weights))
    labels = _component_names(len(weights), names)
    hex_colours, _ = component_colours(len(weights))
    positions = np.arange(len(weights))
    model_rate = float(weights @ biases)
    span = [-0.5, len(weights) - 0.5]
    traces = [
        go.Bar(
            x=positions,
            y=biases,
            marker={"color": hex_colours, "line": {"color": OUTLINE, "width": 1}},
            text=[f"p = {p:.2f}" for p in biases],
            textposition="auto",
            insidetextanchor="start",
            textangle=0,
            cliponaxis=False,
            name="bias p<sub>k</sub>",
            showlegend=False,
            customdata=np.column_stack([weights, weights * biases]),
            hovertext=labels,
            hovertemplate=(
                "%{hovertext}<br>bias p = %{y:.3f}<br>weight π = %{customdata[0]:.3f}"
                "<br>π·p = %{customdata[1]:.3f}<extra></extra>"
            ),
        ),
        go.Scatter(
            x=span,
            y=[model_rate, model_rate],
            mode="lines",
            name=f"model Σ π<sub>k</sub> p<sub>k</sub> = {model_rate:.3f}",
            line={"color": LINE_GREY, "width": 8},  # under the observed rate's dashes
            hovertemplate="model's rate of heads %{y:.4f}<extra></extra>",
        ),
        go.Scatter(
            x=span,
            y=[observed_rate, observed_rate],
            mode="lines",
            name=f"observed rate = {observed_rate:.3f}",
            line={"color": OUTLINE, "width": 2.5, "dash": "dash"},
            hovertemplate="observed rate of heads %{y:.4f}<extra></extra>",
        ),
    ]
    layout = _bar_layout("")
    layout["xaxis"].update(
        range=span,
        tickvals=positions,
        ticktext=[f"{label}<br>π = {w:.2f}" for label, w in zip(labels, weights, strict=True)],
    )
    layout["yaxis"]["title"] = {"text": "P(heads)"}
    layout["legend"] = {
        "orientation": "h",
        "x": 0,
        "y": 1.02,
        "yanchor": "bottom",
        "font": {"size": CURVE_FONT_SIZE},
    }
    layout["margin"].update(t=70, b=70)
    return go.Figure(traces, layout)
