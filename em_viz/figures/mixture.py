"""The mixture figure: the data coloured by responsibilities, each component's mean and
covariance ellipses; and the data alone for placing initial means by hand.

The mixture figure always has the same traces in the same order (optional click grid,
data points, a white halo under every 1-sigma ellipse, then per component its 2- and
3-sigma ellipses, its 1-sigma ellipse and its numbered mean, and last the legend's key to
the line styles), so that Plotly can animate one state into the next: an E-step changes
only the points' colours, an M-step only the ellipses and means. The legend holds the key
alone, one row whatever K; a component's number sits beside its mean and its name in the
hover.
"""

from collections.abc import Sequence
from html import escape

import numpy as np
import plotly.graph_objects as go

from em_viz.engine.families.gaussian import GaussianParams
from em_viz.figures.contours import contour_trace
from em_viz.figures.density import DENSITY_ABOVE, density_trace, image_axes
from em_viz.figures.geometry import ellipses_path
from em_viz.figures.points import HOLLOW, comparable_spans, data_axes, feature_ranges, points_trace
from em_viz.figures.style import (
    CURVE_FONT_SIZE,
    FONT_SIZE,
    GREY,
    OUTLINE,
    base_layout,
    component_colours,
)

ELLIPSE_POINTS = 73
"""Points per ellipse (72 distinct), fixed so that ellipses animate point to point."""

STEADY = {"simplify": False}
"""A moving line's every point kept (Plotly drops nearly collinear ones by default), so
that a glide between two ellipses moves point to point and never breaks the line."""

INNER_WIDTH = 3.5
"""The 1-sigma ellipse's line width in px."""
HALO_WIDTH = INNER_WIDTH + 4
"""The white line under each 1-sigma ellipse: 2 px of white each side, so that the
ellipse stands out of a cloud of points in its own colour."""
SIGMA = "\N{GREEK SMALL LETTER SIGMA}"
MEAN_SIZE = 16
"""A mean's cross in px: small enough to leave a tight cluster's 1-sigma ellipse in view."""
FADED_OPACITY = 0.1
"""A faded component's ellipses and mean: faint, but still there to be seen (switched-off
components all fall back to the prior, at the data's centre: stacked, they stay faint)."""

MISSING_LINE_WIDTH = 1.5
MISSING_NAME = "± 1 sd of a missing value"

CLICK_GRID_SIZE = 40


def missing_axis_lines(
    imputed: np.ndarray, spread: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The thin lines through the points with a missing coordinate: along each missing
    axis, one conditional standard deviation either side of the expected position.

    Parameters
    ----------
    imputed : ndarray of shape (N, 2)
        The points, each missing entry at its conditional expectation.
    spread : ndarray of shape (N, 2)
        Each missing entry's conditional standard deviation, 0 where observed.
    rows : ndarray of shape (N,) of bool
        The points with a missing coordinate.

    Returns
    -------
    x, y : ndarray of shape (3 * rows.sum(),)
        One segment per point, separated by NaN (one trace draws them all).
    """
    centre, sd = imputed[rows], spread[rows]
    gap = np.full((len(centre), 1, 2), np.nan)
    segments = np.concatenate([(centre - sd)[:, None], (centre + sd)[:, None], gap], axis=1)
    return segments[..., 0].ravel(), segments[..., 1].ravel()


def _missing_lines_trace(
    imputed: np.ndarray,
    spread: np.ndarray,
    rows: np.ndarray,
    colour: str,
) -> dict:
    """One trace of every point's line along its missing axis (see
    :func:`missing_axis_lines`)."""
    x, y = missing_axis_lines(imputed, spread, rows)
    return dict(
        type="scatter",
        x=x,
        y=y,
        mode="lines",
        name=MISSING_NAME,
        showlegend=False,
        line={"color": colour, "width": MISSING_LINE_WIDTH, **STEADY},
        hoverinfo="skip",
    )


def _click_grid_trace(x_range: list[float], y_range: list[float]) -> dict:
    """Invisible points on a regular grid, so that a click anywhere reports a point."""
    gx, gy = np.meshgrid(
        np.linspace(*x_range, CLICK_GRID_SIZE), np.linspace(*y_range, CLICK_GRID_SIZE)
    )
    return dict(
        type="scattergl",
        x=gx.ravel(),
        y=gy.ravel(),
        mode="markers",
        name="click grid",
        showlegend=False,
        marker={"opacity": 0, "size": 4},
        hoverinfo="none",
    )


def _mean_marker(colour: str | Sequence[str]) -> dict:
    """A mean's cross, in its component's colour (one, or one per mean), outlined."""
    return {
        "symbol": "x",
        "size": MEAN_SIZE,
        "color": colour,
        "line": {"color": OUTLINE, "width": 2},
    }


def _halo_trace(params: GaussianParams, faded: np.ndarray) -> dict:
    """White lines under all 1-sigma ellipses at once (drawn between the points and the
    components), left out (NaN, the same length) under the ``faded`` components."""
    x, y = ellipses_path(params.means, params.covariances, 1.0, ELLIPSE_POINTS)
    for path in (x, y):
        path.reshape(len(faded), -1)[faded] = np.nan
    return dict(
        type="scatter",
        x=x,
        y=y,
        mode="lines",
        name="halo",
        showlegend=False,
        line={"color": "white", "width": HALO_WIDTH, **STEADY},
        opacity=0.85,
        hoverinfo="skip",
    )


KEY_AXES = {
    axis: {"visible": False, "domain": [0.99, 1.0], "fixedrange": True}
    for axis in ("xaxis9", "yaxis9")
}
"""Axes of the legend's entries alone, never shown: on the data's axes a glide (which
redraws the SVG traces it moves) would flash an empty entry's cross in a corner."""


