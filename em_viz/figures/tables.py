"""Tables shown beside the figures: a state in, a ``pandas.DataFrame`` of plain floats out."""

from collections.abc import Sequence
from itertools import combinations

import pandas as pd

from em_viz.engine.families.gaussian import GaussianParams


def parameters_table(
    params: GaussianParams, feature_names: Sequence[str] = ("x1", "x2")
) -> pd.DataFrame:
    """The mixture's parameters, one row per component, as plain floats.

    Parameters
    ----------
    params : GaussianParams
    feature_names : sequence of D str, default=("x1", "x2")

    Returns
    -------
    table : pandas.DataFrame
        Index ``"Component k"``; columns weight, the mean of each feature, the variance
        of each feature, and the covariance of each pair of features.
    """
    cov = params.covariances
    columns = {"weight": params.weights}
    columns |= {f"mean {name}": params.means[:, d] for d, name in enumerate(feature_names)}
    columns |= {f"var {name}": cov[:, d, d] for d, name in enumerate(feature_names)}
    for (i, a), (j, b) in combinations(enumerate(feature_names), 2):
        columns[f"cov {a},{b}"] = cov[:, i, j]
    index = [f"Component {k + 1}" for k in range(len(params.weights))]
    return pd.DataFrame(columns, index=index, dtype=float)
