"""Figures of a hidden Markov model fitted by Baum-Welch: the rolls and what the model
says of them, each state's emissions, and the Gaussian states on 2-D data joined in time
order (the transition diagram and the trellis are in :mod:`em_viz.figures.hmm_graphs`);
and the M-step's expected counts as tables of fractions.

All take arrays (the model's parameters, its posteriors), not a run, and keep the same
traces in the same order in every state of a run, so that ``Plotly.react`` updates
them in place. Hidden state k is drawn in colour k of
:func:`em_viz.figures.style.component_colours`.
"""

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from em_viz.engine.families.gaussian import GaussianParams
from em_viz.figures.mixture import figure_mixture
from em_viz.figures.style import (
    CURVE_FONT_SIZE,
    FONT_SIZE,
    GREY,
    LINE_GREY,
    OUTLINE,
    axis,
    base_layout,
    component_colours,
    translucent,
)

FAIR_COLOUR = "#E4E4E4"
LOADED_COLOUR = "#333333"
"""The true die under the rolls: light for fair, dark for loaded (not a state's colour:
which hidden state plays which die is the model's business)."""

STRIP_ROWS = {  # y-axis domains, top to bottom
    "rolls": (0.74, 1.0),
    "truth": (0.63, 0.69),
    "band": (0.32, 0.58),
    "viterbi": (0.16, 0.23),
    "decoding": (0.03, 0.10),
}


def _stepped(colours: Sequence[str]) -> list[list]:
    """A stepped colorscale giving integer z = k exactly ``colours[k]`` (with
    ``zmin=-0.5``, ``zmax=len(colours) - 0.5``)."""
    n_states = len(colours)
    scale = []
    for k, colour in enumerate(colours):
        scale += [[k / n_states, colour], [(k + 1) / n_states, colour]]
    return scale


UNKNOWN = "white"
"""A strip's cells where its values are not known (typed rolls' dice, decoding before
an E-step)."""


def _strip(
    values: np.ndarray | None,
    n_rolls: int,
    axis_name: str,
    colours: Sequence[str],
    hover: str,
) -> go.Heatmap:
    """One row of cells under the rolls (a state path, the true die): value k is drawn
    as z = k + 1 in ``colours[k]``, and ``hover`` names it from ``%{z}``. Unknown
    values (``values`` None) are z = 0, white and unhovered, so that the figure keeps
    its traces (a hidden or empty heatmap draws a broken path). Numbers, not names,
    per cell: 20,000 rolls stay light to send."""
    known = values is not None
    z = np.asarray(values, dtype=np.uint8) + 1 if known else np.zeros(n_rolls, dtype=np.uint8)
    return go.Heatmap(
        z=z[None, :],
        x0=1,
        dx=1,
        y0=0,
        yaxis=axis_name,
        colorscale=_stepped([UNKNOWN, *colours]),
        zmin=-0.5,
        zmax=len(colours) + 0.5,
        showscale=False,
        hovertemplate=f"roll %{{x}}: {hover}<extra></extra>" if known else None,
        hoverinfo=None if known else "skip",
    )


