"""Plotly figures of a Bernoulli-mixture run: model state in, ``go.Figure`` out.

Three demos draw on these: two coins tossed in sets (Do & Batzoglou), single flips of
several coins (only the overall rate of heads is identifiable) and binarised 8x8 digits
(each component's pixel probabilities shown as an image). Like :mod:`em_viz.figures`,
every figure keeps the same traces in the same order in every state of a run, so that
``Plotly.react`` updates it in place; component k is drawn in colour k of
:func:`em_viz.figures.geometry.component_colours`.
"""

import math
from collections.abc import Sequence
from html import escape

import numpy as np
import plotly.graph_objects as go

from em_viz.engine.stepper import Record
from em_viz.figures.geometry import component_colours
from em_viz.figures.mixture import (
    CURVE_FONT_SIZE,
    FONT_SIZE,
    OUTLINE,
    PHASE_STYLE,
    WHITE,
    WHITE_AXIS,
    half_step_x,
    iteration_axis,
)

IMAGES_PER_ROW = 6
"""Prototype images per row at most: more components wrap onto further rows."""

COLUMN_WIDTH = 760
"""The width in px the pages give a figure at 1280x720: image figures take their height
from it, so that their images come out large, with no empty bands."""

MAX_IMAGE = 190
"""The widest an image is planned, in px (when few share the width)."""

IMAGE_GAP = 0.3
"""Horizontal gap between neighbouring images, as a fraction of an image's width."""

CAPTION = 24
"""Height in px of one line of an image's title."""

ROW_GAP = 14
"""Vertical gap in px between rows of images, or between a digit and its bars."""

COLOUR_BAR = 90
"""Width in px kept right of the prototypes for their colour bar."""

BARS = 110
"""Height in px of the responsibility bars under each digit."""

GREYS = [[0.0, "#FFFFFF"], [1.0, "#000000"]]
"""Probability 0 white, 1 black: ink on paper, as the digits were written."""

FRAME_WIDTH = 3
"""Width in px of the frame around each image (in its component's colour)."""

DIGIT_FRAME = "#BBBBBB"
NO_E_STEP_GREY = "#8C8C8C"

RATE_LINE = "#9A9A9A"
"""The model's overall rate: a broad grey band, so that the observed rate's dashed line
stays visible on top of it when the two agree."""


def _pixel_size(n_columns: int, columns: int, plot_width: float) -> float:
    """Planned px per image pixel: ``n_columns`` images ``columns`` pixels wide, with
    their gaps, across ``plot_width`` px (each image at most ``MAX_IMAGE`` px wide)."""
    span = columns * (n_columns + IMAGE_GAP * (n_columns - 1))
    return min(plot_width / span, MAX_IMAGE / columns)


def _image_axes(
    x_span: float, y_span: float, pixel: float, plot_width: float
) -> tuple[dict, dict]:
    """The x and y axes that all images of a figure share, in image pixels: square
    pixels, y downwards (row 0 at the top), no ticks.

    Images sit side by side on one pair of axes, each a heatmap offset by its ``x0`` and
    ``y0``: one pair of axes lays out much faster than a subplot each, and titles and
    frames placed in data coordinates stay on their image whatever the figure's size.
    ``x_span`` and ``y_span`` are the images' extent in image pixels, ``pixel`` the
    planned px per image pixel; the ranges leave room for the frames' outer half.
    """
    pad = FRAME_WIDTH / pixel
    common = {
        "showgrid": False,
        "zeroline": False,
        "showticklabels": False,
        "ticks": "",
        "constrain": "domain",
        "fixedrange": True,
    }
    x_axis = {
        **common,
        "domain": [0.0, min((x_span + 2 * pad) * pixel / plot_width, 1.0)],
        "range": [-0.5 - pad, x_span - 0.5 + pad],
        "constraintoward": "left",
    }
    y_axis = {
        **common,
        "range": [y_span - 0.5 + pad, -0.5 - pad],
        "scaleanchor": "x",
        "constraintoward": "bottom",
    }
    return x_axis, y_axis


