"""Tables shown beside the figures: a state in, a ``pandas.DataFrame`` of plain floats out."""

from collections.abc import Sequence

import pandas as pd

from em_viz.engine.families.gaussian import GaussianParams


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
