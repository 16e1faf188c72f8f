"""Per-iteration time of Baum-Welch on the stepper against hmmlearn (compiled C++).

Both start from the same parameters, run in this process with BLAS limited to one
thread, and are timed on the same sequence. hmmlearn's time per iteration is the
difference between fits of ``n_iter = 1 + ITERATIONS`` and ``n_iter = 1`` (its checks
and set-up cancel out); ours is the time of ``ITERATIONS`` steps. hmmlearn runs both of
its implementations, "log" (its default) and "scaling"; the ratio is against the faster.
Prints ours/hmmlearn per case (below 1 is faster) and the one-off compile time of the
recursions (numba; cached on disk afterwards, so only a first run ever pays it).

Run with ``make bench``; ``--quick`` runs only T = 1e4.
"""

import logging
import sys
import time
from functools import partial

import numpy as np
from hmmlearn.hmm import CategoricalHMM, GaussianHMM
from threadpoolctl import threadpool_limits

from em_viz import CategoricalHMMEM, GaussianHMMEM
from em_viz.data.sequences import casino_rolls, regime_switching

SIZES = (10_000, 100_000)
N_STATES = 3
ITERATIONS = 10


def best_of(repeats: int, run) -> float:
    """The smallest wall time of ``repeats`` calls of ``run``, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def compile_seconds() -> float:
    """Seconds of the first call of the recursions in this process (compiling, or
    loading the compiled code from numba's cache)."""
    start = time.perf_counter()
    CategoricalHMMEM(np.array([0, 1, 1, 0]), 2, random_state=0).viterbi()
    GaussianHMMEM(regime_switching(20).X, 2, random_state=0).viterbi()
    return time.perf_counter() - start


def ours_per_iteration(build) -> float:
    """Seconds per iteration of the stepper built by ``build``."""

    def run() -> None:
        em = build()
        for _ in range(ITERATIONS):
            em.step()

    build_time = best_of(3, build)
    return (best_of(3, run) - build_time) / ITERATIONS


def reference_per_iteration(make_model, X: np.ndarray) -> float:
    """Seconds per iteration of the hmmlearn model made by ``make_model(n_iter)``."""
    one = best_of(3, lambda: make_model(1).fit(X))
    many = best_of(3, lambda: make_model(1 + ITERATIONS).fit(X))
    return (many - one) / ITERATIONS


def categorical_case(n_samples: int) -> tuple[float, dict[str, float]]:
    """Seconds per iteration for (ours, hmmlearn per implementation) on casino rolls."""
    rolls = casino_rolls(n_samples, seed=0).symbols
    em = CategoricalHMMEM(rolls, N_STATES, random_state=0)

    def make_model(n_iter: int, implementation: str) -> CategoricalHMM:
        model = CategoricalHMM(
            N_STATES, init_params="", n_iter=n_iter, tol=-np.inf, implementation=implementation
        )
        model.startprob_, model.transmat_ = em.startprob.copy(), em.transmat.copy()
        model.emissionprob_ = em.emissionprob.copy()
        return model

    ours = ours_per_iteration(lambda: CategoricalHMMEM(rolls, N_STATES, random_state=0))
    reference = {
        implementation: reference_per_iteration(
            partial(make_model, implementation=implementation), rolls[:, None]
        )
        for implementation in ("log", "scaling")
    }
    return ours, reference


def gaussian_case(n_samples: int) -> tuple[float, dict[str, float]]:
    """Seconds per iteration for (ours, hmmlearn per implementation), full covariances,
    on the regime-switching preset's kind of data."""
    X = regime_switching(n_samples, seed=0).X
    settings = {"covariance_type": "full", "reg_covar": 1e-12, "random_state": 0}
    em = GaussianHMMEM(X, N_STATES, **settings)

    def make_model(n_iter: int, implementation: str) -> GaussianHMM:
        model = GaussianHMM(
            N_STATES,
            covariance_type="full",
            init_params="",
            n_iter=n_iter,
            tol=-np.inf,
            covars_prior=0,
            means_weight=0,
            implementation=implementation,
        )
        model.startprob_, model.transmat_ = em.startprob.copy(), em.transmat.copy()
        model.means_, model.covars_ = em.means.copy(), em.covariances.copy()
        return model

    start = em.params
    ours = ours_per_iteration(
        lambda: GaussianHMMEM(
            X,
            N_STATES,
            startprob_init=start.startprob,
            transmat_init=start.transmat,
            means_init=start.means,
            covariances_init=start.covariances,
            **settings,
        )
    )
    reference = {
        implementation: reference_per_iteration(
            partial(make_model, implementation=implementation), X
        )
        for implementation in ("log", "scaling")
    }
    return ours, reference


def main() -> None:
    logging.getLogger("hmmlearn").setLevel(logging.ERROR)  # "not converging" at an optimum
    sizes = SIZES[:1] if "--quick" in sys.argv else SIZES
    with threadpool_limits(1):
        print(f"Compiling (or loading) the recursions: {compile_seconds():.2f} s, once")
        print(f"Baum-Welch per iteration, K = {N_STATES}, ours / hmmlearn (below 1 is faster)")
        for name, case in (("categorical", categorical_case), ("gaussian full", gaussian_case)):
            for n_samples in sizes:
                ours, reference = case(n_samples)
                best = min(reference.values())
                print(
                    f"  {name:13s} T={n_samples:>7,d}  ours {ours * 1e3:7.2f} ms  "
                    f"hmmlearn log {reference['log'] * 1e3:7.2f} ms, scaling "
                    f"{reference['scaling'] * 1e3:7.2f} ms  ratio {ours / best:.2f}"
                )


if __name__ == "__main__":
    main()
