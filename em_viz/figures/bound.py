"""Figures of the lower bound (ELBO) EM raises: its stairs over a run's half-steps, with
the gap to the log-likelihood shaded, and the bound along one parameter (Bishop's
figure 9.14)."""

import itertools
from collections.abc import Sequence
from html import escape

import numpy as np
import plotly.graph_objects as go

from em_viz.engine.bound import argmax_along, bound_along
from em_viz.engine.families.gaussian import GaussianParams
from em_viz.engine.stepper import Record
from em_viz.figures.curves import half_step_x, iteration_axis, signed
from em_viz.figures.style import (
    BLUE,
    OUTLINE,
    PHASE_STYLE,
    RANGE_MARGIN,
    VERMILLION,
    axis,
    base_layout,
    legend_below,
    ring,
    translucent,
)

LOG_LIKELIHOOD_COLOUR = BLUE
BOUND_COLOUR = VERMILLION
LOG_LIKELIHOOD_NAME = "log-likelihood log p(X | θ)"
BOUND_NAME = "lower bound L(q, θ)"
POINT_NAME = "EM: q(θ) is a point at θ̂"
SPREAD_NAME = "a posterior's spread"
GAP_FILL = translucent(BOUND_COLOUR, 0.18)
BOUND_GRID = 101
"""Parameter values along a slice of :func:`figure_bound_along`."""


def _bound_title(log_likelihood: float, elbo: float | None, n_samples: int) -> str:
    """The gap in words and numbers (its mean per point below), or why there is none."""
    if elbo is None:
        return "No bound yet<br><sup>press E-step: the bound needs responsibilities</sup>"
    kl = log_likelihood - elbo
    return (
        f"gap KL(q ‖ p) = {signed(kl, ',.3f')}"
        f"<br><sup>log-likelihood {signed(log_likelihood, ',.2f')} · "
        f"bound L(q, θ) {signed(elbo, ',.2f')} · {signed(kl / n_samples, '.2e')} per point"
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
            name=BOUND_NAME,
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
            name=LOG_LIKELIHOOD_NAME,
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
    for value, colour in (
        (current.log_likelihood, LOG_LIKELIHOOD_COLOUR),
        (current.elbo, BOUND_COLOUR),
    ):
        shown = [] if value is None else [value]
        traces.append(ring([half_step_x(current)] * len(shown), shown, colour, showlegend=False))
    layout = base_layout(
        _bound_title(current.log_likelihood, current.elbo, n_samples),
        legend=legend_below(-0.22),
        margin={"l": 90, "r": 20, "t": 80, "b": 90},
        xaxis=iteration_axis(history),
        yaxis=axis("log-likelihood", tickformat=",.7~g"),
    )
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
            y=curve,
            mode="lines",
            name=label,
            line={"color": colour, "width": 3},
            hovertemplate=hover,
        )
        for curve, label, colour in (
            (log_likelihood, LOG_LIKELIHOOD_NAME, LOG_LIKELIHOOD_COLOUR),
            (elbo, BOUND_NAME, BOUND_COLOUR),
        )
    ]
    traces += [
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
    layout = base_layout(
        f"Along {name}, the rest held",
        legend=legend_below(-0.2, entrywidth=0.5, entrywidthmode="fraction"),
        margin={"l": 90, "r": 20, "t": 60, "b": 110},
        shapes=[
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
        xaxis=axis(name, standoff=4, range=[values[0], values[-1]]),
        yaxis=axis("log-likelihood", tickformat=",.7~g", range=[low - pad, top + pad]),
    )
    return go.Figure(traces, layout)


def figure_point_and_spread(
    params: GaussianParams,
    n_samples: int,
    component: int,
    coordinate: int,
    *,
    feature_names: Sequence[str] = ("x1", "x2"),
) -> go.Figure:
    """What EM keeps of the uncertainty about one mean coordinate: a point, against the
    spread of a posterior.

    EM's q over the parameters is a point mass at the current estimate (drawn as a
    spike: all its mass in one place). Beside it, the posterior of that coordinate with
    a flat prior, ``Sigma_k`` held and the responsibilities fixed:
    ``N(mu_hat, Sigma_k[d, d] / N_k)`` with ``N_k = pi_k N``, whose width is what a
    variational posterior over the parameters keeps and EM drops.

    Parameters
    ----------
    params : GaussianParams
    n_samples : int
        N, the number of data points.
    component, coordinate : int
        Numbered from 0.
    feature_names : sequence of str, default=("x1", "x2")

    Returns
    -------
    figure : go.Figure
        Traces: the posterior's density, then EM's spike.
    """
    mean = float(params.means[component, coordinate])
    n_k = max(float(params.weights[component]) * n_samples, 1e-12)
    sd = float(np.sqrt(params.covariances[component, coordinate, coordinate] / n_k))
    values = np.linspace(mean - 4.5 * sd, mean + 4.5 * sd, BOUND_GRID)
    density = np.exp(-0.5 * ((values - mean) / sd) ** 2) / (sd * np.sqrt(2 * np.pi))
    top = 1.25 * density.max()
    name = f"mean μ<sub>{component + 1}</sub>, {escape(str(feature_names[coordinate]))}"
    traces = [
        go.Scatter(
            x=values,
            y=density,
            mode="lines",
            name=f"{SPREAD_NAME}, sd {sd:.3g}",
            line={"color": LOG_LIKELIHOOD_COLOUR, "width": 3},
            fill="tozeroy",
            fillcolor=translucent(LOG_LIKELIHOOD_COLOUR, 0.25),
            hovertemplate=f"{name} %{{x:.4g}}<br>density %{{y:.3g}}<extra></extra>",
        ),
        go.Scatter(
            x=[mean, mean],
            y=[0, top],
            mode="lines+markers",
            name=POINT_NAME,
            line={"color": BOUND_COLOUR, "width": 5},
            marker={"symbol": ["line-ew", "triangle-up"], "size": [0, 20]},
            hovertemplate=f"EM's estimate {mean:.4g}<extra></extra>",
        ),
    ]
    layout = base_layout(
        f"q over one parameter: {name}",
        legend=legend_below(-0.3, entrywidth=1.0, entrywidthmode="fraction"),
        margin={"l": 80, "r": 20, "t": 60, "b": 110},
        xaxis=axis(name, standoff=4, range=[values[0], values[-1]]),
        yaxis=axis("density", range=[0, 1.1 * top], showticklabels=False),
    )
    return go.Figure(traces, layout)