def figure_casino(
    rolls: np.ndarray,
    posteriors: np.ndarray | None,
    viterbi_path: np.ndarray | None,
    *,
    loaded: int,
    true_states: np.ndarray | None = None,
    faces: Sequence[str] = ("1", "2", "3", "4", "5", "6"),
    uirevision: str = "rolls",
) -> go.Figure:
    """The rolls, the true die, P(loaded | all rolls) as a band, and the state paths of
    Viterbi decoding and of posterior decoding, on one roll axis.

    Parameters
    ----------
    rolls : ndarray of shape (T,)
        Symbols 0 .. M-1, symbol s drawn at height s + 1 (the face of a die).
    posteriors : ndarray of shape (T, K) or None
        The latest E-step's P(state k at t | all rolls); None before any E-step.
    viterbi_path : ndarray of shape (T,) or None
        The most probable state sequence under the parameters shown.
    loaded : int
        The state whose posterior is the band (the one that plays the loaded die).
    true_states : ndarray of shape (T,), optional
        The die that made each roll, 0 fair and 1 loaded (generated rolls only).
    faces : sequence of str
        The symbols' names, on the rolls' axis; the last is the one drawn dark.
    uirevision : str
        Kept zoom while it stays the same.

    Returns
    -------
    figure : go.Figure
        Traces: the rolls, the true die, the band, the Viterbi path, the posterior
        decoding, then one legend entry per state; the same in every state of a run.
    """
    rolls = np.asarray(rolls, dtype=int)
    n_rolls = len(rolls)
    n_states = 2 if posteriors is None else posteriors.shape[1]
    if viterbi_path is not None:
        n_states = max(n_states, int(np.max(viterbi_path)) + 1)
    colours, _ = component_colours(n_states)
    x = np.arange(1, n_rolls + 1, dtype=np.int32)  # compact types: light to send
    top = rolls == len(faces) - 1
    # Before an E-step the band lies flat at 0 (an axis with no data would draw a
    # broken path), unhovered; the annotation says why.
    band = np.zeros(n_rolls) if posteriors is None else posteriors[:, loaded]
    band = band.astype(np.float32)
    traces = [
        go.Scatter(
            x=x,
            y=(rolls + 1).astype(np.uint8),
            mode="markers",
            name="rolls",
            showlegend=False,
            marker={  # the top face dark (sixes stand out), as numbers: light to send
                "size": np.where(top, 7, 4).astype(np.uint8) if n_rolls > 400 else 7,
                "color": top.astype(np.uint8),
                "colorscale": [[0, LINE_GREY], [1, OUTLINE]],
                "cmin": 0,
                "cmax": 1,
            },
            hovertemplate="roll %{x}: %{y}<extra></extra>",
        ),
        _strip(
            true_states, n_rolls, "y2", [FAIR_COLOUR, LOADED_COLOUR], "die %{z} (1 fair, 2 loaded)"
        ),
        go.Scatter(
            x=x,
            y=band,
            mode="lines",
            fill="tozeroy",
            name="P(loaded | rolls)",
            showlegend=False,
            line={"color": colours[loaded], "width": 1.5},
            fillcolor=translucent(colours[loaded], 0.45),
            yaxis="y3",
            hovertemplate=None
            if posteriors is None
            else "roll %{x}<br>P(loaded | all rolls) = %{y:.3f}<extra></extra>",
            hoverinfo="skip" if posteriors is None else None,
        ),
        _strip(viterbi_path, n_rolls, "y4", colours, "state %{z}"),
        _strip(
            None if posteriors is None else posteriors.argmax(axis=1),
            n_rolls,
            "y5",
            colours,
            "state %{z}",
        ),
    ]
    traces += [
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            name=f"state {k + 1}",
            marker={"symbol": "square", "size": 16, "color": colour},
            hoverinfo="skip",
        )
        for k, colour in enumerate(colours)
    ]

    def row(name: str, label: str) -> dict:
        """A strip's axis: one row, its name as the tick (its range fixed, so that a
        strip not known yet leaves a blank row)."""
        return axis(
            domain=STRIP_ROWS[name],
            anchor="x",
            range=[-0.5, 0.5],
            fixedrange=True,
            showgrid=False,
            zeroline=False,
            tickvals=[0],
            ticktext=[label],
        )

    roll_ticks = list(range(1, len(faces) + 1))
    layout = base_layout(
        font_size=FONT_SIZE,
        uirevision=uirevision,
        margin={"l": 110, "r": 20, "t": 40, "b": 50},
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.0, "yanchor": "bottom"},
        xaxis=axis("roll", standoff=2, range=[0.5, n_rolls + 0.5], showgrid=False, anchor="y5"),
        yaxis=axis(
            domain=STRIP_ROWS["rolls"],
            range=[0.4, len(faces) + 0.6],
            tickvals=[roll_ticks[0], roll_ticks[-1]],
            ticktext=[faces[0], faces[-1]],
            fixedrange=True,
        )
        | {"title": {"text": "rolled", "font": {"size": CURVE_FONT_SIZE}}},
        yaxis2=row("truth", "true die"),
        yaxis3=axis(
            domain=STRIP_ROWS["band"],
            anchor="x",
            range=[0, 1],
            tickvals=[0, 0.5, 1],
            fixedrange=True,
        )
        | {"title": {"text": "P(loaded)", "font": {"size": CURVE_FONT_SIZE}}},
        yaxis4=row("viterbi", "Viterbi"),
        yaxis5=row("decoding", "posterior"),
    )
    if posteriors is None:
        layout["annotations"] = [
            {
                "text": "no E-step yet",
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.45,
                "showarrow": False,
                "font": {"size": FONT_SIZE, "color": GREY},
            }
        ]
    return go.Figure(traces, layout)


