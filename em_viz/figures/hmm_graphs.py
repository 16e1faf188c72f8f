"""The graphs of a hidden Markov model: the transition diagram (states as nodes, arrows
as wide as their probabilities) and the trellis of one window of rolls (a cell per roll
and state with forward-backward's numbers, an edge per transition with its xi).

Both keep the same traces in the same order in every state of a run, so that
``Plotly.react`` updates them in place; state k is drawn in colour k of
:func:`em_viz.figures.style.component_colours`.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from em_viz.engine.families.hmm import forward_backward
from em_viz.figures.style import (
    CURVE_FONT_SIZE,
    FONT_SIZE,
    LINE_GREY,
    OUTLINE,
    axis,
    base_layout,
    component_colours,
    translucent,
)


def _blank() -> dict:
    """An axis with no ticks or grid (for diagrams and strips)."""
    return axis(showgrid=False, zeroline=False, showticklabels=False, fixedrange=True)


def _text(x, y, text, name: str, size: int = FONT_SIZE, colour=OUTLINE) -> go.Scatter:
    """Words or numbers at points (``colour`` one or one per point), with no hover."""
    return go.Scatter(
        x=x,
        y=y,
        mode="text",
        text=text,
        textfont={"size": size, "color": colour},
        name=name,
        showlegend=False,
        hoverinfo="skip",
    )


def _filled(x, y, fill: str, colour: str, width: float, name: str) -> go.Scatter:
    """A closed outline filled with ``fill`` (a node, a cell), with no hover."""
    return go.Scatter(
        x=x,
        y=y,
        mode="lines",
        fill="toself",
        fillcolor=fill,
        line={"color": colour, "width": width},
        name=name,
        showlegend=False,
        hoverinfo="skip",
    )


# The transition diagram -----------------------------------------------------------------

NODE_RADIUS = 0.36
LOOP_RADIUS = 0.26
CIRCLE_POINTS = 49


def _node_centres(n_states: int) -> np.ndarray:
    """Nodes evenly on a unit circle, the first on the left; (K, 2)."""
    angles = np.pi + 2 * np.pi * np.arange(n_states) / n_states
    return np.column_stack([np.cos(angles), np.sin(angles)])


def _circle(centre: np.ndarray, radius: float, start: float = 0.0, end: float = 2 * np.pi):
    angles = np.linspace(start, end, CIRCLE_POINTS)
    return centre[0] + radius * np.cos(angles), centre[1] + radius * np.sin(angles)


def _edge_path(source: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A quadratic curve from node to node, bowed to its left (so that i -> j and
    j -> i are two curves), cut at both nodes' rims."""
    chord = target - source
    normal = np.array([-chord[1], chord[0]])
    control = (source + target) / 2 + 0.22 * normal
    t = np.linspace(0, 1, CIRCLE_POINTS)[:, None]
    curve = (1 - t) ** 2 * source + 2 * (1 - t) * t * control + t**2 * target
    outside = (np.linalg.norm(curve - source, axis=1) > NODE_RADIUS) & (
        np.linalg.norm(curve - target, axis=1) > NODE_RADIUS + 0.04
    )
    return curve[outside, 0], curve[outside, 1]


def _outward(centre: np.ndarray) -> np.ndarray:
    """The unit vector from the diagram's centre through a node."""
    return centre / (np.linalg.norm(centre) or 1.0)


def _label_offset(centres: np.ndarray, i: int, j: int) -> np.ndarray:
    """Where the label of arrow i -> j sits from the arrow's middle: beyond a loop, or
    to the side an edge bows to (so that i -> j and j -> i keep apart)."""
    if i == j:
        return 0.22 * _outward(centres[i])
    chord = centres[j] - centres[i]
    return 0.12 * np.array([-chord[1], chord[0]]) / np.linalg.norm(chord)


