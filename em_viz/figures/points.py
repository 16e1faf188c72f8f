"""The data's points and the axes that frame them, shared by every view of the data (the
mixture figure, the pairs grid, the principal components): the points' marker, their
colours mixed from responsibilities, their hover, and the axes' ranges and scale.
"""

from collections.abc import Sequence

import numpy as np

from em_viz.figures.geometry import mix_colours, quantised_colours
from em_viz.figures.style import GREY, RANGE_MARGIN, axis, to_rgb

WEBGL_ABOVE = 1_000
"""Above this many points they are drawn with WebGL (fast for large N). The ellipses and
means stay SVG, so that they glide: Plotly draws WebGL above SVG, so the page layers the
WebGL canvas below the SVG (``ui/plot.js``) and exports draw all with one renderer
(:func:`em_viz.figures.export.one_renderer`)."""

HOLLOW = "circle-open"
"""The symbol of a point with a missing coordinate, drawn where EM expects it."""
SYMBOL_CODES = {"circle": 0, HOLLOW: 100}
"""Plotly's numbers for the points' symbols: sent as one small integer array, not a
string per point."""

EQUAL_SCALE_RATIO = 3.0
"""Axes whose spans differ by less than this factor share one scale (true shapes)."""


def feature_ranges(X: np.ndarray) -> np.ndarray:
    """Each feature's data range, (D, 2), with a margin of ``RANGE_MARGIN`` of its own
    extent (one unit where the data do not vary along it); missing entries (NaN) are
    left out."""
    columns = np.asarray(X).T  # one column at a time: many times faster than axis=0 on (N, 2)
    low = np.array([np.nanmin(column) for column in columns])
    high = np.array([np.nanmax(column) for column in columns])
    margin = np.where(high > low, RANGE_MARGIN * (high - low), 1.0)
    return np.column_stack([low - margin, high + margin])


def comparable_spans(x_range: Sequence[float], y_range: Sequence[float]) -> bool:
    """Whether the axes span similar lengths, so that one scale suits both: then circles
    look round. Axes in different units (Old Faithful's minutes of eruption and of
    waiting) get a scale each, so the data fill the plot."""
    ratio = (x_range[1] - x_range[0]) / (y_range[1] - y_range[0])
    return 1 / EQUAL_SCALE_RATIO <= ratio <= EQUAL_SCALE_RATIO


def data_axes(X: np.ndarray, names: Sequence[str]) -> tuple[dict, dict]:
    """The x and y axes of every view of the data ``X`` (N, 2), titled ``names``: its
    ranges with a margin, and one scale for both when their spans are alike (Plotly then
    widens one range to the plot's shape, so views of one size show the same ranges)."""
    x_range, y_range = feature_ranges(X).tolist()
    x_axis = axis(names[0], range=x_range, autorange=False)
    y_axis = axis(names[1], range=y_range, autorange=False)
    if comparable_spans(x_range, y_range):
        y_axis.update(scaleanchor="x", scaleratio=1)
    return x_axis, y_axis


def point_style(n_samples: int) -> tuple[int, float]:
    """Marker size (px) and opacity of the points: smaller and more see-through for
    more points, so that dense clouds keep their shape and the ellipses and means over
    them stay in view."""
    if n_samples <= WEBGL_ABOVE:
        return 9, 0.75
    return (6, 0.5) if n_samples <= 10_000 else (4, 0.3)


def coloured_points(
    n_samples: int, resp: np.ndarray | None, palette_rgb: np.ndarray, size: float, opacity: float
) -> tuple[np.ndarray, str, dict]:
    """What every picture of the points shares: their marker, coloured by
    responsibility-weighted component colours (grey before any E-step) quantised to a
    small palette, and ``customdata`` holding each point's index and responsibilities
    (float32: exact for the index, ample for three decimals, half the bytes sent per
    rerun), with the hover lines that read them.

    Returns
    -------
    customdata : ndarray of shape (n_samples, 1 + n_components), or (n_samples, 1)
    hover : str
        The hover lines after the coordinates.
    marker : dict
    """
    index = np.arange(n_samples, dtype=np.float32)[:, None]
    if resp is None:
        rgb = np.broadcast_to(to_rgb([GREY]), (n_samples, 3))
        customdata, hover = index, "<br>no E-step yet"
    else:
        rgb = mix_colours(resp, palette_rgb)
        customdata = np.hstack([index, resp.astype(np.float32)])
        hover = "".join(
            f"<br>P(component {k + 1}) = %{{customdata[{k + 1}]:.3f}}"
            for k in range(resp.shape[1])
        )
    colour_index, colorscale = quantised_colours(rgb)
    marker = {
        "color": colour_index,
        "colorscale": colorscale,
        "cmin": -0.5,
        "cmax": len(colorscale) // 2 - 0.5,
        "showscale": False,
        "size": size,
        "opacity": opacity,
    }
    return customdata, hover, marker


def points_trace(
    X: np.ndarray,
    resp: np.ndarray | None,
    palette_rgb: np.ndarray,
    names: Sequence[str],
    incomplete: np.ndarray | None = None,
) -> dict:
    """The data ``X`` (N, 2) as :func:`coloured_points` colours them, as Plotly's JSON;
    the points marked in ``incomplete`` (N,) hollow, as expected rather than seen."""
    customdata, extra, marker = coloured_points(len(X), resp, palette_rgb, *point_style(len(X)))
    hover = (
        f"point %{{customdata[0]}}<br>{names[0]} = %{{x:.4g}}<br>{names[1]} = %{{y:.4g}}{extra}"
    )
    if incomplete is not None and incomplete.any():
        codes = np.where(incomplete, SYMBOL_CODES[HOLLOW], SYMBOL_CODES["circle"])
        marker["symbol"] = codes.astype(np.uint8)
        marker["line"] = {"width": np.where(incomplete, 2.0, 0.0)}  # a ring for the hollow only
    return dict(
        type="scattergl" if len(X) > WEBGL_ABOVE else "scatter",
        x=X[:, 0],
        y=X[:, 1],
        mode="markers",
        name="Data points",
        showlegend=False,
        marker=marker,
        customdata=customdata,
        hovertemplate=hover + "<extra></extra>",
    )
