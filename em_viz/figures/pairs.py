"""A Gaussian mixture on data with more than two features: the pairs grid, and
:func:`figure_for`, a run's picture in either view (the grid or the principal components
of :mod:`em_viz.figures.principal`).

The pairs grid is a corner plot: below the diagonal, each pair of the chosen features with
the points coloured by responsibilities (as the mixture figure colours them) and every
component's exact marginal 1- and 2-sigma ellipses; on the diagonal, each feature's
histogram under the mixture's 1-D density, one line per component and one for the total.
It keeps the same traces in the same order in every state of a run (cell by cell, then
the legend's key), so that Plotly can animate one state into the next. Where the cells sit
and their axes are :mod:`em_viz.figures.grid`'s.
"""

from collections.abc import Sequence
from html import escape
from typing import Any

import numpy as np
import plotly.graph_objects as go

from em_viz.engine.projection import component_densities, marginal
from em_viz.figures.frames import Parts
from em_viz.figures.geometry import ellipses_path
from em_viz.figures.grid import CornerGrid
from em_viz.figures.mixture import ELLIPSE_POINTS, FADED_OPACITY, STEADY
from em_viz.figures.points import WEBGL_ABOVE, coloured_points, feature_ranges
from em_viz.figures.principal import figure_principal, principal_parts
from em_viz.figures.style import (
    CURVE_FONT_SIZE,
    GREY,
    OUTLINE,
    base_layout,
    component_colours,
    translucent,
)

MAX_GRID_FEATURES = 5
"""The most features the grid shows at once (at 1280x720 the cells stay readable)."""

VIEWS = ("pairs", "pca")
"""The views :func:`figure_for` draws."""

DENSITY_POINTS = 121
"""Points on each diagonal density curve, fixed so that the curves animate."""
HISTOGRAM_BINS = 16
ELLIPSE_WIDTH = 2.5
HALO_WIDTH = ELLIPSE_WIDTH + 3
MEAN_SIZE = 12
TOTAL_NAME = "mixture density"
HISTOGRAM_NAME = "histogram"
SIGMA = "\N{GREEK SMALL LETTER SIGMA}"


def chosen_features(n_features: int, features: Sequence[int] | None) -> list[int]:
    """The features the grid shows: ``features`` (distinct indices, at most
    ``MAX_GRID_FEATURES``), or by default the first ``MAX_GRID_FEATURES``."""
    if features is None:
        return list(range(min(n_features, MAX_GRID_FEATURES)))
    chosen = [int(feature) for feature in features]
    if not 1 <= len(chosen) <= MAX_GRID_FEATURES or len(set(chosen)) != len(chosen):
        raise ValueError(f"choose 1 to {MAX_GRID_FEATURES} distinct features, got {chosen}")
    if not all(0 <= feature < n_features for feature in chosen):
        raise ValueError(f"features must be indices below {n_features}, got {chosen}")
    return chosen


def _point_style(n_samples: int) -> tuple[int, float]:
    """Marker size (px) and opacity of the points in a cell: small, and more see-through
    for more points."""
    if n_samples <= WEBGL_ABOVE:
        return 6, 0.75
    return (4, 0.5) if n_samples <= 10_000 else (3, 0.3)


def _points_traces(
    X: np.ndarray,
    resp: np.ndarray | None,
    palette_rgb: np.ndarray,
    names: Sequence[str],
    pairs: Sequence[tuple[int, int]],
    refs: Sequence[dict[str, str]],
) -> list[dict]:
    """The points of each cell below the diagonal (feature ``pair[1]`` on x, ``pair[0]``
    on y), in one set of colours: responsibility-weighted mixes, grey before any E-step;
    each point's index and responsibilities in ``customdata``."""
    customdata, extra, marker = coloured_points(len(X), resp, palette_rgb, *_point_style(len(X)))
    kind = "scattergl" if len(X) > WEBGL_ABOVE else "scatter"
    traces = []
    for (row, col), ref in zip(pairs, refs, strict=True):
        hover = (
            f"point %{{customdata[0]}}<br>{names[col]} = %{{x:.4g}}<br>{names[row]} = %{{y:.4g}}"
        )
        traces.append(
            dict(
                type=kind,
                x=X[:, col],
                y=X[:, row],
                mode="markers",
                name="Data points",
                showlegend=False,
                marker=marker,
                customdata=customdata,
                hovertemplate=hover + extra + "<extra></extra>",
                **ref,
            )
        )
    return traces


