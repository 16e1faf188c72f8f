"""Per-iteration time of the variational Bayesian mixture against scikit-learn's
BayesianGaussianMixture.

Both start from the same responsibilities (scikit-learn's ``_initialize(X, R)``), run in
this process with BLAS limited to one thread, and are timed on the same data. The
parameters are checked equal after the timed iterations. scikit-learn's time per
iteration is the difference between fits of ``max_iter = 1 + ITERATIONS`` and
``max_iter = 1``, so its set-up and final E-step cancel out. Prints ours/sklearn per case
(below 1 is faster).

Run with ``make bench``.
"""

import itertools
import sys
import warnings
from pathlib import Path

import numpy as np
from bench_engine import best_of, make_data
from sklearn.mixture import BayesianGaussianMixture
from threadpoolctl import threadpool_limits

from em_viz import COVARIANCE_TYPES, BayesianGaussianMixtureEM

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from test_bayesian import FromResponsibilities

SIZES = (10_000, 100_000)
COMPONENTS = (3, 10)


def time_case(n_samples: int, n_components: int, covariance_type: str) -> tuple[float, float]:
    """Seconds per iteration for (ours, scikit-learn)."""
    X = make_data(n_samples, n_components)
    R = np.random.default_rng(0).dirichlet(np.ones(n_components), size=n_samples)
    iterations = 20 if n_samples <= 10_000 else 5
    em = BayesianGaussianMixtureEM(
        X, n_components, covariance_type=covariance_type, responsibilities_init=R, tol=0
    )

    def ours() -> None:
        em.reset()
        for _ in range(iterations):
            em.step()

    def sklearn(max_iter: int) -> tuple[float, BayesianGaussianMixture]:
        model = FromResponsibilities(
            R, n_components=n_components, covariance_type=covariance_type, max_iter=max_iter, tol=0
        )
        return best_of(3, lambda: model.fit(X)), model

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        longer, model = sklearn(1 + iterations)
        theirs = (longer - sklearn(1)[0]) / iterations
    mine = best_of(3, ours) / iterations
    em.m_step()  # sklearn's fit ran one iteration more
    np.testing.assert_allclose(em.means, model.means_, rtol=1e-7)
    return mine, theirs


def main() -> None:
    print(f"{'N':>7} {'K':>3} {'type':>9} {'ours ms':>9} {'sklearn ms':>11} {'ratio':>6}")
    ratios = []
    with threadpool_limits(1):
        for n, k, kind in itertools.product(SIZES, COMPONENTS, COVARIANCE_TYPES):
            ours, theirs = time_case(n, k, kind)
            ratios.append(ours / theirs)
            times = f"{ours * 1e3:>9.3f} {theirs * 1e3:>11.3f}"
            print(f"{n:>7} {k:>3} {kind:>9} {times} {ratios[-1]:>6.2f}")
    print(f"worst ratio ours/sklearn: {max(ratios):.2f}")


if __name__ == "__main__":
    main()
