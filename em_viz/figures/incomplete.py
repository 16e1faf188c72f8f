"""Figures of EM on incomplete data: the genetic-linkage example, where one parameter
makes the whole picture exact (the log-likelihood, EM's lower bound at every iteration,
the table of errors), and Murray's twelve points, where EM can stop at a saddle point
(the profile log-likelihood over the correlation, and the points with the missing
coordinates filled in).

Every figure keeps the same traces in the same order in every state, so that
``Plotly.react`` updates it in place.
"""

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from em_viz.engine.linkage_em import (
    DLR_COUNTS,
    bound,
    bound_peak,
    log_likelihood,
    maximum_likelihood,
)
from em_viz.engine.stepper import Record
from em_viz.figures.bound import BOUND_COLOUR, LOG_LIKELIHOOD_COLOUR
from em_viz.figures.curves import signed
from em_viz.figures.geometry import ellipse
from em_viz.figures.mixture import (
    HOLLOW,
    MISSING_LINE_WIDTH,
    MISSING_NAME,
    SIGMA,
    missing_axis_lines,
)
from em_viz.figures.style import (
    CURVE_FONT_SIZE,
    GREY,
    LINE_GREY,
    OUTLINE,
    PHASE_STYLE,
    axis,
    base_layout,
    legend_below,
    ring,
    translucent,
)

CURVE_POINTS = 400
"""θ values along the log-likelihood and each bound."""
EARLIER_BOUND = translucent(BOUND_COLOUR, 0.3)
THETA_HOVER = "θ %{x:.7f}<br>%{y:.7~g}<extra>%{fullData.name}</extra>"


def _curve(x, y, name: str, colour: str, hover: str) -> go.Scatter:
    """A bold curve with its hover: log L, a bound, the profile."""
    return go.Scatter(
        x=x, y=y, mode="lines", name=name, line={"color": colour, "width": 3}, hovertemplate=hover
    )


def _bound_at(history: Sequence[Record], index: int) -> int | None:
    """The index of the latest E-step at or before ``history[index]``: its θ is where the
    bound shown touches the log-likelihood; None before any E-step."""
    index = range(len(history))[index]
    return next((i for i in range(index, -1, -1) if history[i].phase == "E"), None)


def _theta_window(thetas: Sequence[float], best: float, zoom: bool) -> tuple[float, float]:
    """The θ range shown: the whole path and the maximum with a margin, or (``zoom``)
    just the last of ``thetas`` and the maximum, so that late iterations can be seen."""
    shown = [thetas[-1], best] if zoom else [*thetas, best]
    low, high = min(shown), max(shown)
    margin = max(0.6 * (high - low), 1e-7 if zoom else 0.05)
    return max(low - margin, 1e-9), min(high + margin, 1 - 1e-9)