def _loop_path(centre: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A self-loop outside the node (away from the diagram's centre)."""
    direction = _outward(centre)
    loop_centre = centre + direction * (NODE_RADIUS + LOOP_RADIUS * 0.6)
    facing = np.arctan2(-direction[1], -direction[0])
    return _circle(loop_centre, LOOP_RADIUS, facing + 0.9, facing + 2 * np.pi - 0.9)


def figure_transitions(transmat: np.ndarray, startprob: np.ndarray | None = None) -> go.Figure:
    """The hidden states as nodes and every transition as an arrow whose width is its
    probability A_ij, labelled with it.

    Parameters
    ----------
    transmat : ndarray of shape (K, K)
        Rows sum to 1: A_ij = P(state j next | state i now).
    startprob : ndarray of shape (K,), optional
        Written under each node's name.

    Returns
    -------
    figure : go.Figure
        Traces: K x K arrows (row by row, self-loops included), their labels, then the
        nodes and their names; the same in every state of a run.
    """
    transmat = np.asarray(transmat, dtype=float)
    n_states = len(transmat)
    colours, _ = component_colours(n_states)
    centres = _node_centres(n_states)
    traces, label_x, label_y, labels = [], [], [], []
    for i in range(n_states):
        for j in range(n_states):
            if i == j:
                x, y = _loop_path(centres[i])
            else:
                x, y = _edge_path(centres[i], centres[j])
            width = 1 + 12 * transmat[i, j]
            sizes = np.zeros(len(x))
            sizes[-1] = 10 + 1.2 * width
            traces.append(
                go.Scatter(
                    x=x,
                    y=y,
                    mode="lines+markers",
                    line={"color": colours[i], "width": width},
                    marker={
                        "symbol": "arrow",
                        "angleref": "previous",
                        "size": sizes,
                        "color": colours[i],
                    },
                    name=f"{i + 1} → {j + 1}",
                    showlegend=False,
                    hovertemplate=f"from state {i + 1} to state {j + 1}: "
                    f"A = {transmat[i, j]:.3f}<extra></extra>",
                )
            )
            middle = len(x) // 2
            label = np.array([x[middle], y[middle]]) + _label_offset(centres, i, j)
            label_x.append(label[0])
            label_y.append(label[1])
            labels.append(f"{transmat[i, j]:.2f}")
    traces.append(_text(label_x, label_y, labels, "A"))
    for k, colour in enumerate(colours):
        x, y = _circle(centres[k], NODE_RADIUS)
        traces.append(_filled(x, y, "white", colour, 4, f"state {k + 1}"))
    names = [f"<b>{k + 1}</b>" for k in range(n_states)]
    if startprob is not None:
        names = [f"{name}<br>π {p:.2f}" for name, p in zip(names, startprob, strict=True)]
    traces.append(_text(centres[:, 0], centres[:, 1], names, "states", colour=colours))
    drawn_x = np.concatenate([np.asarray(trace.x, dtype=float) for trace in traces[:-1]])
    drawn_y = np.concatenate([np.asarray(trace.y, dtype=float) for trace in traces[:-1]])
    x_range = [drawn_x.min() - 0.3, drawn_x.max() + 0.3]  # room for a label's width
    y_range = [drawn_y.min() - 0.12, drawn_y.max() + 0.12]
    layout = base_layout(
        "Transitions A",
        font_size=FONT_SIZE,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        xaxis=_blank() | {"range": x_range},
        yaxis=_blank() | {"range": y_range, "scaleanchor": "x"},
    )
    return go.Figure(traces, layout)


# The trellis -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Trellis:
    """Forward-backward's numbers for a window of rolls ``start .. start + W - 1``.

    Attributes
    ----------
    start : int
        The first roll's index in the sequence (0-based).
    symbols : ndarray of shape (W,)
    alpha : ndarray of shape (W, K)
        The scaled forward variable, P(state i at t | rolls 1 .. t).
    beta : ndarray of shape (W, K)
        The scaled backward variable, p(rolls after t | state i at t) over
        p(rolls after t | rolls 1 .. t), so that ``alpha * beta`` is gamma.
    gamma : ndarray of shape (W, K)
        P(state i at t | all rolls).
    xi : ndarray of shape (W - 1, K, K)
        P(state i at t and state j at t + 1 | all rolls).
    """

    start: int
    symbols: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    gamma: np.ndarray
    xi: np.ndarray


def trellis_window(
    symbols: np.ndarray,
    startprob: np.ndarray,
    transmat: np.ndarray,
    log_emission: np.ndarray,
    gamma: np.ndarray,
    start: int,
    width: int,
) -> Trellis:
    """Forward-backward's numbers for the rolls ``start .. start + width - 1`` of one
    sequence, from the engine's recursion and two identities (no recursion of its own).

    alpha at t is the last posterior of forward-backward run on the rolls up to t (the
    filtered distribution); beta is ``gamma / alpha``; and
    ``xi_t(i, j) = alpha_t(i) A_ij gamma_{t+1}(j) / sum_i alpha_t(i) A_ij``, because
    given the next state the rolls after it say nothing more about state t.

    Parameters
    ----------
    symbols : ndarray of shape (T,)
        The whole sequence.
    startprob : ndarray of shape (K,)
    transmat : ndarray of shape (K, K)
    log_emission : ndarray of shape (T, K)
        ``log P(roll t | state k)`` for the whole sequence.
    gamma : ndarray of shape (T, K)
        The E-step's posteriors under the same parameters.
    start, width : int
        The window, inside ``0 .. T - 1`` (``width`` at least 2).

    Returns
    -------
    trellis : Trellis
        beta is 0 where alpha is 0 (a state impossible given the rolls so far).
    """
    window = slice(start, start + width)
    alpha = np.array(
        [
            forward_backward(
                startprob, transmat, log_emission[: t + 1], np.array([0, t + 1])
            ).gamma[-1]
            for t in range(start, start + width)
        ]
    )
    gamma = np.asarray(gamma)[window]
    beta = np.divide(gamma, alpha, out=np.zeros_like(gamma), where=alpha > 0)
    reach = alpha[:-1, :, None] * transmat[None]  # (W - 1, K, K): alpha_t(i) A_ij
    predicted = reach.sum(axis=1, keepdims=True)
    xi = np.divide(
        reach * gamma[1:, None, :], predicted, out=np.zeros_like(reach), where=predicted > 0
    )
    return Trellis(start, np.asarray(symbols)[window], alpha, beta, gamma, xi)


XI_SHOWN = 0.005
"""Edges carrying less than this are drawn (hair-thin) but not labelled: "0.00" on
every unlikely edge would hide the likely ones."""
CELL_WIDTH = 0.56
CELL_HEIGHT = 0.76
ALPHA, BETA, GAMMA = (
    "\N{GREEK SMALL LETTER ALPHA}",
    "\N{GREEK SMALL LETTER BETA}",
    "\N{GREEK SMALL LETTER GAMMA}",
)


def _cell_outline(x: float, y: float) -> tuple[list[float], list[float]]:
    left, right = x - CELL_WIDTH / 2, x + CELL_WIDTH / 2
    bottom, top = y - CELL_HEIGHT / 2, y + CELL_HEIGHT / 2
    return [left, right, right, left, left], [bottom, bottom, top, top, bottom]


def figure_trellis(
    trellis: Trellis, faces: Sequence[str] = ("1", "2", "3", "4", "5", "6")
) -> go.Figure:
    """The trellis of one window: a column per roll, a cell per state with its alpha, beta
    and gamma, shaded by gamma, and an edge per transition as wide as its xi, labelled.

    Parameters
    ----------
    trellis : Trellis
    faces : sequence of str

    Returns
    -------
    figure : go.Figure
        Traces: the edges ((W - 1) x K x K, in time, then row-major order), the xi
        labels, the cells (W x K, column by column), the cells' numbers (alpha, beta,
        gamma from the top), the rows' names for them, the rolls' header; the same in
        every state of a run.
    """
    width, n_states = trellis.gamma.shape
    colours, _ = component_colours(n_states)
    rows = -np.arange(n_states, dtype=float)  # state 1 on top
    traces, label_x, label_y, labels = [], [], [], []
    gap_start, gap_end = CELL_WIDTH / 2, 1 - CELL_WIDTH / 2
    for t in range(width - 1):
        for i in range(n_states):
            for j in range(n_states):
                xi = float(trellis.xi[t, i, j])
                x = [t + gap_start, t + gap_end]
                y = [rows[i] + (rows[j] - rows[i]) * 0.25, rows[j] - (rows[j] - rows[i]) * 0.25]
                traces.append(
                    go.Scatter(
                        x=x,
                        y=y,
                        mode="lines",
                        line={"color": LINE_GREY, "width": 0.5 + 9 * xi},
                        name=f"xi {t} {i} {j}",
                        showlegend=False,
                        hovertemplate=f"P(state {i + 1} at roll {trellis.start + t + 1}, "
                        f"state {j + 1} at roll {trellis.start + t + 2} | all rolls) "
                        f"= {xi:.3f}<extra></extra>",
                    )
                )
                along = 0.5 if i == j else 0.27
                label_x.append(x[0] + along * (x[1] - x[0]))
                label_y.append(
                    y[0]
                    + along * (y[1] - y[0])
                    + (0.09 if i == j else 0.0) * (1 if i == 0 else -1)
                )
                labels.append(f"{xi:.2f}" if xi >= XI_SHOWN else "")
    traces.append(_text(label_x, label_y, labels, "xi", size=CURVE_FONT_SIZE))
    cell_x, cell_y, numbers = [], [], []
    for t in range(width):
        for k in range(n_states):
            x, y = _cell_outline(t, rows[k])
            gamma = float(trellis.gamma[t, k])
            shade = translucent(colours[k], 0.08 + 0.6 * gamma)
            traces.append(_filled(x, y, shade, colours[k], 2, f"cell {t} {k}"))
            cell_x.append(t)
            cell_y.append(rows[k])
            numbers.append(
                f"{trellis.alpha[t, k]:.2f}<br>{trellis.beta[t, k]:.2f}<br><b>{gamma:.2f}</b>"
            )
    traces.append(
        go.Scatter(
            x=cell_x,
            y=cell_y,
            mode="text",
            text=numbers,
            textfont={"size": FONT_SIZE, "color": OUTLINE},
            name="alpha beta gamma",
            showlegend=False,
            customdata=np.column_stack(
                [
                    np.repeat(np.arange(width) + trellis.start + 1, n_states),
                    np.tile(np.arange(1, n_states + 1), width),
                ]
            ),
            hovertemplate="state %{customdata[1]} at roll %{customdata[0]}<extra></extra>",
        )
    )
    row_names = [f"{ALPHA}<br>{BETA}<br><b>{GAMMA}</b>"] * n_states
    traces.append(_text(np.full(n_states, -0.5), rows, row_names, "row names", colour=colours))
    header = [
        f"roll {trellis.start + t + 1}<br><b>{faces[s]}</b>"
        for t, s in enumerate(np.asarray(trellis.symbols, dtype=int))
    ]
    traces.append(_text(np.arange(width), np.full(width, 0.74), header, "rolls"))
    names = [
        {
            "text": f"<b>state {k + 1}</b>",
            "xref": "paper",
            "x": 0,
            "xanchor": "right",
            "y": rows[k],
            "yref": "y",
            "showarrow": False,
            "font": {"size": FONT_SIZE, "color": colour},
        }
        for k, colour in enumerate(colours)
    ]
    layout = base_layout(
        font_size=FONT_SIZE,
        margin={"l": 80, "r": 10, "t": 5, "b": 5},
        xaxis=_blank() | {"range": [-0.7, width - 0.6]},
        yaxis=_blank() | {"range": [rows[-1] - 0.45, 1.05]},
        annotations=names,
        height=90 + 130 * n_states,
    )
    return go.Figure(traces, layout)
