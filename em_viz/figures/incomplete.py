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
from em_viz.figures.style import (
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
THETA_HOVER = "θ %{x:.7f}<br>%{y:,.4f}<extra>%{fullData.name}</extra>"


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
        go.Scatter(
            x=grid,
            y=curve,
            mode="lines",
            name="log-likelihood log L(θ)",
            line={"color": LOG_LIKELIHOOD_COLOUR, "width": 3},
            hovertemplate=THETA_HOVER,
        ),
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
        go.Scatter(
            x=grid if theta_t is not None else [],
            y=bound(grid, theta_t, counts) if theta_t is not None else [],
            mode="lines",
            name="lower bound built at θ<sub>t</sub>",
            line={"color": BOUND_COLOUR, "width": 3},
            hovertemplate=THETA_HOVER,
        )
    )
    visited = np.array([r.theta for r in shown if r.phase != "E"])
    _, symbol, colour = PHASE_STYLE["M"]
    traces.append(
        go.Scatter(
            x=visited,
            y=log_likelihood(visited, counts),
            mode="markers",
            name="θ<sub>t</sub> after each M-step",
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
            name="gain beyond the bound",
            line={"color": OUTLINE, "width": 2, "dash": "dot"},
            hoverinfo="skip",
        )
    )
    traces.append(
        go.Scatter(
            x=[peak] if peak is not None else [],
            y=[bound(peak, theta_t, counts)] if peak is not None else [],
            mode="markers",
            name="the bound's top: θ<sub>t+1</sub>",
            marker={
                "symbol": "star",
                "size": 17,
                "color": BOUND_COLOUR,
                "line": {"width": 1.5, "color": OUTLINE},
            },
            hovertemplate=THETA_HOVER,
        )
    )
    traces.append(ring([current.theta], [current.log_likelihood], name="shown now"))
    in_view = curve[np.isfinite(curve)]
    pad = 0.08 * max(in_view.max() - in_view.min(), 1e-9)
    layout = base_layout(
        f"θ = {current.theta:.7f}, log L = {signed(current.log_likelihood, ',.4f')}",
        legend=legend_below(-0.16, entrywidth=0.5, entrywidthmode="fraction"),
        margin={"l": 90, "r": 20, "t": 60, "b": 125},
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
            "log L(θ)", tickformat=",.7~g", range=[in_view.min() - pad, in_view.max() + pad]
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