def figure_linkage(
    history: Sequence[Record],
    current_index: int,
    counts: Sequence[int] = DLR_COUNTS,
    *,
    zoom: bool = False,
) -> go.Figure:
    """EM as minorise-maximise: ``log L(θ)`` and, for each iteration, the lower bound that
    touches it at ``θ_t`` (the E-step) and is largest at ``θ_{t+1}`` (the M-step).

    Parameters
    ----------
    history : sequence of Record
        A :class:`~em_viz.GeneticLinkageEM`'s half-steps (each with ``theta``).
    current_index : int
        The record shown; negative counts from the end. Its iteration's bound is drawn
        bold, the earlier ones faint.
    counts : sequence of four int
    zoom : bool, default=False
        Show θ near the current value and the maximum only (late iterations move θ by
        less than a pixel of the whole view).

    Returns
    -------
    figure : go.Figure
        Traces: the log-likelihood, the earlier bounds (one line, broken by gaps), the
        current bound, θ at the start and after each M-step up to the record shown, the
        gain of the M-step (from the bound's top up to log L), the bound's peak, and
        the ring on the record shown; the same seven in every state.
    """
    index = range(len(history))[current_index]
    shown = history[: index + 1]
    best = maximum_likelihood(counts)
    low, high = _theta_window([r.theta for r in history[:1] + shown], best, zoom)
    grid = np.linspace(low, high, CURVE_POINTS)
    curve = log_likelihood(grid, counts)
    at = _bound_at(history, index)
    earlier = [r.theta for r in shown[: at if at is not None else 0] if r.phase == "E"]
    faint = [part for theta_t in earlier for part in (bound(grid, theta_t, counts), [np.nan])]
    traces = [
        _curve(grid, curve, "log L(θ)", LOG_LIKELIHOOD_COLOUR, THETA_HOVER),
        go.Scatter(
            x=np.tile(np.append(grid, np.nan), len(earlier)),
            y=np.concatenate(faint) if faint else [],
            mode="lines",
            name="earlier bounds",
            line={"color": EARLIER_BOUND, "width": 2},
            hoverinfo="skip",
        ),
    ]
    current = history[index]
    theta_t = None if at is None else history[at].theta
    peak = None if theta_t is None else bound_peak(theta_t, counts)
    traces.append(
        _curve(
            grid if theta_t is not None else [],
            bound(grid, theta_t, counts) if theta_t is not None else [],
            "bound at θ<sub>t</sub>",
            BOUND_COLOUR,
            THETA_HOVER,
        )
    )
    visited = np.array([r.theta for r in shown if r.phase != "E"])
    _, symbol, colour = PHASE_STYLE["M"]
    traces.append(
        go.Scatter(
            x=visited,
            y=log_likelihood(visited, counts),
            mode="markers",
            name="θ<sub>t</sub>",
            marker={"symbol": symbol, "size": 11, "color": colour},
            hovertemplate=THETA_HOVER,
        )
    )
    gain = current.phase == "M" and theta_t is not None
    top = bound(current.theta, theta_t, counts) if gain else None
    traces.append(
        go.Scatter(
            x=[current.theta] * 2 if gain else [],
            y=[top, current.log_likelihood] if gain else [],
            mode="lines",
            name="M-step's gain",
            line={"color": OUTLINE, "width": 2, "dash": "dot"},
            hoverinfo="skip",
        )
    )
    traces.append(
        go.Scatter(
            x=[peak] if peak is not None else [],
            y=[bound(peak, theta_t, counts)] if peak is not None else [],
            mode="markers",
            name="its top θ<sub>t+1</sub>",
            marker={
                "symbol": "star",
                "size": 17,
                "color": BOUND_COLOUR,
                "line": {"width": 1.5, "color": OUTLINE},
            },
            hovertemplate=THETA_HOVER,
        )
    )
    traces.append(go.Scatter(ring([current.theta], [current.log_likelihood], name="shown now")))
    # Zoomed in, log L varies in its tenth digit: heights are drawn from the maximum's.
    shift = float(log_likelihood(best, counts)) if zoom else 0.0
    for trace in traces:
        if trace.y is not None and len(trace.y):
            trace.y = np.asarray(trace.y, dtype=float) - shift
    in_view = curve[np.isfinite(curve)] - shift
    pad = 0.08 * max(in_view.max() - in_view.min(), 1e-15)
    layout = base_layout(
        f"θ = {current.theta:.7f}, log L = {signed(current.log_likelihood, ',.4f')}",
        legend=legend_below(
            -0.16, entrywidth=0.33, entrywidthmode="fraction", font={"size": CURVE_FONT_SIZE - 2}
        ),
        margin={"l": 90, "r": 20, "t": 60, "b": 100},
        shapes=[
            {
                "type": "line",
                "x0": best,
                "x1": best,
                "yref": "paper",
                "y0": 0,
                "y1": 1,
                "line": {"color": LINE_GREY, "width": 1.5, "dash": "dash"},
            }
        ],
        annotations=[
            {
                "x": best,
                "y": 1,
                "yref": "paper",
                "yanchor": "bottom",
                "text": f"θ* = {best:.7f}",
                "showarrow": False,
                "font": {"color": GREY},
            }
        ],
        xaxis=axis("θ", standoff=4, range=[low, high], tickformat=".7~f" if zoom else ".2f"),
        yaxis=axis(
            "log L(θ) - log L(θ*)" if zoom else "log L(θ)",
            tickformat=".1e" if zoom else ",.7~g",
            range=[in_view.min() - pad, in_view.max() + pad],
        ),
    )
    return go.Figure(traces, layout)