# Emissions -------------------------------------------------------------------------------


def figure_emissions(
    emissionprob: np.ndarray,
    *,
    faces: Sequence[str] = ("1", "2", "3", "4", "5", "6"),
    reference: np.ndarray | None = None,
) -> go.Figure:
    """Each state's emission probabilities as bars in its colour, a dashed line at a
    fair die's 1/M, and (if given) the true probabilities as black dashes.

    Parameters
    ----------
    emissionprob : ndarray of shape (K, M)
        B_ks = P(face s | state k); rows sum to 1.
    faces : sequence of str, length M
    reference : ndarray of shape (K, M), optional
        The true die behind each state, row k matched to state k, drawn as an outline
        over state k's bars.

    Returns
    -------
    figure : go.Figure
        Traces: one bar per state, the fair line, the reference as hollow bars over
        them (empty if none).
    """
    emissionprob = np.asarray(emissionprob, dtype=float)
    n_states, n_faces = emissionprob.shape
    colours, _ = component_colours(n_states)
    width = 0.8 / n_states
    offsets = (np.arange(n_states) - (n_states - 1) / 2) * width
    faces_x = np.arange(n_faces)
    traces = [
        go.Bar(
            x=faces_x + offsets[k],
            y=emissionprob[k],
            width=width,
            marker={"color": colour, "line": {"color": OUTLINE, "width": 1}},
            name=f"state {k + 1}",
            customdata=np.asarray(faces),
            hovertemplate=f"state {k + 1}<br>P(%{{customdata}}) = %{{y:.3f}}<extra></extra>",
        )
        for k, colour in enumerate(colours)
    ]
    traces.append(
        go.Scatter(
            x=[-0.5, n_faces - 0.5],
            y=[1 / n_faces] * 2,
            mode="lines",
            name=f"fair 1/{n_faces}",
            line={"color": OUTLINE, "width": 2, "dash": "dash"},
            hoverinfo="skip",
        )
    )
    traces.append(
        go.Bar(
            x=(faces_x[None, :] + offsets[:, None]).ravel() if reference is not None else [],
            y=np.asarray(reference, dtype=float).ravel() if reference is not None else [],
            width=width,
            marker={"color": "rgba(0, 0, 0, 0)", "line": {"color": OUTLINE, "width": 3}},
            name="true die",
            showlegend=reference is not None,
            hovertemplate="true P = %{y:.3f}<extra></extra>",
        )
    )
    top = max(0.6, float(emissionprob.max()) + 0.05)
    layout = base_layout(
        "Emissions B: P(face | state)",
        font_size=FONT_SIZE,
        barmode="overlay",
        margin={"l": 60, "r": 10, "t": 50, "b": 50},
        legend={
            "orientation": "h",
            "x": 0,
            "y": -0.18,
            "yanchor": "top",
            "font": {"size": CURVE_FONT_SIZE},
        },
        xaxis=axis("face", standoff=2, tickvals=faces_x, ticktext=list(faces), fixedrange=True),
        yaxis=axis(range=[0, top], fixedrange=True, tickformat=".1f"),
    )
    return go.Figure(traces, layout)


# A Gaussian HMM on 2-D data ---------------------------------------------------------------