def _ellipse_traces(
    params: Any,
    pair: tuple[int, int],
    ref: dict[str, str],
    hex_colours: Sequence[str],
    names: Sequence[str],
    faded: np.ndarray,
) -> list[dict]:
    """One cell's marginal Gaussians: a white halo under the 1-sigma ellipses (not under
    the ``faded`` components', whose lines are faint), then per component its 2-sigma
    (dashed) and 1-sigma ellipses, then all means in one trace. Always SVG, also over
    WebGL points, so that they glide (see :data:`~em_viz.figures.points.WEBGL_ABOVE`)."""
    row, col = pair
    means, covariances = marginal(params.means, params.covariances, [col, row])
    common = {"type": "scatter", "mode": "lines", "hoverinfo": "skip", "showlegend": False, **ref}
    halo_x, halo_y = ellipses_path(means, covariances, 1.0, ELLIPSE_POINTS)
    for path in (halo_x, halo_y):
        path.reshape(len(means), -1)[faded] = np.nan
    traces = [
        dict(
            x=halo_x,
            y=halo_y,
            name="halo",
            line={"color": "white", "width": HALO_WIDTH, **STEADY},
            opacity=0.85,
            **common,
        )
    ]
    for k, colour in enumerate(hex_colours):
        name = f"Component {k + 1}"
        for radius, line in ((2.0, {"width": 1.5, "dash": "dash"}), (1.0, {"width": 2.5})):
            x, y = ellipses_path(means[k : k + 1], covariances[k : k + 1], radius, ELLIPSE_POINTS)
            traces.append(
                dict(
                    x=x,
                    y=y,
                    name=name,
                    line={"color": colour, **line, **STEADY},
                    opacity=FADED_OPACITY if faded[k] else 1.0,
                    **common,
                )
            )
    traces.append(
        dict(
            type="scatter",
            x=means[:, 0],
            y=means[:, 1],
            mode="markers",
            name="means",
            showlegend=False,
            marker={
                **_mean_marker(list(hex_colours)),
                "opacity": np.where(faded, FADED_OPACITY, 1.0),
            },
            customdata=np.column_stack([np.arange(1, len(means) + 1), params.weights]),
            hovertemplate=(
                "<b>Component %{customdata[0]}</b><br>"
                f"{names[col]} = %{{x:.4g}}<br>{names[row]} = %{{y:.4g}}"
                "<br>weight %{customdata[1]:.3f}<extra></extra>"
            ),
            **ref,
        )
    )
    return traces


def _mean_marker(colour: str | list[str]) -> dict:
    """A mean's cross in its component's colour, outlined."""
    return {
        "symbol": "x",
        "size": MEAN_SIZE,
        "color": colour,
        "line": {"color": OUTLINE, "width": 1.5},
    }


def _diagonal_traces(
    values: np.ndarray,
    grid: np.ndarray,
    params: Any,
    feature: int,
    ref: dict[str, str],
    hex_colours: Sequence[str],
    name: str,
    faded: np.ndarray,
) -> tuple[list[dict], float]:
    """One feature's histogram (as a density) under each component's weighted normal on
    that coordinate and their sum; also the highest value drawn.

    The histogram is a filled step line, not bars: Plotly's glide of the curves over it
    would take bars off their cell (it redraws only the scatter traces it moves)."""
    counts, edges = np.histogram(values, bins=HISTOGRAM_BINS, range=(grid[0], grid[-1]))
    heights = counts / (len(values) * np.diff(edges))
    traces = [
        dict(
            type="scatter",
            x=edges,
            y=np.append(heights, heights[-1]),  # each bin's height from its left edge on
            mode="lines",
            line={"shape": "hv", "width": 0},
            fill="tozeroy",
            fillcolor=translucent(GREY, 0.35),
            name=HISTOGRAM_NAME,
            showlegend=False,
            hovertemplate=f"{name} from %{{x:.4g}}<br>density %{{y:.3g}}<extra></extra>",
            **ref,
        )
    ]
    top = float(heights.max(initial=0.0))
    if params is None:
        return traces, top
    densities = component_densities(
        grid, params.weights, params.means[:, feature], params.covariances[:, feature, feature]
    )
    common = {"type": "scatter", "x": grid, "mode": "lines", "showlegend": False, **ref}
    for k, colour in enumerate(hex_colours):
        traces.append(
            dict(
                y=densities[k],
                name=f"Component {k + 1}",
                line={"color": colour, "width": 2, **STEADY},
                opacity=FADED_OPACITY if faded[k] else 1.0,
                hovertemplate=(
                    f"<b>Component {k + 1}</b><br>{name} %{{x:.4g}}"
                    "<br>weight x density %{y:.3g}<extra></extra>"
                ),
                **common,
            )
        )
    total = densities.sum(axis=0)
    traces.append(
        dict(
            y=total,
            name=TOTAL_NAME,
            line={"color": OUTLINE, "width": 2.5, **STEADY},
            hovertemplate=f"{name} %{{x:.4g}}<br>mixture density %{{y:.3g}}<extra></extra>",
            **common,
        )
    )
    return traces, max(top, float(total.max()))