def _key_traces(hollow: bool = False) -> list[dict]:
    """The legend's entries, with no data, on :data:`KEY_AXES`: what the solid and dashed
    lines and the numbered crosses are, and with ``hollow`` what a hollow point is."""
    common = {"type": "scatter", "x": [None], "y": [None], "hoverinfo": "skip", "showlegend": True}
    common |= {"xaxis": "x9", "yaxis": "y9"}
    filled_in = dict(
        name="filled in by EM",
        mode="markers+lines",
        marker={"symbol": HOLLOW, "color": OUTLINE, "size": 10, "line": {"width": 2}},
        line={"color": GREY, "width": MISSING_LINE_WIDTH},
        **common,
    )
    return [
        *([filled_in] if hollow else []),
        dict(
            name=f"1{SIGMA} ellipse",
            mode="lines",
            line={"color": OUTLINE, "width": INNER_WIDTH},
            **common,
        ),
        dict(
            name=f"2{SIGMA}, 3{SIGMA}",
            mode="lines",
            line={"color": OUTLINE, "width": 1.5, "dash": "dash"},
            **common,
        ),
        dict(name="mean", mode="markers", marker=_mean_marker("white"), **common),
    ]


COMPLETE_FIT_NAME = "complete rows only"
COMPLETE_FIT_COLOUR = "#4d4d4d"
"""Dark grey: the other fit stands apart from the components' colours and the light grey
missing-axis lines."""


def _complete_fit_traces(params: GaussianParams) -> list[dict]:
    """Another fit's 1-sigma ellipses, dashed grey, and its means as grey crosses (one
    legend entry for both)."""
    x, y = ellipses_path(params.means, params.covariances, 1.0, ELLIPSE_POINTS)
    common = {"type": "scatter", "name": COMPLETE_FIT_NAME, "legendgroup": COMPLETE_FIT_NAME}
    return [
        dict(
            x=x,
            y=y,
            mode="lines",
            line={"color": COMPLETE_FIT_COLOUR, "width": INNER_WIDTH, "dash": "dash", **STEADY},
            hoverinfo="skip",
            showlegend=True,
            **common,
        ),
        dict(
            x=params.means[:, 0],
            y=params.means[:, 1],
            mode="markers",
            marker=_mean_marker(COMPLETE_FIT_COLOUR),
            showlegend=False,
            hovertemplate=(
                f"<b>{COMPLETE_FIT_NAME}</b><br>mean (%{{x:.4g}}, %{{y:.4g}})<extra></extra>"
            ),
            **common,
        ),
    ]


def _component_traces(
    params: GaussianParams,
    hex_colours: Sequence[str],
    faded: np.ndarray,
) -> list[dict]:
    """Per component: 2- and 3-sigma ellipses, 1-sigma ellipse, numbered mean; named in
    the hover, not in the legend.

    Always SVG, also over WebGL points, so that they glide with Plotly's transitions
    (the page draws WebGL below SVG, see ``ui/plot.js``). ``hex_colours`` are the
    components' colours, one each; the ``faded`` ones' traces are drawn at
    :data:`FADED_OPACITY`.
    """
    traces = []
    for k, colour in enumerate(hex_colours):
        name = f"Component {k + 1}"
        opacity = FADED_OPACITY if faded[k] else 1.0
        mean, cov = params.means[k : k + 1], params.covariances[k : k + 1]
        outer_x, outer_y = ellipses_path(
            np.repeat(mean, 2, axis=0), np.repeat(cov, 2, axis=0), [2.0, 3.0], ELLIPSE_POINTS
        )
        inner_x, inner_y = ellipses_path(mean, cov, 1.0, ELLIPSE_POINTS)
        common = {
            "type": "scatter",
            "legendgroup": name,
            "name": name,
            "mode": "lines",
            "hoverinfo": "skip",
            "showlegend": False,
            "opacity": opacity,
        }
        traces += [
            dict(
                x=outer_x,
                y=outer_y,
                line={"color": colour, "width": 1.5, "dash": "dash", **STEADY},
                **common,
            ),
            dict(
                x=inner_x,
                y=inner_y,
                line={"color": colour, "width": INNER_WIDTH, **STEADY},
                **common,
            ),
            dict(
                type="scatter",
                x=mean[:, 0],
                y=mean[:, 1],
                mode="markers+text",
                name=name,
                legendgroup=name,
                showlegend=False,
                text=[str(k + 1)],
                textposition="top right",
                textfont={"color": OUTLINE, "size": CURVE_FONT_SIZE, "shadow": "auto"},
                marker=_mean_marker(colour),
                opacity=opacity,
                customdata=[[params.weights[k]]],
                hovertemplate=(
                    f"<b>{name}</b><br>mean (%{{x:.4g}}, %{{y:.4g}})"
                    "<br>weight %{customdata[0]:.3f}<extra></extra>"
                ),
            ),
        ]
    return traces


