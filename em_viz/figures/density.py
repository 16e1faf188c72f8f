"""Large data as a picture: a 2-D histogram of the points, each cell coloured by its
points' responsibilities, instead of a marker per point.

From about fifty thousand points, markers overplot: the picture is a blot whose colour is
that of whichever point came last, and the browser spends its time on points nobody can
tell apart. A shading says what the points said (where they are, and to which component
they belong) in a fixed number of cells: each cell takes the mixed colour of its points
(their mean responsibilities mixed in OKLab, as :func:`~em_viz.figures.geometry.mix_colours`
mixes one point's), and an opacity growing with the logarithm of its count, so dense
regions read and sparse ones fade. The cells are sent as one PNG: a few tens of
kilobytes whatever the number of points.
"""

import base64
import io
from dataclasses import dataclass

import numpy as np
from PIL import Image

from em_viz.figures.geometry import mix_colours
from em_viz.figures.style import GREY, to_rgb

DENSITY_ABOVE = 50_000
"""Above this many points they are drawn as a shading (:func:`density_trace`)."""

CELLS = 240
"""Cells along the longer axis of the data (in data units when both axes share a scale)."""

MIN_OPACITY = 0.2
"""A cell holding one point: faint, but there."""

DENSITY_NAME = "Data points (shaded by count)"


@dataclass(frozen=True)
class Grid:
    """Square-ish cells over the axes' ranges: cell (row, column) spans ``x0 + column *
    dx`` to ``x0 + (column + 1) * dx`` and ``y0 + row * dy`` to ``y0 + (row + 1) * dy``.
    """

    x0: float
    y0: float
    dx: float
    dy: float
    shape: tuple[int, int]
    """(rows, columns): cells along y, along x."""


def density_grid(
    x_range: list[float], y_range: list[float], same_scale: bool, cells: int = CELLS
) -> Grid:
    """The cells that cover the ranges: ``cells`` along the longer axis, and with
    ``same_scale`` (axes drawn at one scale) as many along the other as keep them square;
    otherwise ``cells`` along both, square on the screen rather than in the data."""
    spans = np.array([x_range[1] - x_range[0], y_range[1] - y_range[0]], dtype=float)
    counts = np.full(2, cells)
    if same_scale:
        counts = np.maximum(1, np.rint(cells * spans / spans.max())).astype(int)
    dx, dy = spans / counts
    return Grid(float(x_range[0]), float(y_range[0]), float(dx), float(dy), (counts[1], counts[0]))


def cell_of(points: np.ndarray, grid: Grid) -> np.ndarray:
    """Each point's cell as a flat index (row-major, rows along y), -1 for a point off
    the grid or with a missing coordinate.

    Parameters
    ----------
    points : ndarray of shape (N, 2)

    Returns
    -------
    cells : ndarray of shape (N,) of intp
    """
    rows, columns = grid.shape
    with np.errstate(invalid="ignore"):
        column = np.floor((points[:, 0] - grid.x0) / grid.dx)
        row = np.floor((points[:, 1] - grid.y0) / grid.dy)
        inside = (column >= 0) & (column < columns) & (row >= 0) & (row < rows)
    flat = np.full(len(points), -1, dtype=np.intp)
    flat[inside] = row[inside].astype(np.intp) * columns + column[inside].astype(np.intp)
    return flat


def density_rgba(
    cells: np.ndarray, grid: Grid, resp: np.ndarray | None, palette_rgb: np.ndarray
) -> np.ndarray:
    """The shading's pixels, one per cell.

    Parameters
    ----------
    cells : ndarray of shape (N,)
        Each point's cell (:func:`cell_of`), -1 for none.
    grid : Grid
    resp : ndarray of shape (N, K) or None
        Responsibilities; None (before any E-step) shades every cell grey.
    palette_rgb : ndarray of shape (K, 3)
        The components' colours in [0, 255].

    Returns
    -------
    rgba : ndarray of shape (rows, columns, 4) of uint8
        A cell's colour is :func:`~em_viz.figures.geometry.mix_colours` of its points'
        mean responsibilities; its alpha ``MIN_OPACITY`` for one point rising with the
        log of the count to 1 at the fullest cell; an empty cell is transparent.
    """
    size = grid.shape[0] * grid.shape[1]
    on_grid = cells >= 0
    at = cells[on_grid]
    counts = np.bincount(at, minlength=size)
    filled = counts > 0
    rgba = np.zeros((size, 4))
    if resp is None:
        rgba[filled, :3] = to_rgb([GREY])
    else:
        weights = np.asarray(resp, dtype=float)[on_grid]
        sums = np.stack([np.bincount(at, w, minlength=size) for w in weights.T], axis=1)
        rgba[filled, :3] = mix_colours(sums[filled] / counts[filled, None], palette_rgb)
    fullest = counts.max(initial=0)
    share = np.log(counts[filled]) / np.log(fullest) if fullest > 1 else 1.0
    rgba[filled, 3] = 255 * (MIN_OPACITY + (1 - MIN_OPACITY) * share)
    return np.rint(rgba).astype(np.uint8).reshape(*grid.shape, 4)


def png_uri(rgba: np.ndarray) -> str:
    """An (rows, columns, 4) uint8 picture as a PNG data URI, row 0 first (Plotly draws
    an image's row 0 at ``y0``: the bottom on an upward y axis)."""
    buffer = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buffer, format="PNG", compress_level=3)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def density_trace(
    points: np.ndarray,
    resp: np.ndarray | None,
    palette_rgb: np.ndarray,
    x_range: list[float],
    y_range: list[float],
    same_scale: bool,
) -> dict:
    """The points as one image trace (Plotly's JSON) over the axes' ranges: the shading
    of :func:`density_rgba` on :func:`density_grid`'s cells, in data coordinates, so that
    it lines up with whatever is drawn over it. No hover: a cell is not a point.

    Parameters
    ----------
    points : ndarray of shape (N, 2)
        Where the points are drawn (a missing coordinate filled in).
    resp, palette_rgb
        As :func:`density_rgba`'s.
    x_range, y_range : list of two floats
        The axes' ranges; points outside them are left out, as a plot leaves them out.
    same_scale : bool
        Whether the axes share one scale (then the cells are square in the data).
    """
    grid = density_grid(x_range, y_range, same_scale)
    rgba = density_rgba(cell_of(np.asarray(points, dtype=float), grid), grid, resp, palette_rgb)
    return dict(
        type="image",
        source=png_uri(rgba),
        x0=grid.x0 + grid.dx / 2,  # x0, y0: the first cell's centre
        y0=grid.y0 + grid.dy / 2,
        dx=grid.dx,
        dy=grid.dy,
        zsmooth="fast",  # the browser scales the picture itself, smoothly
        name=DENSITY_NAME,
        hoverinfo="skip",
    )


def image_axes(x_axis: dict, y_axis: dict) -> None:
    """Keep the axes (``data_axes``'s, changed in place) as they are with points: with
    an image on them, Plotly would otherwise lock the y axis to the x axis's scale and
    shrink the plot to fit, rather than widen a range."""
    for each in (x_axis, y_axis):
        each.setdefault("constrain", "range")
    y_axis.setdefault("scaleanchor", False)
