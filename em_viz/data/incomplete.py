"""Data with missing entries: Murray's twelve points, where EM can stop at a saddle point.

Murray (1977, in the discussion of Dempster, Laird and Rubin) gave twelve points from a
bivariate normal, eight of them with one coordinate missing. The observed-data
likelihood of one Gaussian has two maxima (correlation +1/2 or -1/2, both variances 8/3)
and a saddle point between them (correlation 0, variances 5/2). EM started at
correlation exactly 0 stays on the saddle; from any other correlation it climbs to the
maximum of the same sign.
"""

import numpy as np

from em_viz.data.presets import Dataset

_MURRAY = (
    (1, 1),
    (1, -1),
    (-1, 1),
    (-1, -1),
    (2, np.nan),
    (2, np.nan),
    (-2, np.nan),
    (-2, np.nan),
    (np.nan, 2),
    (np.nan, 2),
    (np.nan, -2),
    (np.nan, -2),
)


def murray_points() -> np.ndarray:
    """Murray's twelve points: four complete, four without x2, four without x1.

    Returns
    -------
    X : ndarray of shape (12, 2)
        NaN where a coordinate is missing; read-only.
    """
    X = np.array(_MURRAY, dtype=float)
    X.flags.writeable = False
    return X


def murray() -> Dataset:
    """Murray's twelve points as a data set (coordinates x1 and x2, no labels)."""
    return Dataset(
        murray_points(),
        None,
        "Murray's twelve points",
        ("x1", "x2"),
        ("Eight of the twelve points have one coordinate missing.",),
    )