def drag_handles(figure: go.Figure) -> dict[str, list]:
    """Where each component's mean and ellipses are in ``figure`` (one of
    :func:`figure_mixture`), so that the browser can drag a mean by hand: ``"means"``,
    per component the index of its mean's trace; ``"moves"``, per component the
    ``[trace, first, stop]`` ranges of points that move with it (its ellipses, and its
    ellipse in the halo). A moved mean keeps its covariance, so its ellipses move
    with it unchanged."""
    traces = figure.data
    halo = next(i for i, trace in enumerate(traces) if getattr(trace, "name", None) == "halo")
    segment = ELLIPSE_POINTS + 1  # an ellipse and its gap in the halo's one line
    means, moves = [], []
    for k in range(len(traces[halo].x) // segment):
        name = f"Component {k + 1}"  # (an image or a contour has no legend group)
        group = [i for i, t in enumerate(traces) if getattr(t, "legendgroup", None) == name]
        mean = next(i for i in group if traces[i].mode == "markers+text")
        means.append(mean)
        ellipses = [[i, 0, len(traces[i].x)] for i in group if i != mean]
        moves.append([*ellipses, [halo, k * segment, (k + 1) * segment]])
    return {"means": means, "moves": moves}


def mixture_traces(
    X: np.ndarray,
    params: GaussianParams | None,
    resp: np.ndarray | None,
    *,
    feature_names: Sequence[str] = ("x1", "x2"),
    clickable: bool = False,
    colour_order: Sequence[int] | None = None,
    imputed: np.ndarray | None = None,
    spread: np.ndarray | None = None,
    complete_fit: GaussianParams | None = None,
    fade_below: float = 0.0,
    contours: bool = False,
) -> list[dict]:
    """The traces of :func:`figure_mixture`, as Plotly's JSON (dicts, with their
    ``type``): cheap enough to make one set per half-step for the browser to play
    (building Plotly's objects costs about ten times more). The parameters are
    :func:`figure_mixture`'s.
    """
    X = np.asarray(X, dtype=float)
    names = [escape(str(name)) for name in feature_names]
    n_components = len(params.weights) if params is not None else 0
    if resp is not None:
        n_components = resp.shape[1]
    hex_colours, palette_rgb = _palette(n_components, colour_order)
    ranges = feature_ranges(X).tolist()
    traces = [_click_grid_trace(*ranges)] if clickable else []
    incomplete = np.isnan(X).any(axis=1) if imputed is not None else None
    shown = X if imputed is None else np.asarray(imputed, dtype=float)
    if len(X) > DENSITY_ABOVE:  # markers would overplot: a shading, on the axes' ranges
        traces.append(density_trace(shown, resp, palette_rgb, *ranges, comparable_spans(*ranges)))
    else:
        traces.append(points_trace(shown, resp, palette_rgb, names, incomplete))
    if incomplete is not None:
        traces.append(_missing_lines_trace(shown, np.asarray(spread), incomplete, GREY))
    if contours and params is not None:
        traces.append(contour_trace(params, *ranges))
    if n_components and params is not None:
        faded = np.asarray(params.weights) < fade_below
        traces.append(_halo_trace(params, faded))
        traces += _component_traces(params, hex_colours, faded)
        traces += _key_traces(hollow=incomplete is not None and incomplete.any())
    if complete_fit is not None:
        traces += _complete_fit_traces(complete_fit)
    return traces


def figure_mixture(
    X: np.ndarray,
    params: GaussianParams | None,
    resp: np.ndarray | None,
    *,
    feature_names: Sequence[str] = ("x1", "x2"),
    title: str | None = None,
    uirevision: str = "data",
    **options,
) -> go.Figure:
    """The data coloured by responsibilities, with each component's mean and its
    1-, 2- and 3-sigma covariance ellipses.

    Parameters
    ----------
    X : ndarray of shape (N, 2)
    params : GaussianParams or None
        ``means`` (K, 2) and full ``covariances`` (K, 2, 2) are drawn; None draws the
        data alone.
    resp : ndarray of shape (N, K) or None
        Responsibilities of the latest E-step; None (before any) draws the points grey.
    feature_names : pair of str, default=("x1", "x2")
        Axis titles and hover labels.
    title : str, optional
    uirevision : str, default="data"
        Kept zoom and pan across reruns while it stays the same.
    clickable : bool, default=False
        Add an invisible grid under the data, so that a click anywhere on the plot
        selects a point (for placing initial means).
    colour_order : sequence of int, optional
        Component k's palette colour (distinct indices), so that matched components of
        several runs share colours (see :func:`em_viz.engine.runs.match_components`);
        default: the palette in order.
    imputed, spread : ndarray of shape (N, 2), optional
        For data with missing entries (NaN in ``X``): the points with each missing entry
        at its expectation under the mixture, and its conditional standard deviation (0
        where observed). The points with a missing coordinate are then drawn there,
        hollow, each on a thin line one standard deviation either side along its missing
        axis.
    complete_fit : GaussianParams, optional
        Another fit to draw over this one, dashed in grey: its 1-sigma ellipses and
        means (the fit on the complete rows alone, to show their bias).
    fade_below : float, default=0.0
        Components whose weight is below this are drawn faint, without their halo (the
        components a variational posterior switched off); by default none.
    contours : bool, default=False
        Draw the mixture's density as contour lines under the ellipses (see
        :mod:`em_viz.figures.contours`).

    Returns
    -------
    figure : go.Figure
        Traces (:func:`mixture_traces`): the click grid (only if ``clickable``), the
        points (WebGL above :data:`~em_viz.figures.points.WEBGL_ABOVE` points; above
        ``DENSITY_ABOVE`` one image of their density instead, see
        :mod:`em_viz.figures.density`), the missing-axis lines (only with ``imputed``),
        the density's contours (only with ``contours``), with ``params`` the halo, three
        per component and the entries of the legend, and last the other fit's ellipses
        and means (only with ``complete_fit``); the same count and order in every state of
        a run.
    """
    traces = mixture_traces(X, params, resp, feature_names=feature_names, **options)
    names = [escape(str(name)) for name in feature_names]
    x_axis, y_axis = data_axes(np.asarray(X, dtype=float), names)
    if len(X) > DENSITY_ABOVE:
        image_axes(x_axis, y_axis)
    layout = base_layout(
        title,
        font_size=FONT_SIZE,
        uirevision=uirevision,
        legend={
            "orientation": "h",
            "x": 0,
            "y": 1.0,
            "yanchor": "bottom",
            "font": {"size": CURVE_FONT_SIZE},
            "traceorder": "normal",  # not grouped: one row, not a column per group
            "itemclick": False,
            "itemdoubleclick": False,
        },
        margin={"l": 70, "r": 20, "t": 60 if title else 30, "b": 60},
        xaxis=x_axis,
        yaxis=y_axis,
        **KEY_AXES,
    )
    return go.Figure(traces, layout)


def _palette(
    n_components: int, colour_order: Sequence[int] | None
) -> tuple[list[str], np.ndarray]:
    """The components' colours, hex and RGB, in the palette's order or in ``colour_order``."""
    if colour_order is None:
        return component_colours(n_components)
    order = np.asarray(colour_order, dtype=int)
    hex_all, rgb_all = component_colours(int(order.max()) + 1 if order.size else 0)
    return [hex_all[i] for i in order], rgb_all[order]


def figure_placing(
    X: np.ndarray,
    means: np.ndarray,
    *,
    feature_names: Sequence[str] = ("x1", "x2"),
    uirevision: str = "data",
) -> go.Figure:
    """The data, clickable, with the initial means placed so far numbered in their
    component colours (for a start chosen by hand).

    Parameters
    ----------
    X : ndarray of shape (N, 2)
    means : ndarray of shape (M, 2)
        The means placed so far (M may be 0).

    Returns
    -------
    figure : go.Figure
    """
    figure = figure_mixture(
        X, None, None, feature_names=feature_names, clickable=True, uirevision=uirevision
    )
    means = np.asarray(means, dtype=float).reshape(-1, 2)
    hex_colours, _ = component_colours(len(means))
    figure.add_trace(
        go.Scatter(
            x=means[:, 0],
            y=means[:, 1],
            mode="markers+text",
            name="Placed means",
            text=[str(k + 1) for k in range(len(means))],
            textposition="top right",
            marker=_mean_marker(hex_colours),
            hoverinfo="skip",
        )
    )
    return figure
