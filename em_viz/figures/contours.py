"""The mixture's density p(x) = sum_k pi_k N(x | mu_k, Sigma_k) as contour lines over
the data, an option of the mixture figure: where the ellipses show each component, the
contours show what the components add up to (their bumps merging, or not).

The lines are drawn at equal steps of log-density below its highest point, so that they
read like a map's contour lines: for one Gaussian, its 1-, 2- and 3-sigma ellipses lie
0.5, 2 and 4.5 below the top.
"""

from collections.abc import Sequence

import numpy as np
from scipy.special import logsumexp

from em_viz.engine.families.gaussian import GaussianParams

GRID_SIZE = 80
"""Grid points along each axis: fine enough for smooth lines, cheap for every frame."""
STEPS = (0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5)
"""The contours' log-density below the top, in nats."""
LINE_COLOUR = "rgba(40, 40, 40, 0.55)"
NAME = "density"


def log_density_grid(
    params: GaussianParams, x_range: Sequence[float], y_range: Sequence[float]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The mixture's log-density on a regular grid over ``x_range`` by ``y_range``.

    Returns
    -------
    x, y : ndarray of shape (GRID_SIZE,)
    log_p : ndarray of shape (GRID_SIZE, GRID_SIZE)
        ``log_p[i, j] = log p((x[j], y[i]))``, as a contour's ``z``.
    """
    x = np.linspace(*x_range, GRID_SIZE)
    y = np.linspace(*y_range, GRID_SIZE)
    points = np.stack(np.meshgrid(x, y), axis=-1).reshape(-1, 2)
    means = np.asarray(params.means, dtype=float)
    factors = np.linalg.cholesky(np.asarray(params.covariances, dtype=float))
    log_components = []
    for mean, factor in zip(means, factors, strict=True):
        whitened = np.linalg.solve(factor, (points - mean).T)
        log_det = 2 * np.log(np.diag(factor)).sum()
        log_components.append(-0.5 * ((whitened**2).sum(axis=0) + log_det + 2 * np.log(2 * np.pi)))
    with np.errstate(divide="ignore"):  # a weight of 0 adds nothing
        log_weights = np.log(np.asarray(params.weights, dtype=float))[:, None]
    log_p = logsumexp(np.asarray(log_components) + log_weights, axis=0)
    return x, y, log_p.reshape(GRID_SIZE, GRID_SIZE)


def contour_trace(
    params: GaussianParams, x_range: Sequence[float], y_range: Sequence[float]
) -> dict:
    """The density's contour lines (Plotly's JSON), dark and thin under the ellipses,
    with one legend entry."""
    x, y, log_p = log_density_grid(params, x_range, y_range)
    top = float(np.max(log_p))
    return dict(
        type="contour",
        x=x,
        y=y,
        z=log_p,
        name=NAME,
        showlegend=True,
        showscale=False,
        hoverinfo="skip",
        contours={
            "coloring": "none",
            "start": top - STEPS[-1],
            "end": top - STEPS[0],
            "size": STEPS[1] - STEPS[0],
        },
        line={"color": LINE_COLOUR, "width": 1.5},
    )
