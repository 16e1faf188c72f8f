"""Plotly figures of an EM run: model state in, ``go.Figure`` out, nothing else.

The mixture figure always has the same traces in the same order (optional click grid,
data points, then per component its 2- and 3-sigma ellipses, its 1-sigma ellipse and
its mean), so that Plotly can animate one state into the next: an E-step changes only
the points' colours, an M-step only the ellipses and means.
"""

import itertools
from collections.abc import Sequence
from html import escape

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from em_viz.engine.bound import argmax_along, bound_along
from em_viz.engine.families.gaussian import GaussianParams
from em_viz.engine.stepper import Record
from em_viz.figures.geometry import (
    component_colours,
    ellipses_path,
    mix_colours,
    quantised_colours,
)

FONT_SIZE = 18
"""Base font size in px: readable on a projector at 1280x720."""

CURVE_FONT_SIZE = 15
"""The log-likelihood curve sits in a narrower column, so its ticks are smaller."""

ELLIPSE_POINTS = 73
"""Points per ellipse (72 distinct), fixed so that ellipses animate point to point."""

UNASSIGNED_GREY = "#8C8C8C"
"""The points' colour before the first E-step: no responsibilities yet."""

WEBGL_ABOVE = 1_000
"""Above this many points they are drawn with WebGL (fast for large N). Plotly draws
WebGL above every SVG trace, so smaller data sets use SVG and keep the means on top."""

POINT_OPACITY = 0.75
"""See-through points, so that overlaps and (for WebGL) the means under them show."""

OUTLINE = "#222222"
CLICK_GRID_SIZE = 40
EQUAL_SCALE_RATIO = 3.0
"""Axes whose spans differ by less than this factor share one scale (true shapes)."""

RANGE_MARGIN = 0.08
"""Axis margin around the data, as a fraction of the data's larger extent."""

WHITE = {
    "paper_bgcolor": "white",
    "plot_bgcolor": "white",
    "font": {"color": "#2a3f5f"},
}
"""Plotly's "plotly_white" look, set directly: naming the template costs about 20 ms of
validation per figure, a tenth of a step's budget."""

WHITE_AXIS = {  # no automargin: it makes Plotly.react redraw instead of animating
    "gridcolor": "#EBF0F8",
    "linecolor": "#EBF0F8",
    "zerolinecolor": "#EBF0F8",
    "zerolinewidth": 2,
    "ticks": "",
}

PHASE_STYLE = {
    "init": ("Start", "square", "#000000"),
    "E": ("E-step", "diamond", "#E69F00"),
    "M": ("M-step", "circle", "#0072B2"),
}
"""Log-likelihood markers per phase: legend name, symbol and colour."""


def _axis_ranges(X: np.ndarray) -> tuple[list[float], list[float]]:
    """Each axis's data range with a margin of ``RANGE_MARGIN`` of its own extent (one
    unit where the data do not vary along it)."""
    low, high = X.min(axis=0), X.max(axis=0)
    margin = np.where(high > low, RANGE_MARGIN * (high - low), 1.0)
    return [low[0] - margin[0], high[0] + margin[0]], [low[1] - margin[1], high[1] + margin[1]]


def _marker_size(n_samples: int) -> int:
    """Smaller markers for more points, so that dense clouds keep their shape."""
    return 9 if n_samples <= 1_000 else 6 if n_samples <= 10_000 else 4