def _image(z: np.ndarray, x0: float, y0: float, name: str, **options) -> dict:
    """One image as a heatmap on the shared grey colour axis, its top-left pixel's
    centre at (``x0``, ``y0``). A plain dict: ``go.Figure`` validates it once, where a
    ``go.Heatmap`` would be validated twice (the figures are redrawn every half-step)."""
    return {
        "type": "heatmap",
        "z": z,
        "x0": x0,
        "dx": 1,
        "y0": y0,
        "dy": 1,
        "coloraxis": "coloraxis",
        "name": name,
        **options,
    }


def _frame(x0: float, y0: float, image_shape: tuple[int, int], colour: str) -> dict:
    """A rectangle around the image whose top-left pixel's centre is (``x0``, ``y0``)."""
    rows, columns = image_shape
    return {
        "type": "rect",
        "xref": "x",
        "yref": "y",
        "x0": x0 - 0.5,
        "x1": x0 + columns - 0.5,
        "y0": y0 - 0.5,
        "y1": y0 + rows - 0.5,
        "line": {"color": colour, "width": FRAME_WIDTH},
        "layer": "above",
    }


def _caption(text: str, x0: float, y0: float, columns: int) -> dict:
    """A title just above the image whose top-left pixel's centre is (``x0``, ``y0``)."""
    return {
        "text": text,
        "x": x0 + (columns - 1) / 2,
        "y": y0 - 0.5,
        "xref": "x",
        "yref": "y",
        "xanchor": "center",
        "yanchor": "bottom",
        "showarrow": False,
    }


def figure_prototypes(
    probabilities: np.ndarray,
    weights: np.ndarray,
    image_shape: tuple[int, int] = (8, 8),
    *,
    title: str | None = None,
) -> go.Figure:
    """Each component's pixel probabilities as a grey image (what it "thinks" a digit
    looks like), framed in its colour and titled with its weight.

    Parameters
    ----------
    probabilities : ndarray of shape (K, D)
        ``P(pixel d = 1 | component k)``, in [0, 1]; ``D = rows * columns``.
    weights : ndarray of shape (K,)
        The mixing weights, written over the images.
    image_shape : (int, int), default=(8, 8)
        Rows and columns of one image; row 0 is drawn at the top.
    title : str, optional

    Returns
    -------
    figure : go.Figure
        One heatmap per component, in order, each offset on one shared pair of axes
        (``x0``, ``y0``), on one grey colour axis (white 0, black 1) with its colour
        bar; up to ``IMAGES_PER_ROW`` images a row. Its height fits the rows at
        ``COLUMN_WIDTH`` px wide.
    """
    probabilities = np.asarray(probabilities, dtype=float)
    n_components = len(probabilities)
    rows, columns = image_shape
    hex_colours, _ = component_colours(n_components)
    n_rows = max(1, math.ceil(n_components / IMAGES_PER_ROW))
    n_columns = max(1, math.ceil(n_components / n_rows))
    margin = {"l": 20, "r": 10, "t": 50 if title else 10, "b": 10}
    plot_width = COLUMN_WIDTH - margin["l"] - margin["r"]
    pixel = _pixel_size(n_columns, columns, plot_width - COLOUR_BAR)
    two_lines = n_columns > 3  # "Component 10 · π = 0.33" is wider than a quarter
    caption = CAPTION * (2 if two_lines else 1) / pixel
    step_x, step_y = columns * (1 + IMAGE_GAP), caption + rows + ROW_GAP / pixel
    traces, frames, captions = [], [], []
    for k, (probs, weight, colour) in enumerate(
        zip(probabilities, weights, hex_colours, strict=True)
    ):
        x0, y0 = k % n_columns * step_x, k // n_columns * step_y + caption
        name = f"Component {k + 1}"
        hover = f"{name}<br>P(pixel = 1) = %{{z:.2f}}<extra></extra>"
        traces.append(_image(probs.reshape(image_shape), x0, y0, name, hovertemplate=hover))
        frames.append(_frame(x0, y0, image_shape, colour))
        text = (
            f"<b style='color:{colour}'>{name}</b>{'<br>' if two_lines else ' · '}π = {weight:.2f}"
        )
        captions.append(_caption(text, x0, y0, columns))
    x_span = n_columns * step_x - IMAGE_GAP * columns
    y_span = n_rows * step_y - ROW_GAP / pixel
    x_axis, y_axis = _image_axes(x_span, y_span, pixel, plot_width)
    layout = {
        **WHITE,
        "font": {**WHITE["font"], "size": CURVE_FONT_SIZE},
        "title": {"text": title, "font": {"size": FONT_SIZE}, "x": 0.02},
        "xaxis": x_axis,
        "yaxis": y_axis,
        "shapes": frames,
        "annotations": captions,
        "coloraxis": {
            "cmin": 0.0,
            "cmax": 1.0,
            "colorscale": GREYS,
            "colorbar": {
                "title": {"text": "P(pixel = 1)", "side": "right"},
                "thickness": 14,
                "len": 1.0,
                "outlinewidth": 1,
                "outlinecolor": OUTLINE,
                "tickvals": [0, 0.5, 1],
                "x": x_axis["domain"][1] + 0.03,
                "xanchor": "left",
            },
        },
        "height": round(y_span * pixel) + 2 * FRAME_WIDTH + margin["t"] + margin["b"],
        "margin": margin,
    }
    return go.Figure(traces, layout)


