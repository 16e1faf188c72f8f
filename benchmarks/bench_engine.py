"""Per-iteration time of the EM stepper against scikit-learn's GaussianMixture.

Both start from the same parameters, run in this process with BLAS limited to one
thread, and are timed on the same data. scikit-learn's time per iteration is the
difference between fits of ``max_iter = 1 + ITERATIONS`` and ``max_iter = 1`` (so its
set-up and final E-step cancel out). Prints ours/sklearn per case (below 1 is faster),
then the peak memory of 100 iterations at N = 1e6.

Run with ``make bench``; ``--quick`` runs only the smaller sizes.
"""

import sys
import time
import tracemalloc
import warnings

import numpy as np
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_limits

from em_viz import GaussianMixtureEM

SIZES = (1_000, 10_000, 100_000, 1_000_000)
COMPONENTS = (3, 10)
COVARIANCE_TYPES = ("full", "diag")


def make_data(n_samples: int, n_components: int, seed: int = 0) -> np.ndarray:
    """Points from ``n_components`` random 2D Gaussians."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-10, 10, size=(n_components, 2))
    labels = rng.integers(n_components, size=n_samples)
    return centres[labels] + rng.normal(size=(n_samples, 2))


def best_of(repeats: int, run) -> float:
    """The smallest wall time of ``repeats`` calls of ``run``, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def sklearn_precisions(covariances: np.ndarray, covariance_type: str) -> np.ndarray:
    """Our full covariance matrices as scikit-learn's ``precisions_init``."""
    precisions = np.linalg.inv(covariances)
    if covariance_type == "diag":
        return np.diagonal(precisions, axis1=1, axis2=2).copy()
    return precisions


def time_case(n_samples: int, n_components: int, covariance_type: str) -> tuple[float, float]:
    """Seconds per iteration for (ours, scikit-learn)."""
    X = make_data(n_samples, n_components)
    iterations = max(2, min(20, 2_000_000 // n_samples))
    repeats = 3 if n_samples < 1_000_000 else 1
    em = GaussianMixtureEM(
        X, n_components, covariance_type=covariance_type, init="random-points", random_state=0
    )
    start = {
        "weights_init": em.weights,
        "means_init": em.means,
        "precisions_init": sklearn_precisions(em.covariances, covariance_type),
    }

    def ours() -> None:
        em.reset()
        for _ in range(iterations):
            em.step()

    def sklearn(max_iter: int) -> float:
        model = GaussianMixture(
            n_components, covariance_type=covariance_type, max_iter=max_iter, tol=0, **start
        )
        return best_of(repeats, lambda: model.fit(X))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = (sklearn(1 + iterations) - sklearn(1)) / iterations
    return best_of(repeats, ours) / iterations, theirs


def peak_memory_of_long_run(n_samples: int = 1_000_000, iterations: int = 100) -> float:
    """Peak traced memory in MiB for a stepper and ``iterations`` iterations of history."""
    X = make_data(n_samples, 3)
    tracemalloc.start()
    em = GaussianMixtureEM(X, 3, init="random-points", random_state=0, tol=0)
    em.run(max_iter=iterations)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(em.history) == 2 * iterations + 1
    return peak / 2**20


def main(quick: bool = False) -> None:
    sizes = SIZES[:2] if quick else SIZES
    print(f"{'N':>9} {'K':>3} {'type':>5} {'ours ms':>9} {'sklearn ms':>11} {'ratio':>6}")
    ratios = []
    with threadpool_limits(1):
        for n_samples in sizes:
            for n_components in COMPONENTS:
                for covariance_type in COVARIANCE_TYPES:
                    ours, theirs = time_case(n_samples, n_components, covariance_type)
                    ratios.append(ours / theirs)
                    print(
                        f"{n_samples:>9} {n_components:>3} {covariance_type:>5} "
                        f"{ours * 1e3:>9.3f} {theirs * 1e3:>11.3f} {ours / theirs:>6.2f}"
                    )
        print(f"worst ratio ours/sklearn: {max(ratios):.2f}")
        if not quick:
            print(
                "peak memory, N=1e6, K=3, 100 iterations with history: "
                f"{peak_memory_of_long_run():.0f} MiB (X itself is 15 MiB)"
            )


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