def _points_trace(
    X: np.ndarray, resp: np.ndarray | None, palette_rgb: np.ndarray, names: Sequence[str]
) -> go.Scatter | go.Scattergl:
    """The data, coloured by responsibility-weighted component colours (grey before any
    E-step), with each point's index and responsibilities in ``customdata`` (float32:
    exact for the index, ample for three decimals, half the bytes sent per rerun)."""
    index = np.arange(len(X), dtype=np.float32)[:, None]
    hover = f"point %{{customdata[0]}}<br>{names[0]} = %{{x:.4g}}<br>{names[1]} = %{{y:.4g}}"
    if resp is None:
        grey = np.array([int(UNASSIGNED_GREY[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)
        rgb = np.broadcast_to(grey, (len(X), 3))
        customdata = index
        hover += "<br>no E-step yet"
    else:
        rgb = mix_colours(resp, palette_rgb)
        customdata = np.hstack([index, resp.astype(np.float32)])
        hover += "".join(
            f"<br>P(component {k + 1}) = %{{customdata[{k + 1}]:.3f}}"
            for k in range(resp.shape[1])
        )
    colour_index, colorscale = quantised_colours(rgb)
    scatter = go.Scattergl if len(X) > WEBGL_ABOVE else go.Scatter
    return scatter(
        x=X[:, 0],
        y=X[:, 1],
        mode="markers",
        name="Data points",
        showlegend=False,
        marker={
            "color": colour_index,
            "colorscale": colorscale,
            "cmin": -0.5,
            "cmax": len(colorscale) // 2 - 0.5,
            "showscale": False,
            "size": _marker_size(len(X)),
            "opacity": POINT_OPACITY,
        },
        customdata=customdata,
        hovertemplate=hover + "<extra></extra>",
    )


def _click_grid_trace(x_range: list[float], y_range: list[float]) -> go.Scattergl:
    """Invisible points on a regular grid, so that a click anywhere reports a point."""
    gx, gy = np.meshgrid(
        np.linspace(*x_range, CLICK_GRID_SIZE), np.linspace(*y_range, CLICK_GRID_SIZE)
    )
    return go.Scattergl(
        x=gx.ravel(),
        y=gy.ravel(),
        mode="markers",
        name="click grid",
        showlegend=False,
        marker={"opacity": 0, "size": 4},
        hoverinfo="none",
    )


def _component_traces(
    params: GaussianParams,
    hex_colours: Sequence[str],
    scatter: type[go.Scatter] | type[go.Scattergl] = go.Scatter,
) -> list[go.Scatter | go.Scattergl]:
    """Per component: 2- and 3-sigma ellipses, 1-sigma ellipse, mean; one legend entry.

    ``scatter`` is the points' trace type: WebGL points hide every SVG trace, so with
    WebGL points the ellipses and means are WebGL too (drawn on top, but not animated).
    ``hex_colours`` are the components' colours, one each.
    """
    traces = []
    for k, colour in enumerate(hex_colours):
        name = f"Component {k + 1}"
        mean, cov = params.means[k : k + 1], params.covariances[k : k + 1]
        outer_x, outer_y = ellipses_path(
            np.repeat(mean, 2, axis=0), np.repeat(cov, 2, axis=0), [2.0, 3.0], ELLIPSE_POINTS
        )
        inner_x, inner_y = ellipses_path(mean, cov, 1.0, ELLIPSE_POINTS)
        common = {"legendgroup": name, "name": name, "mode": "lines", "hoverinfo": "skip"}
        traces += [
            scatter(
                x=outer_x,
                y=outer_y,
                line={"color": colour, "width": 1.5, "dash": "dash"},
                showlegend=False,
                **common,
            ),
            scatter(x=inner_x, y=inner_y, line={"color": colour, "width": 3.5}, **common),
            scatter(
                x=mean[:, 0],
                y=mean[:, 1],
                mode="markers",
                name=name,
                legendgroup=name,
                showlegend=False,
                marker={
                    "symbol": "x",
                    "size": 26,
                    "color": colour,
                    "line": {"color": OUTLINE, "width": 2.5},
                },
                customdata=[[params.weights[k]]],
                hovertemplate=(
                    f"<b>{name}</b><br>mean (%{{x:.4g}}, %{{y:.4g}})"
                    "<br>weight %{customdata[0]:.3f}<extra></extra>"
                ),
            ),
        ]
    return traces


def figure_mixture(
    X: np.ndarray,
    params: GaussianParams | None,
    resp: np.ndarray | None,
    *,
    feature_names: Sequence[str] = ("x1", "x2"),
    title: str | None = None,
    clickable: bool = False,
    uirevision: str = "data",
    colour_order: Sequence[int] | None = None,
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
    clickable : bool, default=False
        Add an invisible grid under the data, so that a click anywhere on the plot
        selects a point (for placing initial means).
    uirevision : str, default="data"
        Kept zoom and pan across reruns while it stays the same.
    colour_order : sequence of int, optional
        Component k's palette colour (distinct indices), so that matched components of
        several runs share colours (see :func:`em_viz.engine.runs.match_components`);
        default: the palette in order.

    Returns
    -------
    figure : go.Figure
        Traces: the click grid (only if ``clickable``), the points (WebGL), then three
        per component; the same count and order in every state of a run.
    """
    X = np.asarray(X, dtype=float)
    names = [escape(str(name)) for name in feature_names]
    x_range, y_range = _axis_ranges(X)
    n_components = len(params.weights) if params is not None else 0
    if resp is not None:
        n_components = resp.shape[1]
    hex_colours, palette_rgb = _palette(n_components, colour_order)
    traces = [_click_grid_trace(x_range, y_range)] if clickable else []
    traces.append(_points_trace(X, resp, palette_rgb, names))
    if params is not None:
        traces += _component_traces(params, hex_colours, type(traces[-1]))
    layout = {
        **WHITE,
        "font": {**WHITE["font"], "size": FONT_SIZE},
        "title": {"text": title},
        "hovermode": "closest",
        "uirevision": uirevision,
        "legend": {"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
        "margin": {"l": 70, "r": 20, "t": 60 if title else 30, "b": 60},
        "xaxis": {
            **WHITE_AXIS,
            "title": {"text": names[0]},
            "range": x_range,
            "autorange": False,
        },
        "yaxis": {
            **WHITE_AXIS,
            "title": {"text": names[1]},
            "range": y_range,
            "autorange": False,
        },
    }
    if _comparable(x_range, y_range):
        layout["yaxis"].update(scaleanchor="x", scaleratio=1)
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


def _comparable(x_range: list[float], y_range: list[float]) -> bool:
    """Whether the axes span similar lengths, so that one scale suits both: then circles
    look round. Axes in different units (Old Faithful's minutes of eruption and of
    waiting) get a scale each, so the data fill the plot."""
    ratio = (x_range[1] - x_range[0]) / (y_range[1] - y_range[0])
    return 1 / EQUAL_SCALE_RATIO <= ratio <= EQUAL_SCALE_RATIO


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
            marker={
                "symbol": "x",
                "size": 26,
                "color": hex_colours,
                "line": {"color": OUTLINE, "width": 2.5},
            },
            hoverinfo="skip",
        )
    )
    return figure


def half_step_x(record: Record) -> float:
    """Where a record sits on the iteration axis: an E-step half-way into its iteration."""
    return record.iteration - 0.5 if record.phase == "E" else float(record.iteration)


def tick_step(last_iteration: int) -> int:
    """The smallest whole-number step of 1, 2, 5, 10, 20, ... giving at most ten ticks."""
    steps = (m * 10**e for e in itertools.count() for m in (1, 2, 5))
    return next(step for step in steps if last_iteration <= 10 * step)


def _signed(value: float, spec: str) -> str:
    """``value`` formatted, with a typographic minus sign."""
    return format(value, spec).replace("-", "\N{MINUS SIGN}")


def iteration_axis(history: Sequence[Record]) -> dict:
    """The x axis of a figure with a value per half-step: whole iterations, E-steps
    half way along theirs."""
    end = max(half_step_x(r) for r in history)
    return {
        **WHITE_AXIS,
        "title": {"text": "iteration", "standoff": 4},
        "tick0": 0,
        "dtick": tick_step(max(r.iteration for r in history)),
        "tickformat": "d",
        "range": [-0.4, max(end, 1.0) + 0.5],
    }


SHORT_NAME = 16
"""Objective names longer than this are called "objective" in the curve's title and
wrapped onto two lines on its axis."""


def _wrapped(name: str) -> str:
    """A long name broken at the space nearest its middle (Plotly's <br>)."""
    if len(name) <= SHORT_NAME or " " not in name:
        return name
    spaces = [i for i, c in enumerate(name) if c == " "]
    cut = min(spaces, key=lambda i: abs(i - len(name) / 2))
    return f"{name[:cut]}<br>{name[cut + 1 :]}"


def figure_log_likelihood(
    history: Sequence[Record],
    current_index: int,
    n_samples: int,
    objective_name: str = "log-likelihood",
) -> go.Figure:
    """The total log-likelihood (or the objective the algorithm improves) after every
    half-step, with the current one ringed.

    EM never lowers the log-likelihood at an M-step, and an E-step leaves it unchanged
    (it only recomputes responsibilities), so the curve rises in flat-then-up stairs.

    Parameters
    ----------
    history : sequence of Record
        The run's half-steps, as in ``GaussianMixtureEM.history``.
    current_index : int
        The record shown elsewhere in the app; negative counts from the end.
    n_samples : int
        For the mean log-likelihood per point.
    objective_name : str, default="log-likelihood"
        What the records' ``objective`` is (``GaussianMixtureEM.objective_name``); it is
        the log-likelihood itself for soft EM.

    Returns
    -------
    figure : go.Figure
        Traces: the line through all records, one marker trace per phase (start,
        E-step, M-step; possibly empty) and the ring around the current record.
    """
    x = np.array([half_step_x(r) for r in history])
    y = np.array([r.objective for r in history])
    iterations = np.array([r.iteration for r in history], dtype=float)
    phases = np.array([r.phase for r in history])
    customdata = np.column_stack([iterations, y / n_samples])
    traces = [
        go.Scatter(
            x=x,
            y=y,
            mode="lines",
            line={"color": "#9A9A9A", "width": 2},
            name=objective_name,
            showlegend=False,
            hoverinfo="skip",
        )
    ]
    for phase, (label, symbol, colour) in PHASE_STYLE.items():
        chosen = phases == phase
        traces.append(
            go.Scatter(
                x=x[chosen],
                y=y[chosen],
                mode="markers",
                name=label,
                marker={"symbol": symbol, "size": 13, "color": colour},
                customdata=customdata[chosen],
                hovertemplate=(
                    f"iteration %{{customdata[0]}}, {label}<br>{objective_name} %{{y:,.2f}}"
                    "<br>per point %{customdata[1]:.4f}<extra></extra>"
                ),
            )
        )
    current = history[current_index]
    traces.append(
        go.Scatter(
            x=[half_step_x(current)],
            y=[current.objective],
            mode="markers",
            name="shown now",
            marker={"symbol": "circle-open", "size": 24, "color": OUTLINE, "line": {"width": 3}},
            hoverinfo="skip",
        )
    )
    label = objective_name if len(objective_name) <= SHORT_NAME else "objective"
    title = (
        f"{label} {_signed(current.objective, ',.1f')}"
        f"<br><sup>{_signed(current.objective / n_samples, '.4f')} per point</sup>"
    )
    layout = {
        **WHITE,
        "font": {**WHITE["font"], "size": CURVE_FONT_SIZE},
        "title": {"text": title, "font": {"size": FONT_SIZE}, "x": 0.02},
        "hovermode": "closest",
        "legend": {
            "orientation": "h",
            "entrywidth": 0.5,
            "entrywidthmode": "fraction",
            "x": 0,
            "y": -0.3,
            "yanchor": "top",
            "font": {"size": CURVE_FONT_SIZE - 2},
        },
        # A wrapped axis title takes two lines' width beside the ticks.
        "margin": {
            "l": 90 if len(objective_name) <= SHORT_NAME else 115,
            "r": 20,
            "t": 70,
            "b": 100,
        },
        "xaxis": iteration_axis(history),
        "yaxis": {
            **WHITE_AXIS,
            "title": {"text": _wrapped(objective_name)},
            "tickformat": ",.7~g",
        },
    }
    return go.Figure(traces, layout)


def parameters_table(
    params: GaussianParams, feature_names: Sequence[str] = ("x1", "x2")
) -> pd.DataFrame:
    """The mixture's parameters, one row per component, as plain floats.

    Parameters
    ----------
    params : GaussianParams
    feature_names : pair of str, default=("x1", "x2")

    Returns
    -------
    table : pandas.DataFrame
        Index ``"Component k"``; columns weight, mean and variance of each feature,
        and their covariance.
    """
    a, b = feature_names
    cov = params.covariances
    columns = {
        "weight": params.weights,
        f"mean {a}": params.means[:, 0],
        f"mean {b}": params.means[:, 1],
        f"var {a}": cov[:, 0, 0],
        f"var {b}": cov[:, 1, 1],
        f"cov {a},{b}": cov[:, 0, 1],
    }
    index = [f"Component {k + 1}" for k in range(len(params.weights))]
    return pd.DataFrame(columns, index=index, dtype=float)


LOG_LIKELIHOOD_COLOUR = "#0072B2"
BOUND_COLOUR = "#D55E00"
GAP_FILL = "rgba(213, 94, 0, 0.18)"
BOUND_GRID = 101
"""Parameter values along a slice of :func:`figure_bound_along`."""


def _bound_title(log_likelihood: float, elbo: float | None, n_samples: int) -> str:
    """The gap in words and numbers (its mean per point below), or why there is none."""
    if elbo is None:
        return "No bound yet<br><sup>press E-step: the bound needs responsibilities</sup>"
    kl = log_likelihood - elbo
    return (
        f"gap KL(q ‖ p) = {_signed(kl, ',.3f')}"
        f"<br><sup>log-likelihood {_signed(log_likelihood, ',.2f')} · "
        f"bound L(q, θ) {_signed(elbo, ',.2f')} · {_signed(kl / n_samples, '.2e')} per point"
        "</sup>"
    )


def figure_bound(history: Sequence[Record], current_index: int, n_samples: int) -> go.Figure:
    """The log-likelihood and the lower bound (ELBO) after every half-step, as stairs,
    with the gap between them (the KL divergence) shaded.

    An E-step lifts the bound to touch the log-likelihood (for soft EM: the gap closes);
    an M-step raises the bound and the log-likelihood with it, opening a gap that the
    next E-step closes again.

    Parameters
    ----------
    history : sequence of Record
        The run's half-steps; the records' ``elbo`` is None before the first E-step.
    current_index : int
        The record whose gap is ringed and named in the title; negative counts from
        the end.
    n_samples : int
        For the gap's mean per point.

    Returns
    -------
    figure : go.Figure
        Traces: the log-likelihood under the bound (no line: the shading's edge), the
        bound filled up to it, the log-likelihood, and rings on the current record's
        two values; the same five in every state.
    """
    x = np.array([half_step_x(r) for r in history])
    log_likelihood = np.array([r.log_likelihood for r in history])
    bounded = np.array([r.elbo is not None for r in history])
    elbo = np.array([r.elbo for r in history if r.elbo is not None], dtype=float)
    symbols = np.array([PHASE_STYLE[r.phase][1] for r in history])
    names = [[r.iteration, PHASE_STYLE[r.phase][0]] for r in history]
    kl = log_likelihood[bounded] - elbo
    traces = [
        go.Scatter(
            x=x[bounded],
            y=log_likelihood[bounded],
            mode="lines",
            line={"width": 0, "shape": "hv"},
            name="gap base",
            showlegend=False,
            hoverinfo="skip",
        ),
        go.Scatter(
            x=x[bounded],
            y=elbo,
            fill="tonexty",
            fillcolor=GAP_FILL,
            name="lower bound L(q, θ)",
            line={"color": BOUND_COLOUR, "width": 3, "shape": "hv"},
            mode="lines+markers",
            marker={"symbol": symbols[bounded], "size": 11, "color": BOUND_COLOUR},
            customdata=[
                [*name, gap]
                for name, gap in zip(itertools.compress(names, bounded), kl, strict=True)
            ],
            hovertemplate=(
                "iteration %{customdata[0]}, %{customdata[1]}<br>bound %{y:,.3f}"
                "<br>gap (KL) %{customdata[2]:,.3f}<extra></extra>"
            ),
        ),
        go.Scatter(
            x=x,
            y=log_likelihood,
            name="log-likelihood log p(X | θ)",
            line={"color": LOG_LIKELIHOOD_COLOUR, "width": 3, "shape": "hv"},
            marker={"symbol": symbols, "size": 11, "color": LOG_LIKELIHOOD_COLOUR},
            mode="lines+markers",
            customdata=names,
            hovertemplate=(
                "iteration %{customdata[0]}, %{customdata[1]}<br>log-likelihood %{y:,.3f}"
                "<extra></extra>"
            ),
        ),
    ]
    current = history[current_index]
    ring = {"symbol": "circle-open", "size": 22, "line": {"width": 3}}
    for value, colour in (
        (current.log_likelihood, LOG_LIKELIHOOD_COLOUR),
        (current.elbo, BOUND_COLOUR),
    ):
        shown = [] if value is None else [value]
        traces.append(
            go.Scatter(
                x=[half_step_x(current)] * len(shown),
                y=shown,
                mode="markers",
                marker={**ring, "color": colour},
                showlegend=False,
                hoverinfo="skip",
            )
        )
    layout = {
        **WHITE,
        "font": {**WHITE["font"], "size": CURVE_FONT_SIZE},
        "title": {
            "text": _bound_title(current.log_likelihood, current.elbo, n_samples),
            "font": {"size": FONT_SIZE},
            "x": 0.02,
        },
        "hovermode": "closest",
        "legend": {"orientation": "h", "x": 0, "y": -0.22, "yanchor": "top"},
        "margin": {"l": 90, "r": 20, "t": 80, "b": 90},
        "xaxis": iteration_axis(history),
        "yaxis": {**WHITE_AXIS, "title": {"text": "log-likelihood"}, "tickformat": ",.7~g"},
    }
    return go.Figure(traces, layout)


def bound_grid(
    X: np.ndarray, params: GaussianParams, component: int, coordinate: int | None
) -> np.ndarray:
    """The values a slice of :func:`figure_bound_along` takes: for a mean coordinate,
    across the data (and the current value) with a margin; for a weight, across (0, 1)."""
    if coordinate is None:
        return np.linspace(0, 1, BOUND_GRID + 2)[1:-1]
    current = params.means[component, coordinate]
    low = min(X[:, coordinate].min(), current)
    high = max(X[:, coordinate].max(), current)
    margin = RANGE_MARGIN * (high - low) if high > low else 1.0
    return np.linspace(low - margin, high + margin, BOUND_GRID)


def figure_bound_along(
    X: np.ndarray,
    params: GaussianParams,
    q: np.ndarray,
    component: int,
    coordinate: int | None = None,
    *,
    feature_names: Sequence[str] = ("x1", "x2"),
) -> go.Figure:
    """Bishop's figure 9.14, live: the log-likelihood and the lower bound ``L(q, θ)`` as
    one parameter of one component varies, the rest held at their current values.

    The bound never rises above the log-likelihood; after an E-step it touches it at the
    current value, and after an M-step the current value sits at the bound's peak.

    Parameters
    ----------
    X : ndarray of shape (N, D)
    params : GaussianParams
        The current parameters.
    q : ndarray of shape (N, K)
        The latest E-step's responsibilities.
    component : int
        Numbered from 0.
    coordinate : int, optional
        The coordinate of the mean that varies; None varies the weight (the others
        rescaled to keep the sum 1).
    feature_names : sequence of str, default=("x1", "x2")

    Returns
    -------
    figure : go.Figure
        Traces: the log-likelihood, the bound, the current value on both, and the
        bound's peak (empty if the component has no responsibility).
    """
    values = bound_grid(X, params, component, coordinate)
    log_likelihood, elbo = bound_along(X, params, q, component, values, coordinate)
    if coordinate is None:
        current = params.weights[component]
        name = f"weight π<sub>{component + 1}</sub>"
    else:
        current = params.means[component, coordinate]
        name = f"mean μ<sub>{component + 1}</sub>, {escape(str(feature_names[coordinate]))}"
    at_current = bound_along(X, params, q, component, [current], coordinate)
    peak = argmax_along(X, params, q, component, coordinate)
    at_peak = (
        ([], []) if peak is None else bound_along(X, params, q, component, [peak], coordinate)
    )
    hover = f"{name} %{{x:.4g}}<br>%{{y:,.3f}}<extra>%{{fullData.name}}</extra>"
    traces = [
        go.Scatter(
            x=values,
            y=log_likelihood,
            mode="lines",
            name="log-likelihood log p(X | θ)",
            line={"color": LOG_LIKELIHOOD_COLOUR, "width": 3},
            hovertemplate=hover,
        ),
        go.Scatter(
            x=values,
            y=elbo,
            mode="lines",
            name="lower bound L(q, θ)",
            line={"color": BOUND_COLOUR, "width": 3},
            hovertemplate=hover,
        ),
        go.Scatter(
            x=[current, current],
            y=[at_current[0][0], at_current[1][0]],
            mode="markers",
            name="current value",
            marker={"symbol": "circle", "size": 13, "color": OUTLINE},
            hovertemplate=hover,
        ),
        go.Scatter(
            x=[] if peak is None else [peak],
            y=at_peak[1],
            mode="markers",
            name="peak of the bound",
            marker={
                "symbol": "star",
                "size": 17,
                "color": BOUND_COLOUR,
                "line": {"width": 1.5, "color": OUTLINE},
            },
            hovertemplate=hover,
        ),
    ]
    # The log-likelihood's whole range along the slice; the bound, a parabola for a mean,
    # may fall out of sight far from the current value.
    top, low = max(log_likelihood.max(), at_current[0][0]), log_likelihood.min()
    pad = 0.06 * max(top - low, 1.0)
    layout = {
        **WHITE,
        "font": {**WHITE["font"], "size": CURVE_FONT_SIZE},
        "title": {"text": f"Along {name}, the rest held", "font": {"size": FONT_SIZE}, "x": 0.02},
        "hovermode": "closest",
        "legend": {
            "orientation": "h",
            "entrywidth": 0.5,
            "entrywidthmode": "fraction",
            "x": 0,
            "y": -0.2,
            "yanchor": "top",
        },
        "margin": {"l": 90, "r": 20, "t": 60, "b": 110},
        "shapes": [
            {
                "type": "line",
                "x0": current,
                "x1": current,
                "yref": "paper",
                "y0": 0,
                "y1": 1,
                "line": {"color": OUTLINE, "width": 1, "dash": "dot"},
            }
        ],
        "xaxis": {
            **WHITE_AXIS,
            "title": {"text": name, "standoff": 4},
            "range": [values[0], values[-1]],
        },
        "yaxis": {
            **WHITE_AXIS,
            "title": {"text": "log-likelihood"},
            "tickformat": ",.7~g",
            "range": [low - pad, top + pad],
        },
    }
    return go.Figure(traces, layout)