def _key_traces(key: str) -> tuple[list[dict], dict[str, dict]]:
    """The legend's entries, with no data: the ellipses' line styles, the means' crosses
    and the diagonal's total density; on axes ``key`` of their own, never shown (a glide
    redraws a cell's scatter traces, and would flash an empty trace's cross in its
    corner), and those axes."""
    hidden = {"visible": False, "domain": [0.99, 1.0]}
    axes = {f"xaxis{key}": {**hidden, "anchor": f"y{key}"}, f"yaxis{key}": hidden}
    common = {"type": "scatter", "x": [None], "y": [None], "hoverinfo": "skip"}
    common |= {"showlegend": True, "xaxis": f"x{key}", "yaxis": f"y{key}"}
    traces = [
        dict(
            name=f"1{SIGMA} ellipse", mode="lines", line={"color": OUTLINE, "width": 2.5}, **common
        ),
        dict(
            name=f"2{SIGMA}",
            mode="lines",
            line={"color": OUTLINE, "width": 1.5, "dash": "dash"},
            **common,
        ),
        dict(name="mean", mode="markers", marker=_mean_marker("white"), **common),
        dict(name=TOTAL_NAME, mode="lines", line={"color": OUTLINE, "width": 2.5}, **common),
    ]
    return traces, axes


def pairs_parts(
    X: np.ndarray,
    params: Any,
    resp: np.ndarray | None,
    *,
    feature_names: Sequence[str],
    features: Sequence[int] | None = None,
    title: str | None = None,
    uirevision: str = "data",
    fade_below: float = 0.0,
) -> Parts:
    """The traces and layout of :func:`figure_pairs`, as Plotly's JSON (dicts, with their
    ``type``): cheap enough to make one set per half-step for the browser to play. The
    parameters are :func:`figure_pairs`'s."""
    X = np.asarray(X, dtype=float)
    shown = chosen_features(X.shape[1], features)
    names = [escape(str(name)) for name in feature_names]
    grid = CornerGrid(len(shown))
    ranges = feature_ranges(X)
    n_components = len(params.weights) if params is not None else 0
    if resp is not None:
        n_components = resp.shape[1]
    hex_colours, palette_rgb = component_colours(n_components)
    below = [(row, col) for row, col in grid.cells if row != col]
    points = _points_traces(
        X,
        resp,
        palette_rgb,
        names,
        [(shown[row], shown[col]) for row, col in below],
        [grid.refs(cell) for cell in below],
    )
    faded = np.zeros(n_components, dtype=bool)
    if params is not None:
        faded = np.asarray(params.weights) < fade_below
    traces, layout, tops = [], {}, {}
    for index, (row, col) in enumerate(grid.cells):
        ref = grid.refs((row, col))
        feature_x, feature_y = shown[col], shown[row]
        if row == col:
            curve = np.linspace(*ranges[feature_x], DENSITY_POINTS)
            values, name = X[:, feature_x], names[feature_x]
            cell_traces, tops[index] = _diagonal_traces(
                values, curve, params, feature_x, ref, hex_colours, name, faded
            )
            traces += cell_traces
        else:
            traces.append(points[below.index((row, col))])
            if params is not None:
                traces += _ellipse_traces(
                    params, (feature_y, feature_x), ref, hex_colours, names, faded
                )
        layout.update(grid.cell_axes(index, ranges, shown, names, tops.get(index)))
    if params is not None:
        key_traces, key_axes = _key_traces(str(len(grid.cells) + 1))
        traces += key_traces
        layout.update(key_axes)
    layout = base_layout(
        title,
        font_size=CURVE_FONT_SIZE,
        uirevision=uirevision,
        legend={
            "x": 1,
            "y": 1,
            "xanchor": "right",
            "yanchor": "top",
            "itemclick": False,
            "itemdoubleclick": False,
        },
        annotations=grid.row_titles(shown, names),
        margin={"l": 150, "r": 10, "t": 50 if title else 10, "b": 80},
        **layout,
    )
    return traces, layout