def figure_gaussian_hmm(
    X: np.ndarray,
    means: np.ndarray,
    covariances: np.ndarray,
    weights: np.ndarray,
    posteriors: np.ndarray | None,
    *,
    lengths: Sequence[int] | None = None,
    feature_names: Sequence[str] = ("x1", "x2"),
    uirevision: str = "data",
) -> go.Figure:
    """The explorer's picture of the states (points coloured by their posteriors, each
    state's mean and ellipses) with the points joined in time order underneath.

    Parameters
    ----------
    X : ndarray of shape (T, 2)
    means : ndarray of shape (K, 2)
    covariances : ndarray of shape (K, 2, 2)
    weights : ndarray of shape (K,)
        Shown on hovering a mean (for a hidden Markov model, its long-run share of time
        in each state).
    posteriors : ndarray of shape (T, K) or None
    lengths : sequence of int, optional
        Several sequences one after another: their lines are not joined.
    feature_names : pair of str
    uirevision : str

    Returns
    -------
    figure : go.Figure
        Traces: the time line, then :func:`~em_viz.figures.mixture.figure_mixture`'s.
    """
    X = np.asarray(X, dtype=float)
    params = GaussianParams(np.asarray(weights, dtype=float), means, covariances)
    figure = figure_mixture(
        X, params, posteriors, feature_names=feature_names, uirevision=uirevision
    )
    ends = np.cumsum(lengths)[:-1] if lengths is not None else []
    x, y = np.insert(X[:, 0], ends, np.nan), np.insert(X[:, 1], ends, np.nan)
    line = go.Scatter(
        x=np.where(np.isnan(x), None, x),
        y=np.where(np.isnan(y), None, y),
        mode="lines",
        name="in time order",
        line={"color": LINE_GREY, "width": 1},
        opacity=0.6,
        showlegend=False,
        hoverinfo="skip",
    )
    return go.Figure([line, *figure.data], figure.layout)


# The M-step's counts as fractions ------------------------------------------------------------


def _fraction(count: float, total: float) -> str:
    """'41.2 / 45.3 = 0.91'; a row with nothing to count says so."""
    return f"{count:.1f} / {total:.1f} = {count / total:.2f}" if total > 0 else "no counts"


def transitions_table(transitions: np.ndarray) -> pd.DataFrame:
    """Expected transitions out of each state over their total: the M-step's A.

    Parameters
    ----------
    transitions : ndarray of shape (K, K)
        ``sum_t xi_t(i, j)``.

    Returns
    -------
    table : DataFrame
        Rows "from i", columns "to j", cells "count / total = A_ij".
    """
    totals = transitions.sum(axis=1)
    states = range(1, len(transitions) + 1)
    return pd.DataFrame(
        [
            [_fraction(c, total) for c in row]
            for row, total in zip(transitions, totals, strict=True)
        ],
        index=[f"from {i}" for i in states],
        columns=[f"to {j}" for j in states],
    )


def emissions_table(counts: np.ndarray, symbols: np.ndarray, faces: Sequence[str]) -> pd.DataFrame:
    """Per face, how often it was rolled, and the rolls of it credited to each state
    over all the rolls credited to that state: the M-step's B, laid out as the two-coin
    table (totals in a last row).

    Parameters
    ----------
    counts : ndarray of shape (K, M)
        ``sum_t gamma_t(k) [x_t = s]``.
    symbols : ndarray of shape (T,)
    faces : sequence of str, length M

    Returns
    -------
    table : DataFrame
        Rows the faces and "Total"; columns "rolled", then "state k" with cells
        "count / total = B_k(face)".
    """
    totals = counts.sum(axis=1)
    rows = pd.DataFrame(
        {"rolled": [*np.bincount(symbols, minlength=len(faces)), len(symbols)]},
        index=[*faces, "Total"],
    )
    for k, (row, total) in enumerate(zip(counts, totals, strict=True)):
        rows[f"state {k + 1}"] = [*(_fraction(c, total) for c in row), f"{total:.1f}"]
    return rows