def linkage_table(history: Sequence[Record], counts: Sequence[int] = DLR_COUNTS) -> pd.DataFrame:
    """θ at the start and after each M-step, its error from the maximum and the ratio of
    successive errors, which tends to the fraction of missing information.

    Returns
    -------
    table : pandas.DataFrame
        Index ``t`` (0, 1, ...); columns ``θ_t``, ``error θ_t - θ*`` and ``ratio of errors``
        (empty where there is no previous error, or it is exactly 0).
    """
    thetas = np.array([r.theta for r in history if r.phase != "E"])
    errors = thetas - maximum_likelihood(counts)
    before = np.concatenate([[np.nan], errors[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(before != 0, errors / before, np.nan)
    return pd.DataFrame(
        {"θ_t": thetas, "error θ_t - θ*": errors, "ratio of errors": ratios},
        index=pd.RangeIndex(len(thetas), name="t"),
    )


# Murray's twelve points ---------------------------------------------------------------

PROFILE_DEPTHS = 4
"""The profile's view goes this many times the saddle's depth below its maxima, so
that the maxima and the saddle stand apart (the start may lie far below, out of view)."""
MURRAY_RANGE = 3.6
"""Both axes of the points' figure run from minus this to this (equal scales)."""
MISSING_LINE = LINE_GREY


def correlation(covariance: np.ndarray) -> float:
    """The correlation of a (2, 2) covariance matrix."""
    return float(covariance[0, 1] / np.sqrt(covariance[0, 0] * covariance[1, 1]))


def stationary_points(correlations: np.ndarray, profile: np.ndarray) -> list[tuple[str, int]]:
    """The profile's interior maxima and the minima between them (along the correlation:
    saddle points of the likelihood), as ``(kind, index)`` with kind ``"maximum"`` or
    ``"saddle"``, left to right."""
    inner = np.arange(1, len(profile) - 1)
    up = profile[inner] > np.maximum(profile[inner - 1], profile[inner + 1])
    down = profile[inner] < np.minimum(profile[inner - 1], profile[inner + 1])
    return [
        ("maximum" if up[j] else "saddle", int(i)) for j, i in enumerate(inner) if up[j] or down[j]
    ]


def figure_profile(
    correlations: np.ndarray,
    profile: np.ndarray,
    history: Sequence[Record],
    current_index: int,
) -> go.Figure:
    """The profile log-likelihood over the correlation (each correlation's best means and
    variances), with EM's path on it: the correlation and log-likelihood at the start and
    after each M-step, up to the record shown (ringed).

    EM's points lie on or under the profile (their variances are not yet the best for
    their correlation) and reach it where EM converges: a maximum, or, from correlation
    exactly 0, the saddle point between them.

    Parameters
    ----------
    correlations, profile : ndarray of shape (n,)
        From :func:`~em_viz.engine.profile.correlation_profile`.
    history : sequence of Record
        A one-component Gaussian run's half-steps.
    current_index : int

    Returns
    -------
    figure : go.Figure
        Traces: the profile, its maxima, its saddle points, EM's path and the ring;
        the same five in every state.
    """
    index = range(len(history))[current_index]
    shown = [r for r in history[: index + 1] if r.phase != "E"]
    path_x = [correlation(r.covariances[0]) for r in shown]
    path_y = [r.log_likelihood for r in shown]
    points = stationary_points(correlations, profile)
    hover = "correlation %{x:.4f}<br>log L %{y:,.4f}<extra>%{fullData.name}</extra>"
    traces = [_curve(correlations, profile, "profile log L", LOG_LIKELIHOOD_COLOUR, hover)]
    for kind, symbol in (("maximum", "star"), ("saddle", "x")):
        chosen = [i for k, i in points if k == kind]
        traces.append(
            go.Scatter(
                x=correlations[chosen],
                y=profile[chosen],
                mode="markers",
                name="maxima" if kind == "maximum" else "saddle point",
                marker={
                    "symbol": symbol,
                    "size": 17,
                    "color": BOUND_COLOUR if kind == "maximum" else OUTLINE,
                    "line": {"width": 1.5, "color": OUTLINE},
                },
                hovertemplate=hover,
            )
        )
    _, symbol, colour = PHASE_STYLE["M"]
    traces.append(
        go.Scatter(
            x=path_x,
            y=path_y,
            mode="lines+markers",
            name="EM's path",
            line={"color": colour, "width": 1.5},
            marker={"symbol": symbol, "size": 9, "color": colour},
            hovertemplate=hover,
        )
    )
    current = history[index]
    traces.append(
        ring([correlation(current.covariances[0])], [current.log_likelihood], name="shown now")
    )
    top = profile.max()
    saddles = [profile[i] for kind, i in points if kind == "saddle"]
    depth = top - min(saddles) if saddles else top - profile.min()
    low = top - PROFILE_DEPTHS * depth
    layout = base_layout(
        f"correlation {signed(correlation(current.covariances[0]), '.4f')}, "
        f"log L = {signed(current.log_likelihood, ',.4f')}",
        legend={  # inside, at the bottom between the profile's two falling sides
            "x": 0.5,
            "xanchor": "center",
            "y": 0.02,
            "yanchor": "bottom",
            "bgcolor": "rgba(255, 255, 255, 0.8)",
            "font": {"size": CURVE_FONT_SIZE - 2},
        },
        margin={"l": 90, "r": 20, "t": 60, "b": 60},
        xaxis=axis("correlation \N{GREEK SMALL LETTER RHO}", standoff=4, range=[-1, 1]),
        yaxis=axis("log L", tickformat=",.7~g", range=[low, top + 0.3 * depth]),
    )
    return go.Figure(traces, layout)


def figure_incomplete_points(
    X: np.ndarray,
    imputed: np.ndarray,
    spread: np.ndarray,
    mean: np.ndarray,
    covariance: np.ndarray,
) -> go.Figure:
    """The points with their missing coordinates filled in by EM: complete points solid,
    completed ones hollow at their expected position, each on a thin line along its
    missing axis, one conditional standard deviation either side (where it could be);
    the fitted Gaussian's 1-sigma and 2-sigma ellipses.

    Parameters
    ----------
    X : ndarray of shape (N, 2)
        NaN where missing.
    imputed : ndarray of shape (N, 2)
        ``X`` with each missing entry at its conditional expectation (the E-step's).
    spread : ndarray of shape (N, 2)
        Each missing entry's conditional standard deviation (0 where observed).
    mean : ndarray of shape (2,)
    covariance : ndarray of shape (2, 2)

    Returns
    -------
    figure : go.Figure
        Traces: the ellipses, the missing-axis lines, the complete points and the
        completed points; the same four in every state.
    """
    partial = np.isnan(X).any(axis=1)
    lines_x, lines_y = missing_axis_lines(imputed, spread, partial)
    curves = [ellipse(mean, covariance, radius) for radius in (1.0, 2.0)]
    nan = np.full((1, 2), np.nan)
    outline = np.concatenate([curves[0], nan, curves[1]])
    hover = "x1 = %{x:.4f}<br>x2 = %{y:.4f}<extra>%{fullData.name}</extra>"
    traces = [
        go.Scatter(
            x=outline[:, 0],
            y=outline[:, 1],
            mode="lines",
            name=f"fitted Gaussian, 1{SIGMA} and 2{SIGMA}",
            line={"color": BOUND_COLOUR, "width": 2.5},
            hoverinfo="skip",
        ),
        go.Scatter(
            x=lines_x,
            y=lines_y,
            mode="lines",
            name=MISSING_NAME,
            line={"color": MISSING_LINE, "width": MISSING_LINE_WIDTH},
            hoverinfo="skip",
        ),
        go.Scatter(
            x=X[~partial, 0],
            y=X[~partial, 1],
            mode="markers",
            name="complete points",
            marker={"symbol": "circle", "size": 13, "color": LOG_LIKELIHOOD_COLOUR},
            hovertemplate=hover,
        ),
        go.Scatter(
            x=imputed[partial, 0],
            y=imputed[partial, 1],
            mode="markers",
            name="filled in by EM",
            marker={
                "symbol": HOLLOW,
                "size": 13,
                "color": LOG_LIKELIHOOD_COLOUR,
                "line": {"width": 2.5},
            },
            hovertemplate=hover,
        ),
    ]
    extent = [-MURRAY_RANGE, MURRAY_RANGE]
    layout = base_layout(
        legend=legend_below(
            -0.14, entrywidth=0.5, entrywidthmode="fraction", font={"size": CURVE_FONT_SIZE - 2}
        ),
        margin={"l": 60, "r": 20, "t": 10, "b": 90},
        xaxis=axis("x1", standoff=4, range=extent, zeroline=True),
        yaxis=axis("x2", range=extent, scaleanchor="x", zeroline=True),
    )
    return go.Figure(traces, layout)
