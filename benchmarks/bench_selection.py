"""The sweep of bic_table against the same sweep with scikit-learn's GaussianMixture.

Both fit every (covariance type, K) from 5 k-means starts, each run to the sweep's
tolerance (at most 2,000 iterations), and keep the best. Prints seconds per sweep and the
ratio ours / scikit-learn's (below 1: ours is faster).

Run with ``make bench``.
"""

import time
import warnings

from sklearn.mixture import GaussianMixture

from em_viz import bic_table
from em_viz.data import old_faithful, three_gaussians
from em_viz.engine.selection import SWEEP_MAX_ITER, SWEEP_TOL

TYPES = ("spherical", "diag", "tied", "full")


def sklearn_sweep(X, n_components) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for covariance_type in TYPES:
            for k in n_components:
                model = GaussianMixture(
                    k,
                    covariance_type=covariance_type,
                    n_init=5,
                    tol=SWEEP_TOL,
                    max_iter=SWEEP_MAX_ITER,
                    random_state=0,
                ).fit(X)
                model.bic(X)


def seconds(function, *args) -> float:
    began = time.perf_counter()
    function(*args)
    return time.perf_counter() - began


def main() -> None:
    cases = {
        "Old Faithful (272 points), K 1-9": (old_faithful().X, range(1, 10)),
        "Three Gaussians (9,999 points), K 1-6": (
            three_gaussians(n_per_component=3333).X,
            range(1, 7),
        ),
    }
    for name, (X, n_components) in cases.items():
        ours = seconds(bic_table, X, n_components)
        theirs = seconds(sklearn_sweep, X, n_components)
        print(
            f"bic_table, {name}: {ours:.2f} s; scikit-learn {theirs:.2f} s; "
            f"ratio {ours / theirs:.2f}"
        )


if __name__ == "__main__":
    main()
