"""The figures' house style: one colour table, one base layout, one "shown now" ring.

Every figure's layout is :func:`base_layout` plus what is its own, and every axis is
:func:`axis`, so that all pages share one white look and one set of font sizes.
"""

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.colors import hex_to_rgb

FONT_SIZE = 18
"""Base font size in px: readable on a projector at 1280x720."""

CURVE_FONT_SIZE = 15
"""Figures in narrower columns (curves, images) have smaller ticks and legends."""

PRESENTER_FONT_SIZE = 18
"""The smallest font in presenter mode (:func:`for_presenter`): ticks, legends, labels."""

# --- colours ------------------------------------------------------------------------

BLACK = "#000000"
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
VERMILLION = "#D55E00"
OUTLINE = "#222222"
"""Outlines of markers and bars, dashed reference lines, and the "shown now" ring."""

GREY = "#8C8C8C"
"""What has no component yet: points before the first E-step, unconverged starts."""

LINE_GREY = "#9A9A9A"
"""Lines that carry no component: the objective's line, the model's overall rate."""

PALETTE_HEX: tuple[str, ...] = (
    BLUE,  # Okabe-Ito
    ORANGE,  # Okabe-Ito
    GREEN,  # bluish green (Okabe-Ito)
    "#CC79A7",  # reddish purple (Okabe-Ito)
    "#56B4E9",  # sky blue (Okabe-Ito)
    VERMILLION,  # Okabe-Ito
    "#440099",  # violet
    "#993355",  # raspberry
    "#662200",  # brown
    "#9966FF",  # lavender
)
"""Colour-blind-safe component colours: Okabe-Ito without its yellow (faint on white
through a projector) and black (kept for outlines), then four chosen to stay as far
from every other colour as Okabe-Ito's closest pair is, for normal vision and under
simulated deuteranopia, protanopia and tritanopia (the distances are tested)."""


def to_rgb(hex_colours: Sequence[str]) -> np.ndarray:
    """``"#rrggbb"`` colours as an (n, 3) float array in [0, 255]."""
    return np.array([hex_to_rgb(colour) for colour in hex_colours], dtype=float).reshape(-1, 3)


def translucent(hex_colour: str, alpha: float) -> str:
    """``hex_colour`` as a CSS ``rgba(...)`` with opacity ``alpha`` (for fills)."""
    red, green, blue = hex_to_rgb(hex_colour)
    return f"rgba({red}, {green}, {blue}, {alpha})"


PALETTE: np.ndarray = to_rgb(PALETTE_HEX).astype(np.uint8)
"""``PALETTE_HEX`` as an (n_colours, 3) uint8 RGB array."""
PALETTE.flags.writeable = False


def component_colours(n_components: int) -> tuple[list[str], np.ndarray]:
    """The colours of components 1..n_components, cycling through the palette.

    Parameters
    ----------
    n_components : int

    Returns
    -------
    hex : list of str
        ``"#rrggbb"`` strings, for lines and markers.
    rgb : ndarray of shape (n_components, 3)
        The same colours as floats in [0, 255], for
        :func:`~em_viz.figures.geometry.mix_colours`.
    """
    rows = np.arange(n_components) % len(PALETTE_HEX)
    return [PALETTE_HEX[i] for i in rows], PALETTE[rows].astype(float)


PHASE_STYLE = {
    "init": ("Start", "square", BLACK),
    "E": ("E-step", "diamond", ORANGE),
    "M": ("M-step", "circle", BLUE),
    "moved": ("moved", "star", VERMILLION),  # a mean moved by hand
}
"""Markers per phase of a half-step (a mean moved by hand too): legend name, symbol and
colour."""

# --- layout -------------------------------------------------------------------------

_WHITE = {
    "paper_bgcolor": "white",
    "plot_bgcolor": "white",
    "font": {"color": "#2a3f5f"},
}
"""Plotly's "plotly_white" look, set directly: naming the template costs about 20 ms of
validation per figure, a tenth of a step's budget."""

