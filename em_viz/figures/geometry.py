"""Shapes and colours for drawing a 2D Gaussian mixture, in plain NumPy.

Ellipses are drawn as the image of a circle under a covariance's Cholesky factor: that
factor changes continuously with the covariance, so an ellipse's points glide (rather
than jump round the curve) when Plotly animates one state into the next.

Point colours are mixes of component colours (see :mod:`em_viz.figures.style`) weighted
by responsibilities, mixed in the perceptual OKLab space. Plotly validates per-point
colour strings slowly, so colours are quantised and sent as numeric indices into a
stepwise colorscale instead.
"""

import numpy as np


def _ellipse_points(
    means: np.ndarray, covariances: np.ndarray, radius: np.ndarray, n_points: int
) -> np.ndarray:
    """(K, n_points, 2) closed curves ``mean + radius * L u`` with ``L L' = covariance``
    and ``u`` on the unit circle, so that ``(x - mean)' Sigma^-1 (x - mean) = radius^2``.
    """
    angles = np.linspace(0.0, 2 * np.pi, n_points - 1, endpoint=False)
    circle = np.append(angles, 0.0)
    unit = np.stack([np.cos(circle), np.sin(circle)])
    chol = np.linalg.cholesky(covariances)
    return means[:, None, :] + radius[:, None, None] * np.swapaxes(chol @ unit, 1, 2)


def ellipse(
    mean: np.ndarray, covariance: np.ndarray, radius: float, n_points: int = 72
) -> np.ndarray:
    """The ellipse of Mahalanobis radius ``radius`` around ``mean``.

    Parameters
    ----------
    mean : ndarray of shape (2,)
    covariance : ndarray of shape (2, 2)
        Symmetric positive definite.
    radius : float
        The curve is ``{x : (x - mean)' covariance^-1 (x - mean) = radius^2}``.
    n_points : int, default=72
        Points on the curve, the last repeating the first so that a line closes.

    Returns
    -------
    points : ndarray of shape (n_points, 2)
    """
    means = np.asarray(mean, dtype=float)[None]
    covariances = np.asarray(covariance, dtype=float)[None]
    return _ellipse_points(means, covariances, np.array([radius], dtype=float), n_points)[0]


def ellipses_path(
    means: np.ndarray,
    covariances: np.ndarray,
    radius: float | np.ndarray,
    n_points: int = 72,
) -> tuple[np.ndarray, np.ndarray]:
    """Many ellipses as one line, each followed by NaN so that Plotly lifts the pen.

    One trace then draws all the shapes (as Plotly's figure factories do), and the
    arrays always have ``K * (n_points + 1)`` entries, so states can be animated.

    Parameters
    ----------
    means : ndarray of shape (K, 2)
    covariances : ndarray of shape (K, 2, 2)
    radius : float or ndarray of shape (K,)
        Mahalanobis radius, one for all ellipses or one each.
    n_points : int, default=72
        Points per ellipse, as in :func:`ellipse`.

    Returns
    -------
    x, y : ndarray of shape (K * (n_points + 1),)
    """
    means = np.asarray(means, dtype=float)
    radii = np.broadcast_to(np.asarray(radius, dtype=float), len(means))
    curves = _ellipse_points(means, np.asarray(covariances, dtype=float), radii, n_points)
    path = np.concatenate([curves, np.full((len(means), 1, 2), np.nan)], axis=1).reshape(-1, 2)
    return path[:, 0].copy(), path[:, 1].copy()


_LMS_FROM_LINEAR = np.array(
    [
        [0.4122214708, 0.5363325363, 0.0514459929],
        [0.2119034982, 0.6806995451, 0.1073969566],
        [0.0883024619, 0.2817188376, 0.6299787005],
    ]
)
_OKLAB_FROM_LMS = np.array(
    [
        [0.2104542553, 0.7936177850, -0.0040720468],
        [1.9779984951, -2.4285922050, 0.4505937099],
        [0.0259040371, 0.7827717662, -0.8086757660],
    ]
)
"""Björn Ottosson's OKLab (2020): linear sRGB to cone responses, then their cube roots to
lightness L and the opponent axes a (green-red) and b (blue-yellow)."""
_LINEAR_FROM_LMS = np.linalg.inv(_LMS_FROM_LINEAR)
_LMS_FROM_OKLAB = np.linalg.inv(_OKLAB_FROM_LMS)