def _bar_layout(x_title: str) -> dict:
    """The white look for a bar chart of probabilities: y fixed to [0, 1], no title (the
    page says what it shows; a title would crowd a narrow column)."""
    return {
        **WHITE,
        "font": {**WHITE["font"], "size": FONT_SIZE},
        "hovermode": "closest",
        "margin": {"l": 70, "r": 20, "t": 70, "b": 60},
        "xaxis": {**WHITE_AXIS, "title": {"text": x_title, "standoff": 4}, "fixedrange": True},
        "yaxis": {**WHITE_AXIS, "range": [0, 1], "tickvals": [0, 0.25, 0.5, 0.75, 1]},
    }


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


def figure_digit_responsibilities(
    images: np.ndarray,
    resp: np.ndarray | None,
    image_shape: tuple[int, int] = (8, 8),
    *,
    labels: Sequence[int | str] | None = None,
) -> go.Figure:
    """A few sample digits, and under each its responsibilities: which components
    claim it, and how surely.

    Parameters
    ----------
    images : ndarray of shape (M, D)
        The digits, 0/1 pixels (about 6-10 of them); ``D = rows * columns``.
    resp : ndarray of shape (M, K) or None
        Their responsibilities ``r_ik`` from the latest E-step; None before the first
        E-step (the bars are then empty and the figure says so).
    image_shape : (int, int), default=(8, 8)
    labels : sequence of int or str, optional
        The digits' true classes, written over them ("a 3").

    Returns
    -------
    figure : go.Figure
        Traces: the M images (heatmaps on axes x, y), then one bar trace (on x, y2) of
        K bars under each digit, ``resp`` row by row (no bars before the first E-step);
        the same M + 1 traces in every state. Its height fits ``COLUMN_WIDTH`` px wide.
    """
    images = np.asarray(images, dtype=float)
    n_images = len(images)
    rows, columns = image_shape
    margin = {"l": 40, "r": 10, "t": 50, "b": 10}
    plot_width = COLUMN_WIDTH - margin["l"] - margin["r"]
    pixel = _pixel_size(n_images, columns, plot_width)
    caption = CAPTION / pixel if labels is not None else 0.0
    step_x = columns * (1 + IMAGE_GAP)
    n_components = 0 if resp is None else resp.shape[1]
    hex_colours, _ = component_colours(n_components)
    bar_width = columns / max(n_components, 1)
    bar_x = np.arange(n_images)[:, None] * step_x + (np.arange(n_components) + 0.5) * bar_width
    pictures, frames, captions = [], [], []
    for i, pixels in enumerate(images):
        x0 = i * step_x
        name = f"sample {i + 1}"
        pictures.append(_image(pixels.reshape(image_shape), x0, caption, name, hoverinfo="skip"))
        frames.append(_frame(x0, caption, image_shape, DIGIT_FRAME))
        if labels is not None:
            captions.append(_caption(f"a {escape(str(labels[i]))}", x0, caption, columns))
    bars = {
        "type": "bar",
        "x": bar_x.ravel() - 0.5,
        "y": np.zeros(0) if resp is None else np.asarray(resp, dtype=float).ravel(),
        "width": 0.85 * bar_width,
        "marker": {"color": hex_colours * n_images},
        "yaxis": "y2",
        "name": "responsibilities",
        "customdata": np.indices((n_images, n_components)).reshape(2, -1).T + 1,
        "hovertemplate": (
            "sample %{customdata[0]}, component %{customdata[1]}<br>r = %{y:.3f}<extra></extra>"
        ),
    }
    x_span = n_images * step_x - IMAGE_GAP * columns
    y_span = caption + rows
    plot_height = y_span * pixel + 2 * FRAME_WIDTH + ROW_GAP + BARS
    x_axis, y_axis = _image_axes(x_span, y_span, pixel, plot_width)
    if resp is None:
        captions.append(
            {
                "text": "no E-step yet",
                "x": (x_span - 1) / 2,
                "y": 0.5,
                "xref": "x",
                "yref": "y2",
                "showarrow": False,
                "font": {"color": NO_E_STEP_GREY},
            }
        )
    layout = {
        **WHITE,
        "font": {**WHITE["font"], "size": CURVE_FONT_SIZE},
        "title": {
            "text": "Sample digits and their responsibilities r<sub>ik</sub>",
            "font": {"size": FONT_SIZE},
            "x": 0.02,
        },
        "xaxis": {**x_axis, "anchor": "y2"},
        "yaxis": {**y_axis, "domain": [(ROW_GAP + BARS) / plot_height, 1.0]},
        "yaxis2": {
            **WHITE_AXIS,
            "domain": [0.0, BARS / plot_height],
            "range": [0, 1],
            "tickvals": [0, 0.5, 1],
            "fixedrange": True,
        },
        "shapes": frames,
        "annotations": captions,
        "coloraxis": {"cmin": 0.0, "cmax": 1.0, "colorscale": GREYS, "showscale": False},
        "showlegend": False,
        "height": round(plot_height) + margin["t"] + margin["b"],
        "margin": margin,
    }
    return go.Figure([*pictures, bars], layout)


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
        go.Scatter(
            x=np.full(paths.shape[1], half_step_x(current)),
            y=current.probabilities[:, feature],
            mode="markers",
            name="shown now",
            showlegend=False,
            marker={"symbol": "circle-open", "size": 22, "color": OUTLINE, "line": {"width": 3}},
            cliponaxis=False,
            hoverinfo="skip",
        )
    )
    key = " · ".join(
        f"{symbol} {PHASE_STYLE[phase][0]}"
        for phase, symbol in (("init", "■"), ("E", "◆"), ("M", "●"))
    )
    layout = {
        **WHITE,
        "font": {**WHITE["font"], "size": CURVE_FONT_SIZE},
        "title": {
            "text": f"Each coin's bias, step by step<br><sup>{key} · ○ shown now</sup>",
            "font": {"size": FONT_SIZE},
            "x": 0.02,
        },
        "hovermode": "closest",
        "legend": {"orientation": "h", "x": 0, "y": -0.22, "yanchor": "top"},
        "margin": {"l": 70, "r": 20, "t": 70, "b": 90},
        "xaxis": iteration_axis(history),
        "yaxis": {
            **WHITE_AXIS,
            "title": {"text": "P(heads)"},
            "range": [0, 1],
            "tickvals": [0, 0.25, 0.5, 0.75, 1],
        },
    }
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
            line={"color": RATE_LINE, "width": 8},
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
