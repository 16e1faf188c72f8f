"""A Bernoulli mixture's images: each component's pixel probabilities as a grey picture,
and sample binary images with their responsibilities under them (the digits demo).

Images sit side by side on one pair of axes, each a heatmap offset by its ``x0`` and
``y0`` (see :func:`_image_axes`). Every figure keeps the same traces in the same order in
every state of a run, so that ``Plotly.react`` updates it in place; component k is drawn
in colour k of :func:`em_viz.figures.style.component_colours`.
"""

import math
from collections.abc import Sequence
from html import escape

import numpy as np
import plotly.graph_objects as go

from em_viz.figures.style import GREY, OUTLINE, axis, base_layout, component_colours

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
    layout = base_layout(
        title,
        xaxis=x_axis,
        yaxis=y_axis,
        shapes=frames,
        annotations=captions,
        coloraxis={
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
        height=round(y_span * pixel) + 2 * FRAME_WIDTH + margin["t"] + margin["b"],
        margin=margin,
    )
    return go.Figure(traces, layout)


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
                "font": {"color": GREY},
            }
        )
    layout = base_layout(
        "Sample digits and their responsibilities r<sub>ik</sub>",
        xaxis={**x_axis, "anchor": "y2"},
        yaxis={**y_axis, "domain": [(ROW_GAP + BARS) / plot_height, 1.0]},
        yaxis2=axis(
            domain=[0.0, BARS / plot_height], range=[0, 1], tickvals=[0, 0.5, 1], fixedrange=True
        ),
        shapes=frames,
        annotations=captions,
        coloraxis={"cmin": 0.0, "cmax": 1.0, "colorscale": GREYS, "showscale": False},
        showlegend=False,
        height=round(plot_height) + margin["t"] + margin["b"],
        margin=margin,
    )
    return go.Figure([*pictures, bars], layout)