def linear_rgb(rgb: np.ndarray) -> np.ndarray:
    """sRGB colours in [0, 255] as linear light in [0, 1] (the sRGB transfer undone),
    shape kept."""
    s = np.asarray(rgb, dtype=float) / 255.0
    return np.where(s <= 0.04045, s / 12.92, ((s + 0.055) / 1.055) ** 2.4)


def srgb_from_linear(linear: np.ndarray) -> np.ndarray:
    """Linear light as sRGB in [0, 255], clipped into the colour cube, shape kept."""
    c = np.clip(linear, 0.0, 1.0)
    s = np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055)
    return s * 255.0


def oklab_from_linear(linear: np.ndarray) -> np.ndarray:
    """(..., 3) linear RGB as (..., 3) OKLab (L in [0, 1]; a distance of 0.02 is about
    the smallest difference one notices)."""
    return np.cbrt(np.asarray(linear, dtype=float) @ _LMS_FROM_LINEAR.T) @ _OKLAB_FROM_LMS.T


def oklab(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) sRGB colours in [0, 255] as OKLab."""
    return oklab_from_linear(linear_rgb(rgb))


def srgb_from_oklab(lab: np.ndarray) -> np.ndarray:
    """(..., 3) OKLab as sRGB in [0, 255] (clipped into the colour cube)."""
    lms = np.asarray(lab, dtype=float) @ _LMS_FROM_OKLAB.T
    return srgb_from_linear(lms**3 @ _LINEAR_FROM_LMS.T)


def mix_colours(resp: np.ndarray, palette_rgb: np.ndarray) -> np.ndarray:
    """Each point's colour as the responsibility-weighted mix of the component colours,
    mixed in OKLab.

    A point owned by one component gets its colour exactly; a point shared between
    components gets an in-between colour, so uncertainty is visible. Mixed in a
    perceptual space, half of blue and half of orange looks half way between them (a
    neutral grey) rather than the olive an average of sRGB values gives, which a reader
    would take for another component.

    Parameters
    ----------
    resp : ndarray of shape (N, K)
        Rows sum to 1.
    palette_rgb : ndarray of shape (K, 3)
        Component colours in [0, 255].

    Returns
    -------
    rgb : ndarray of shape (N, 3)
        Floats in [0, 255].
    """
    lab = np.asarray(resp, dtype=float) @ oklab(palette_rgb)
    return srgb_from_oklab(lab)


def quantised_colours(rgb: np.ndarray, levels: int = 16) -> tuple[np.ndarray, list]:
    """Colours as numeric indices into a stepwise colorscale, for fast Plotly markers.

    Each channel is rounded to the nearest of ``levels`` integer values spread evenly
    over 0..255 (exactly half a level's error at most when ``levels - 1`` divides 255,
    as 16 does; at most half a level plus 0.5 otherwise). The colorscale holds only the
    colours present, each over its own flat step, so ``marker=dict(color=index,
    colorscale=colorscale, cmin=-0.5, cmax=len(colorscale) // 2 - 0.5)`` shows every
    point in its quantised colour exactly.

    Parameters
    ----------
    rgb : ndarray of shape (N, 3)
        Colours in [0, 255].
    levels : int, default=16
        Values per channel, at least 2.

    Returns
    -------
    index : ndarray of shape (N,)
        0, 1, ..., n_colours - 1: each point's colour, as uint8 (uint16 above 256
        colours), the fewest bytes to send.
    colorscale : list of [float, str]
        Two stops per colour (``[i / n, c_i]`` and ``[(i + 1) / n, c_i]``).
    """
    steps = np.rint(np.clip(np.asarray(rgb, dtype=float), 0, 255) * ((levels - 1) / 255))
    shape = (levels, levels, levels)
    present, index = np.unique(
        np.ravel_multi_index(steps.T.astype(np.intp), shape), return_inverse=True
    )
    channels = np.column_stack(np.unravel_index(present, shape))
    values = np.rint(channels * (255 / (levels - 1))).astype(int)
    n_colours = len(present)
    colorscale = []
    for i, (r, g, b) in enumerate(values):
        colour = f"#{r:02x}{g:02x}{b:02x}"
        colorscale += [[i / n_colours, colour], [(i + 1) / n_colours, colour]]
    dtype = np.uint8 if n_colours <= 256 else np.uint16
    return index.reshape(-1).astype(dtype), colorscale