GRID = "rgba(5, 68, 168, 0.08)"
"""plotly_white's grid (#EBF0F8 on white), see-through: the page draws WebGL points
below the axes (``ui/plot.js``), and an opaque grid would cut light lines through them."""

_WHITE_AXIS = {  # no automargin: it makes Plotly.react redraw instead of animating
    "gridcolor": GRID,
    "linecolor": GRID,
    "zerolinecolor": GRID,
    "zerolinewidth": 2,
    "ticks": "",
}


RANGE_MARGIN = 0.08
"""Axis margin around the data, as a fraction of the data's extent along the axis."""


def axis(title: str | None = None, *, standoff: int | None = None, **options) -> dict:
    """An axis in the white look, titled ``title`` (``standoff`` px from its ticks), with
    Plotly's axis ``options`` on top."""
    shown = {**_WHITE_AXIS}
    if title is not None:
        shown["title"] = {"text": title}
        if standoff is not None:
            shown["title"]["standoff"] = standoff
    return {**shown, **options}


def base_layout(title: str | None = None, *, font_size: int = CURVE_FONT_SIZE, **parts) -> dict:
    """The layout every figure starts from: white, fonts of ``font_size`` px, hover on
    the nearest point, and ``title`` (if any) at the top left in ``FONT_SIZE``.

    ``parts`` are the figure's own layout entries (axes, legend, margin, ...).
    """
    layout = {**_WHITE, "font": {**_WHITE["font"], "size": font_size}, "hovermode": "closest"}
    if title is not None:
        layout["title"] = {"text": title, "font": {"size": FONT_SIZE}, "x": 0.02}
    return {**layout, **parts}


def _lift_fonts(part: dict | list, size: int) -> None:
    """Every ``*font`` entry's size in ``part`` (a figure's dict, in place) at least ``size``."""
    items = part.items() if isinstance(part, dict) else enumerate(part)
    for name, value in items:
        if isinstance(name, str) and name.endswith("font") and isinstance(value, dict):
            value["size"] = max(value.get("size") or 0, size)
        if isinstance(value, dict | list):
            _lift_fonts(value, size)


def for_presenter(figure: go.Figure, size: int = PRESENTER_FONT_SIZE) -> go.Figure:
    """``figure`` for a lecture hall: every font (the layout's, ticks, legend, titles,
    annotations, texts on traces) at least ``size`` px, a legend's entries in pixels
    widened to match; a new figure."""
    content = figure.to_dict()
    layout = content["layout"]
    legend = layout.get("legend", {})
    legend_font = legend.get("font", layout.get("font", {})).get("size") or size
    layout.setdefault("font", {})
    _lift_fonts(content, size)
    if legend.get("entrywidthmode") == "pixels" and legend_font < size:
        legend["entrywidth"] *= size / legend_font  # room for the larger names
    return go.Figure(content, skip_invalid=True)


def legend_below(y: float, **options) -> dict:
    """A horizontal legend under the plot, its top ``y`` (a fraction of the plot's height,
    negative) from the plot's bottom."""
    return {"orientation": "h", "x": 0, "y": y, "yanchor": "top", **options}


RING_SIZE = 22
"""The "shown now" ring's diameter in px, around markers of about 11 px."""


def ring(
    x: Sequence[float], y: Sequence[float], colour: str = OUTLINE, size: int = RING_SIZE, **options
) -> dict:
    """Open circles around the values shown elsewhere on the page (the history slider's
    record), unhovered; ``options`` are the trace's own (``name``, ``showlegend``, ...)."""
    return dict(
        type="scatter",
        x=x,
        y=y,
        mode="markers",
        marker={"symbol": "circle-open", "size": size, "color": colour, "line": {"width": 3}},
        hoverinfo="skip",
        **options,
    )
