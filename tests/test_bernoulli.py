"""The Bernoulli and binomial mixtures: exact against a plain implementation from the
formulas, monotone, inside (0, 1), the textbook two-coin example, single flips, undo and
bad set-ups."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.special import comb, logsumexp
from sklearn.naive_bayes import BernoulliNB

from em_viz import BernoulliMixtureEM, BinomialMixtureEM
from em_viz.data.coins import TWO_COINS, parse_tosses, single_flips
from em_viz.data.digits import binarised_digits
from em_viz.engine.families import bernoulli


def random_binary(n_samples: int, n_features: int, seed: int) -> np.ndarray:
    """Binary data from a hidden mixture of three prototypes, so that EM has work to do."""
    rng = np.random.default_rng(seed)
    prototypes = rng.uniform(0.05, 0.95, size=(3, n_features))
    labels = rng.integers(3, size=n_samples)
    return (rng.uniform(size=(n_samples, n_features)) < prototypes[labels]).astype(float)


def plain_em_step(
    X: np.ndarray, trials: np.ndarray, weights: np.ndarray, p: np.ndarray, a: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """One EM iteration written straight from the formulas, point by point and
    component by component, with scipy's binomial pmf (its coefficient cancels in the
    responsibilities and is taken off the log-likelihood)."""
    n, k_count = len(X), len(weights)
    log_joint = np.empty((n, k_count))
    for i in range(n):
        for k in range(k_count):
            log_pmf = stats.binom.logpmf(X[i], trials[i], p[k]) - np.log(comb(trials[i], X[i]))
            log_joint[i, k] = np.log(weights[k]) + log_pmf.sum()
    log_likelihood = logsumexp(log_joint, axis=1).sum()
    resp = np.exp(log_joint - logsumexp(log_joint, axis=1, keepdims=True))
    new_p = np.empty_like(p)
    for k in range(k_count):
        heads = sum(resp[i, k] * X[i] for i in range(n))
        tosses = sum(resp[i, k] * trials[i] for i in range(n))
        new_p[k] = (heads + a) / (tosses + 2 * a)
    new_weights = resp.sum(axis=0) / n
    return resp, new_weights, new_p, log_likelihood


@pytest.mark.parametrize("pseudo_count", [0.0, 0.5, 2.0])
def test_steps_match_the_formulas_written_out(pseudo_count):
    X = random_binary(60, 5, seed=1)
    em = BernoulliMixtureEM(X, 3, random_state=0, pseudo_count=pseudo_count)
    weights, p = em.weights, em.probabilities
    trials = np.ones_like(X)
    for _ in range(8):
        resp, weights, p, log_likelihood = plain_em_step(X, trials, weights, p, pseudo_count)
        assert em.log_likelihood == pytest.approx(log_likelihood, rel=1e-12)
        em.e_step()
        np.testing.assert_allclose(em.responsibilities, resp, rtol=1e-10, atol=1e-14)
        em.m_step()
        np.testing.assert_allclose(em.weights, weights, rtol=1e-10)
        np.testing.assert_allclose(em.probabilities, p, rtol=1e-10)


def test_binomial_steps_match_the_formulas_with_unequal_set_sizes():
    heads = np.array([[3.0, 1.0], [7.0, 0.0], [2.0, 4.0], [9.0, 2.0], [0.0, 5.0]])
    trials = np.array([[5.0, 4.0], [9.0, 3.0], [6.0, 5.0], [10.0, 6.0], [4.0, 5.0]])
    em = BinomialMixtureEM(heads, trials, 2, random_state=3)
    weights, p = em.weights, em.probabilities
    for _ in range(6):
        _, weights, p, log_likelihood = plain_em_step(heads, trials, weights, p, 0.0)
        assert em.log_likelihood == pytest.approx(log_likelihood, rel=1e-12)
        em.step()
        np.testing.assert_allclose(em.weights, weights, rtol=1e-10)
        np.testing.assert_allclose(em.probabilities, p, rtol=1e-10)


def test_the_two_coin_example_matches_the_textbook():
    """Do and Batzoglou (2008), figure 1b: from 0.6 and 0.5, with equal fixed weights,
    0.71 and 0.58 after one iteration and 0.80 and 0.52 after ten."""
    tosses = parse_tosses("\n".join(TWO_COINS))
    em = BinomialMixtureEM(
        tosses.heads, tosses.trials, 2, probabilities_init=[0.6, 0.5], learn_weights=False
    )
    em.e_step()
    # The table's first row: set 1 (5 H, 5 T) is coin A's with probability 0.45.
    assert em.responsibilities[0, 0] == pytest.approx(0.45, abs=0.005)
    em.m_step()
    np.testing.assert_allclose(em.probabilities[:, 0], [0.71, 0.58], atol=0.005)
    gaps = [em.probabilities[0, 0] - em.probabilities[1, 0]]
    for _ in range(9):
        em.step()
        gaps.append(em.probabilities[0, 0] - em.probabilities[1, 0])
    np.testing.assert_allclose(em.probabilities[:, 0], [0.80, 0.52], atol=0.005)
    assert all(b > a for a, b in itertools.pairwise(gaps)), "the coins separate"
    assert em.converged
    np.testing.assert_array_equal(em.weights, [0.5, 0.5])


def test_equal_starting_biases_never_separate():
    tosses = parse_tosses("\n".join(TWO_COINS))
    em = BinomialMixtureEM(tosses.heads, tosses.trials, 2, probabilities_init=[0.5, 0.5])
    em.run()
    assert em.probabilities[0, 0] == em.probabilities[1, 0]
    assert em.probabilities[0, 0] == pytest.approx(33 / 50)


def test_single_flips_stop_after_one_iteration_at_the_overall_rate():
    flips = single_flips(300, (0.2, 0.9), (0.5, 0.5), seed=4)
    rate = flips.mean()
    best = flips.sum() * np.log(rate) + (len(flips) - flips.sum()) * np.log1p(-rate)
    answers = []
    for seed in range(4):
        em = BernoulliMixtureEM(flips, 2, random_state=seed, pseudo_count=0)
        em.step()
        assert em.weights @ em.probabilities[:, 0] == pytest.approx(rate, rel=1e-12)
        assert em.log_likelihood == pytest.approx(best, rel=1e-12)
        before = em.params
        em.step()
        np.testing.assert_allclose(em.probabilities, before.probabilities, rtol=1e-12)
        np.testing.assert_allclose(em.weights, before.weights, rtol=1e-12)
        assert em.converged
        answers.append(em.probabilities[:, 0])
    assert np.ptp(np.array(answers)[:, 0]) > 0.05, "different starts, different answers"


@settings(max_examples=40, deadline=None)
@given(
    n_samples=st.integers(2, 80),
    n_features=st.integers(1, 12),
    n_components=st.integers(1, 5),
    pseudo_count=st.sampled_from([0.0, 0.01, 1.0, 5.0]),
    init=st.sampled_from(bernoulli.INIT_METHODS),
    seed=st.integers(0, 10_000),
)
def test_the_objective_never_falls_and_probabilities_stay_inside(
    n_samples, n_features, n_components, pseudo_count, init, seed
):
    n_components = min(n_components, n_samples)
    X = random_binary(n_samples, n_features, seed)
    settings = {"init": init, "random_state": seed, "pseudo_count": pseudo_count}
    if init == "kmeans" and len(np.unique(X, axis=0)) < n_components:
        with pytest.raises(ValueError, match=r"needs at least \d+ different observations"):
            BernoulliMixtureEM(X, n_components, **settings)
        return
    em = BernoulliMixtureEM(X, n_components, **settings)
    for _ in range(15):
        em.step()
    objectives = np.array([r.objective for r in em.history])
    assert np.isfinite(objectives).all()
    slack = 1e-10 * np.abs(objectives[:-1]) + 1e-10
    assert np.all(np.diff(objectives) >= -slack)
    if pseudo_count == 0:
        np.testing.assert_array_equal(objectives, [r.log_likelihood for r in em.history])
    else:
        for record in em.history:
            assert np.all((record.probabilities > 0) & (record.probabilities < 1))
    assert all(r.kl >= -1e-9 * abs(r.log_likelihood) - 1e-12 for r in em.history[1:])


def test_the_objective_with_a_pseudo_count_is_the_log_posterior():
    X = random_binary(40, 6, seed=2)
    em = BernoulliMixtureEM(X, 2, random_state=0, pseudo_count=1.5)
    em.step()
    prior = stats.beta(2.5, 2.5).logpdf(em.probabilities).sum()
    assert em.objective == pytest.approx(em.log_likelihood + prior, rel=1e-12)
    assert em.objective_name == "log-likelihood + log prior"
    plain = BernoulliMixtureEM(X, 2, random_state=0, pseudo_count=0)
    assert plain.objective_name == "log-likelihood"


def test_without_a_pseudo_count_a_certain_component_is_named_not_nan():
    digits = binarised_digits((2, 3, 4))
    em = BernoulliMixtureEM(digits.X, 3, random_state=0, pseudo_count=0)
    em.run()
    assert np.isfinite(em.log_likelihood) and np.isfinite(em.elbo)
    assert any("is certain" in w for w in em.warnings)
    smoothed = BernoulliMixtureEM(digits.X, 3, random_state=0)
    smoothed.run()
    assert smoothed.warnings == []


def test_the_bound_touches_after_an_e_step():
    em = BernoulliMixtureEM(random_binary(50, 4, seed=3), 3, random_state=1)
    em.step()
    assert em.kl > 0
    em.e_step()
    assert em.kl == pytest.approx(0, abs=1e-9)
    assert em.elbo == pytest.approx(em.log_likelihood, rel=1e-12)


def test_back_and_reset_restore_exactly_and_records_hold_parameters_only():
    em = BernoulliMixtureEM(random_binary(70, 5, seed=5), 3, random_state=2)
    em.step()
    em.e_step()
    saved = (em.probabilities.copy(), em.weights.copy(), em.responsibilities.copy())
    em.m_step()
    assert em.back()
    np.testing.assert_array_equal(em.probabilities, saved[0])
    np.testing.assert_array_equal(em.weights, saved[1])
    np.testing.assert_array_equal(em.responsibilities, saved[2])
    np.testing.assert_array_equal(em.responsibilities_at(3), saved[2])
    np.testing.assert_array_equal(em.responsibilities_at(2), em.responsibilities_at(1))
    assert not np.array_equal(em.responsibilities_at(1), saved[2])
    for record in em.history:
        arrays = [v for v in vars(record.params).values() if isinstance(v, np.ndarray)]
        assert all(a.shape[0] == 3 for a in arrays)
    em.reset()
    assert len(em.history) == 1 and em.responsibilities is None


def test_fixed_weights_stay_as_given():
    tosses = parse_tosses("\n".join(TWO_COINS))
    em = BinomialMixtureEM(
        tosses.heads, tosses.trials, 2, weights_init=[0.3, 0.7], learn_weights=False
    )
    em.run()
    np.testing.assert_array_equal(em.weights, [0.3, 0.7])
    free = BinomialMixtureEM(tosses.heads, tosses.trials, 2, weights_init=[0.3, 0.7])
    free.step()
    assert not np.allclose(free.weights, [0.3, 0.7])


def test_an_empty_component_keeps_its_probabilities():
    X = random_binary(30, 4, seed=6)
    previous = bernoulli.BernoulliParams(np.array([0.5, 0.5]), np.full((2, 4), 0.3))
    resp = np.zeros((30, 2))
    resp[:, 0] = 1.0
    params = bernoulli.estimate(X, resp, pseudo_count=0.0, previous=previous)
    np.testing.assert_array_equal(params.probabilities[1], previous.probabilities[1])
    np.testing.assert_allclose(params.probabilities[0], X.mean(axis=0))
    assert "is empty" in bernoulli.diagnose(params, bernoulli.prepare(X))[0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"X": [[0, 1], [1, 0.5]]}, "only 0 and 1"),
        ({"X": [[0, 1], [1, np.nan]]}, "NaN"),
        ({"X": [[0, 1], [1, 0]], "n_components": 3}, "more than the 2 data points"),
        ({"pseudo_count": -1}, "pseudo_count must be a number >= 0"),
        ({"probabilities_init": [[0.5, 1.0], [0.2, 0.3]]}, "strictly between 0 and 1"),
        ({"probabilities_init": [0.5, 0.4]}, "must have shape (2, 2)"),
        ({"weights_init": [0.5, 0.6]}, "sum to 1"),
        ({"init": "k-means++"}, "Unknown init"),
    ],
)
def test_bad_bernoulli_set_ups_name_the_fix(kwargs, message):
    settings = {"X": [[0, 1], [1, 0], [1, 1]], "n_components": 2, **kwargs}
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        BernoulliMixtureEM(**settings)


@pytest.mark.parametrize(
    ("heads", "trials", "message"),
    [
        ([3, 11], 10, "between 0 and the set's trials"),
        ([3, 1.5], 10, "whole numbers"),
        ([3, 1], [10, 0], "at least one toss"),
        ([3, 1], [10, 5, 5], "one number or one per set"),
    ],
)
def test_bad_counts_name_the_fix(heads, trials, message):
    with pytest.raises(ValueError, match=message):
        BinomialMixtureEM(heads, trials, 2)


def test_the_e_step_matches_scikit_learns_bernoulli_naive_bayes():
    """BernoulliNB's joint log-likelihood is the Bernoulli mixture's log pi_k +
    sum_d log p(x_d | p_kd): with the same parameters, the same responsibilities."""
    X = random_binary(90, 7, seed=8)
    em = BernoulliMixtureEM(X, 4, random_state=3)
    em.step()
    model = BernoulliNB().fit(X[:4], np.arange(4))
    model.class_log_prior_ = np.log(em.weights)
    model.feature_log_prob_ = np.log(em.probabilities)
    em.e_step()
    np.testing.assert_allclose(em.responsibilities, model.predict_proba(X), rtol=1e-10)
    assert em.log_likelihood == pytest.approx(
        logsumexp(model.predict_joint_log_proba(X), axis=1).sum(), rel=1e-12
    )
