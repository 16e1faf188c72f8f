"""A Gaussian mixture on data with more than two features, on the data's first two
principal components: the mixture figure of the projected points, with each component's
projected Gaussian (means ``A (mu - c)``, ellipses of ``A Sigma A'``).

The projection depends on the data only, so every state of a run has the same axes and
the mixture figure's traces, in the same order, animate from one state to the next;
:func:`principal_parts` gives them as Plotly's JSON, one set per half-step for the
browser to play.
"""

from typing import Any

import numpy as np
import plotly.graph_objects as go

from em_viz.engine.families.gaussian import GaussianParams
from em_viz.engine.projection import Projection, principal_components
from em_viz.figures.density import DENSITY_ABOVE, image_axes
from em_viz.figures.frames import Parts
from em_viz.figures.mixture import figure_mixture, mixture_traces
from em_viz.figures.points import data_axes


def pc_title(position: int, explained: float) -> str:
    """A principal component's axis title, short enough for a small panel: which one
    (PC1, PC2) and its share of the variance."""
    return f"PC{position} ({100 * explained:.0f}% of the variance)"


def _projected(
    X: np.ndarray, params: Any, projection: Projection | None
) -> tuple[np.ndarray, GaussianParams | None, list[str]]:
    """The points and Gaussians on two coordinates (by default the principal components
    of ``X``), and the axes' titles."""
    X = np.asarray(X, dtype=float)
    projection = projection or principal_components(X)
    projected = None
    if params is not None:
        means, covariances = projection.gaussians(params.means, params.covariances)
        projected = GaussianParams(np.asarray(params.weights), means, covariances)
    names = [pc_title(p + 1, share) for p, share in enumerate(projection.explained)]
    return projection.points(X), projected, names


def principal_parts(
    X: np.ndarray,
    params: Any,
    resp: np.ndarray | None,
    *,
    projection: Projection | None = None,
    **options: Any,
) -> Parts:
    """The traces of :func:`figure_principal` and its layout's axes (what may change
    from one state to the next, with the data's missing entries filled in), as Plotly's
    JSON: cheap enough to make one set per half-step for the browser to play. The
    parameters are :func:`figure_principal`'s, ``options`` those of
    :func:`~em_viz.figures.mixture.mixture_traces`."""
    points, projected, names = _projected(X, params, projection)
    x_axis, y_axis = data_axes(points, names)
    if len(points) > DENSITY_ABOVE:
        image_axes(x_axis, y_axis)
    traces = mixture_traces(points, projected, resp, feature_names=names, **options)
    return traces, {"xaxis": x_axis, "yaxis": y_axis}


def figure_principal(
    X: np.ndarray,
    params: Any,
    resp: np.ndarray | None,
    *,
    projection: Projection | None = None,
    **options: Any,
) -> go.Figure:
    """The points on the data's first two principal components with each component's
    projected Gaussian: means ``A (mu - c)`` and ellipses of ``A Sigma A'``.

    Parameters
    ----------
    X : ndarray of shape (N, D)
    params : GaussianParams-like or None
        ``weights`` (K,), ``means`` (K, D) and full ``covariances`` (K, D, D); None draws
        the data alone.
    resp : ndarray of shape (N, K) or None
    projection : Projection, optional
        The map onto two coordinates; default :func:`principal_components` of ``X``
        (it depends on the data only, so every state has the same axes).
    **options
        Passed to :func:`~em_viz.figures.mixture.figure_mixture` (``title``,
        ``uirevision``, ``colour_order``).

    Returns
    -------
    figure : go.Figure
        The mixture figure (:func:`~em_viz.figures.mixture.figure_mixture`) of the
        projected points and Gaussians, its axes titled with the variance explained.
    """
    points, projected, names = _projected(X, params, projection)
    return figure_mixture(points, projected, resp, feature_names=names, **options)
