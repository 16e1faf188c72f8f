"""Per-iteration time of EM with missing entries against the complete-data path.

The same points are fitted twice from the same parameters: once complete, once with 20%
of the entries hidden (missing at random, never a whole row; ``missing="em"``). Both run
in this process with BLAS limited to one thread; scikit-learn's GaussianMixture on the
complete data is timed too (the difference of fits of ``max_iter = 1 + ITERATIONS`` and
``max_iter = 1``, as in ``bench_engine.py``). Prints missing / complete (the target is at
most 3) and missing / scikit-learn per case.

Run with ``make bench``; ``--quick`` runs only N = 1e4.
"""

import sys
import warnings

import numpy as np
from bench_engine import best_of, sklearn_precisions
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_limits

from em_viz import GaussianMixtureEM

CASES = ((2, 3, "full"), (2, 3, "diag"), (2, 10, "full"), (5, 3, "full"), (5, 3, "diag"))
ITERATIONS = 10
SHARE_MISSING = 0.2


def make_data(
    n_samples: int, n_features: int, n_components: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Points from random Gaussians, complete and with ``SHARE_MISSING`` of the entries
    hidden at random (a row that would lose every entry keeps one)."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-10, 10, size=(n_components, n_features))
    X = centres[rng.integers(n_components, size=n_samples)] + rng.normal(
        size=(n_samples, n_features)
    )
    if n_features == 2:  # exactly the share, one coordinate per chosen row
        hidden = np.zeros(X.shape, dtype=bool)
        rows = rng.random(n_samples) < 2 * SHARE_MISSING
        hidden[rows, rng.integers(2, size=rows.sum())] = True
    else:
        hidden = rng.random(X.shape) < SHARE_MISSING
        whole = np.flatnonzero(hidden.all(axis=1))
        hidden[whole, rng.integers(n_features, size=whole.size)] = False
    incomplete = X.copy()
    incomplete[hidden] = np.nan
    return X, incomplete


def time_case(
    n_samples: int, n_features: int, n_components: int, covariance_type: str
) -> tuple[float, float, float, float]:
    """Seconds per iteration (missing, complete, scikit-learn) and the share missing."""
    X, incomplete = make_data(n_samples, n_features, n_components)
    complete = GaussianMixtureEM(
        X, n_components, covariance_type=covariance_type, init="random-points", random_state=0
    )
    start = {
        "weights_init": complete.weights,
        "means_init": complete.means,
        "covariances_init": complete.covariances,
    }
    missing = GaussianMixtureEM(
        incomplete, n_components, covariance_type=covariance_type, missing="em", **start
    )

    def iterate(em: GaussianMixtureEM) -> float:
        def run() -> None:
            em.reset()
            for _ in range(ITERATIONS):
                em.step()

        return best_of(3, run) / ITERATIONS

    def sklearn(max_iter: int) -> float:
        model = GaussianMixture(
            n_components,
            covariance_type=covariance_type,
            max_iter=max_iter,
            tol=0,
            weights_init=complete.weights,
            means_init=complete.means,
            precisions_init=sklearn_precisions(complete.covariances, covariance_type),
        )
        return best_of(3, lambda: model.fit(X))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = (sklearn(1 + ITERATIONS) - sklearn(1)) / ITERATIONS
    return iterate(missing), iterate(complete), theirs, float(np.isnan(incomplete).mean())


def main(quick: bool = False) -> None:
    n_samples = 10_000 if quick else 100_000
    print(
        f"{'N':>7} {'D':>2} {'K':>3} {'type':>5} {'missing':>8} {'missing ms':>11} "
        f"{'complete ms':>12} {'sklearn ms':>11} {'/complete':>10} {'/sklearn':>9}"
    )
    ratios = []
    with threadpool_limits(1):
        for n_features, n_components, covariance_type in CASES:
            ours, complete, theirs, share = time_case(
                n_samples, n_features, n_components, covariance_type
            )
            ratios.append(ours / complete)
            print(
                f"{n_samples:>7} {n_features:>2} {n_components:>3} {covariance_type:>5} "
                f"{share:>8.0%} {ours * 1e3:>11.3f} {complete * 1e3:>12.3f} "
                f"{theirs * 1e3:>11.3f} {ours / complete:>10.2f} {ours / theirs:>9.2f}"
            )
    print(f"worst ratio missing/complete: {max(ratios):.2f} (target: at most 3)")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
