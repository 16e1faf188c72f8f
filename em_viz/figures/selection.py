"""An information criterion against K, one line per covariance type, the chosen model
starred and degenerate fits hollow (their reason on hover)."""

import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from em_viz.engine.selection import CRITERIA, MCLUST_NAMES
from em_viz.figures.style import (
    BLUE,
    CURVE_FONT_SIZE,
    FONT_SIZE,
    GREEN,
    ORANGE,
    OUTLINE,
    VERMILLION,
    axis,
    base_layout,
)

TYPE_STYLE = {
    "spherical": (BLUE, "dot", "circle"),
    "diag": (ORANGE, "dash", "square"),
    "tied": (GREEN, "solid", "diamond"),
    "full": (VERMILLION, "dashdot", "triangle-up"),
}
"""Colour, dash and marker per covariance type (told apart in grey print too)."""
MARKER_SIZE = 13
HOVER_WIDTH = 60
"""Characters per line of a degenerate cell's reason on hover."""
SHOWN_QUANTILE = 0.75
"""The y axis reaches up to this quantile of the values: the few worst models (one
component, or spherical on elongated clusters) would otherwise squash the low end, where
the choice is made, into a sliver. Double-click shows all."""
PAD = 0.08


def type_name(covariance_type: str) -> str:
    """'tied (EEE)': ours with mclust's beside it."""
    return f"{covariance_type} ({MCLUST_NAMES[covariance_type]})"


def _hover_reason(reason: str) -> str:
    """'<br>left out: ...' wrapped for the hover box; '' for an honest fit."""
    if not reason:
        return ""
    return "<br>left out: " + "<br>".join(textwrap.wrap(reason, HOVER_WIDTH))


def _type_trace(rows: pd.DataFrame, covariance_type: str, criterion: str) -> go.Scatter:
    """One covariance type's criterion against K: filled markers for honest fits,
    hollow for degenerate ones."""
    colour, dash, symbol = TYPE_STYLE[covariance_type]
    degenerate = rows["degenerate"].to_numpy(bool)
    symbols = np.where(degenerate, f"{symbol}-open", symbol).tolist()
    hover = [_hover_reason(reason) for reason in rows["reason"]]
    label = CRITERIA[criterion]
    return go.Scatter(
        x=rows["n_components"].to_numpy(),
        y=rows[criterion].to_numpy(float),
        mode="lines+markers",
        name=type_name(covariance_type),
        line={"color": colour, "dash": dash, "width": 3},
        marker={
            "symbol": symbols,
            "size": MARKER_SIZE,
            "color": colour,
            "line": {"color": colour, "width": 2.5},
        },
        customdata=np.column_stack([rows["log_likelihood"], rows["n_parameters"], hover]),
        hovertemplate=(
            f"{type_name(covariance_type)}, K = %{{x}}<br>{label} %{{y:,.2f}}"
            "<br>log-likelihood %{customdata[0]:,.2f}<br>%{customdata[1]} parameters"
            "%{customdata[2]}<extra></extra>"
        ),
    )


def figure_criterion(
    table: pd.DataFrame, criterion: str = "bic", chosen: pd.Series | None = None
) -> go.Figure:
    """``criterion`` against K for every covariance type in ``table``.

    Parameters
    ----------
    table : pandas.DataFrame
        As :func:`~em_viz.engine.selection.bic_table` returns it.
    criterion : {"bic", "aic", "icl"}
    chosen : pandas.Series, optional
        The chosen row (:func:`~em_viz.engine.selection.best_model`), starred.

    Returns
    -------
    figure : go.Figure
        One trace per covariance type in the table's order, then the chosen star (empty
        when nothing is chosen).
    """
    label = CRITERIA[criterion]
    traces = [
        _type_trace(rows, covariance_type, criterion)
        for covariance_type, rows in table.groupby("covariance_type", sort=False)
    ]
    star = ([], [], "")
    if chosen is not None:
        star = (
            [chosen["n_components"]],
            [chosen[criterion]],
            f"chosen: {type_name(chosen['covariance_type'])}, K = {chosen['n_components']}",
        )
    traces.append(
        go.Scatter(
            x=star[0],
            y=star[1],
            mode="markers",
            name=star[2] or "chosen",
            marker={
                "symbol": "star",
                "size": 26,
                "color": ORANGE,
                "line": {"color": OUTLINE, "width": 2},
            },
            hoverinfo="skip",
            showlegend=chosen is not None,
        )
    )
    values = table[criterion].to_numpy(float)
    values = values[np.isfinite(values)]
    y_range = None
    if values.size:
        low, high = values.min(), np.quantile(values, SHOWN_QUANTILE)
        pad = PAD * max(high - low, 1.0)
        y_range = [low - pad, high + pad]
    layout = base_layout(
        f"{label} against K, lower is better<br><span style='font-size:{CURVE_FONT_SIZE}px'>"
        "★ chosen · hollow: degenerate, left out · the worst models are above the top: "
        "double-click to see all</span>",
        font_size=FONT_SIZE,
        margin={"l": 20, "r": 20, "t": 75, "b": 20},
        legend={"x": 1.01, "y": 1, "xanchor": "left", "yanchor": "top"},
        xaxis=axis("number of components K", standoff=6, dtick=1, automargin=True),
        yaxis=axis(label, tickformat=",.0f", automargin=True, range=y_range),
    )
    return go.Figure(traces, layout)