def figure_pairs(X: np.ndarray, params: Any, resp: np.ndarray | None, **options: Any) -> go.Figure:
    """The pairs grid: every pair of the chosen features with the components' marginal
    ellipses, and each feature's 1-D mixture density on the diagonal.

    Parameters
    ----------
    X : ndarray of shape (N, D)
    params : GaussianParams-like or None
        ``weights`` (K,), ``means`` (K, D) and full ``covariances`` (K, D, D); None draws
        the data alone.
    resp : ndarray of shape (N, K) or None
        Responsibilities of the latest E-step; None (before any) draws the points grey.
    feature_names : sequence of D str
    features : sequence of int, optional
        Which features to show, in order (at most ``MAX_GRID_FEATURES``); default the
        first ``MAX_GRID_FEATURES``.
    title : str, optional
    uirevision : str, default="data"
        Kept zoom and pan across reruns while it stays the same.
    fade_below : float, default=0.0
        Components whose weight is below this are drawn faint (ellipses, means and
        densities) and without their halo, as the mixture figure draws them.

    Returns
    -------
    figure : go.Figure
        :func:`pairs_parts`' traces, cell by cell (row by row, left to right, the
        diagonal last in its row): on the diagonal the histogram (a filled step line),
        with ``params`` K component densities and the total; below it the points (WebGL above
        ``WEBGL_ABOVE``), and with ``params`` the halo, K pairs of 2- and 1-sigma
        ellipses and the means (SVG); with ``params`` last the legend's four entries.
        The same count and order in every state of a run.
    """
    return go.Figure(*pairs_parts(X, params, resp, **options))


def parts_for(dataset: Any, params: Any, resp: np.ndarray | None, **options: Any) -> Parts:
    """What :func:`figure_for` draws as Plotly's JSON, traces and layout (in the
    principal-components view, the layout's axes alone: the rest stays in every state),
    cheap enough to make one per half-step for the browser to play. The parameters are
    :func:`figure_for`'s."""
    view, options = _view_options(dataset, **options)
    if view == "pca":
        return principal_parts(dataset.X, params, resp, fade_below=options["fade_below"])
    return pairs_parts(dataset.X, params, resp, **options)


def _view_options(
    dataset: Any,
    view: str = "pairs",
    features: Sequence[int] | None = None,
    fade_below: float = 0.0,
) -> tuple[str, dict]:
    """The view, checked, and its builder's options for ``dataset``: zoom kept per data
    set and view (and features shown)."""
    if view not in VIEWS:
        raise ValueError(f"view must be one of {VIEWS}, got {view!r}")
    options = {"uirevision": f"{dataset.name}:{view}", "fade_below": fade_below}
    if view == "pairs":
        options["uirevision"] += f":{chosen_features(dataset.X.shape[1], features)}"
        options |= {"feature_names": dataset.feature_names, "features": features}
    return view, options


def figure_for(dataset: Any, params: Any, resp: np.ndarray | None, **options: Any) -> go.Figure:
    """A run's picture on a data set of more than two features, for a page.

    Parameters
    ----------
    dataset : Dataset
        Its ``X`` (N, D), ``feature_names`` and ``name`` (zoom is kept per data set and
        view).
    params : GaussianParams-like or None
    resp : ndarray of shape (N, K) or None
    view : {"pairs", "pca"}, default="pairs"
        The pairs grid or the principal-components view.
    features : sequence of int, optional
        The pairs grid's features (see :func:`figure_pairs`).
    fade_below : float, default=0.0
        Components below this weight are drawn faint (a variational run's switched-off
        ones).

    Returns
    -------
    figure : go.Figure
        Drawn from the same traces and layout as :func:`parts_for`.
    """
    view, options = _view_options(dataset, **options)
    draw = figure_principal if view == "pca" else figure_pairs
    return draw(dataset.X, params, resp, **options)
