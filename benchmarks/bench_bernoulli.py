"""The Bernoulli mixture's E-step against scikit-learn's BernoulliNB, and its iterations.

scikit-learn has no Bernoulli mixture, but its ``BernoulliNB.predict_log_proba`` computes
what our E-step does: ``log pi_k + sum_d [x_d log p_kd + (1 - x_d) log(1 - p_kd)]``,
normalised over the classes. Both get the same parameters and data, run in this process
with BLAS on one thread; the responsibilities are checked equal, then the ratio
ours/sklearn printed (below 1 is faster), with our time per full iteration (E-step and
M-step).

Run with ``make bench``.
"""

import numpy as np
from bench_engine import best_of
from sklearn.naive_bayes import BernoulliNB
from threadpoolctl import threadpool_limits

from em_viz import BernoulliMixtureEM
from em_viz.engine.families import bernoulli
from em_viz.engine.posterior import posterior

SIZES = (1_797, 10_000, 100_000)
COMPONENTS = (3, 10)
N_FEATURES = 64


def make_data(n_samples: int, n_components: int, seed: int = 0) -> np.ndarray:
    """Binary vectors from ``n_components`` random prototypes, digit-sized."""
    rng = np.random.default_rng(seed)
    prototypes = rng.uniform(0.05, 0.95, size=(n_components, N_FEATURES))
    labels = rng.integers(n_components, size=n_samples)
    return (rng.uniform(size=(n_samples, N_FEATURES)) < prototypes[labels]).astype(float)


def time_case(n_samples: int, n_components: int) -> tuple[float, float, float]:
    """Seconds per E-step (ours, scikit-learn's) and per iteration (ours)."""
    X = make_data(n_samples, n_components)
    em = BernoulliMixtureEM(X, n_components, random_state=0)
    data = bernoulli.prepare(X)
    params = em.params
    model = BernoulliNB().fit(X[:n_components], np.arange(n_components))
    model.class_log_prior_ = np.log(params.weights)
    model.feature_log_prob_ = np.log(params.probabilities)

    ours_resp = posterior(bernoulli.log_prob(data, params))[1]
    np.testing.assert_allclose(ours_resp, model.predict_proba(X), rtol=1e-9, atol=1e-12)

    def iterate() -> None:
        em.reset()
        for _ in range(10):
            em.step()

    return (
        best_of(5, lambda: posterior(bernoulli.log_prob(data, params))),
        best_of(5, lambda: model.predict_log_proba(X)),
        best_of(3, iterate) / 10,
    )


def main() -> None:
    print("E-step: ours / scikit-learn BernoulliNB.predict_log_proba (same parameters)")
    print(f"{'N':>8} {'K':>3} {'ratio':>7} {'ours ms':>8} {'iteration ms':>13}")
    with threadpool_limits(1):
        for n_samples in SIZES:
            for n_components in COMPONENTS:
                ours, sklearn, iteration = time_case(n_samples, n_components)
                print(
                    f"{n_samples:>8} {n_components:>3} {ours / sklearn:>7.2f} "
                    f"{ours * 1e3:>8.2f} {iteration * 1e3:>13.2f}"
                )


if __name__ == "__main__":
    main()
