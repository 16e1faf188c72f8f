"""Baum-Welch on the stepper: step for step against hmmlearn, against sums over every
path written out, monotone (hypothesis), and the casino's data."""

import itertools
import logging

import numpy as np
import pytest
from hmmlearn.hmm import CategoricalHMM, GaussianHMM
from hypothesis import given, settings
from hypothesis import strategies as st

from em_viz import CategoricalHMMEM, DataError, GaussianHMMEM, GaussianMixtureEM, SettingsError
from em_viz.data.sequences import (
    CASINO_EMISSIONPROB,
    CASINO_TRANSMAT,
    casino_rolls,
    parse_rolls,
    regime_switching,
)
from em_viz.engine.families import hmm

logging.getLogger("hmmlearn").setLevel(logging.ERROR)  # "not converging" at optima

RTOL = 1e-8


def relative_gap(ours: np.ndarray, reference: np.ndarray) -> float:
    """The largest difference relative to the reference's largest entry."""
    return float(np.max(np.abs(ours - reference)) / np.max(np.abs(reference)))


def categorical_reference(em: CategoricalHMMEM, implementation: str = "log") -> CategoricalHMM:
    """hmmlearn's model at the stepper's current parameters, fitting one iteration per
    ``fit``."""
    model = CategoricalHMM(
        em.n_components,
        n_features=em.n_symbols,
        init_params="",
        n_iter=1,
        tol=-np.inf,
        implementation=implementation,
    )
    model.startprob_, model.transmat_ = em.startprob.copy(), em.transmat.copy()
    model.emissionprob_ = em.emissionprob.copy()
    return model


def hmmlearn_covariances(covariances: np.ndarray, covariance_type: str) -> np.ndarray:
    """Our full matrices in hmmlearn's storage for the covariance type."""
    return {
        "full": covariances,
        "tied": covariances[0],
        "diag": np.diagonal(covariances, axis1=1, axis2=2),
        "spherical": covariances[:, 0, 0],
    }[covariance_type].copy()


def gaussian_reference(em: GaussianHMMEM) -> GaussianHMM:
    """hmmlearn's GaussianHMM, with no priors, at the stepper's current parameters."""
    model = GaussianHMM(
        em.n_components,
        covariance_type=em.covariance_type,
        init_params="",
        n_iter=1,
        tol=-np.inf,
        covars_prior=0,
        means_weight=0,
    )
    model.startprob_, model.transmat_ = em.startprob.copy(), em.transmat.copy()
    model.means_ = em.means.copy()
    model.covars_ = hmmlearn_covariances(em.covariances, em.covariance_type)
    return model


@pytest.mark.parametrize("implementation", ["log", "scaling"])
@pytest.mark.parametrize("lengths", [None, [120, 1, 200, 79]])
def test_categorical_steps_equal_hmmlearn(lengths, implementation):
    rolls = casino_rolls(400, seed=3).symbols
    em = CategoricalHMMEM(rolls, 3, lengths=lengths, random_state=1)
    model = categorical_reference(em, implementation)
    X = rolls[:, None]
    for _ in range(6):
        assert em.log_likelihood == pytest.approx(model.score(X, lengths), rel=1e-12)
        model.fit(X, lengths)
        em.step()
        assert relative_gap(em.startprob, model.startprob_) < RTOL
        assert relative_gap(em.transmat, model.transmat_) < RTOL
        assert relative_gap(em.emissionprob, model.emissionprob_) < RTOL
    em.e_step()
    np.testing.assert_allclose(em.posteriors, model.predict_proba(X, lengths), rtol=0, atol=1e-8)


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
@pytest.mark.parametrize("lengths", [None, [150, 2, 248]])
def test_gaussian_steps_equal_hmmlearn(covariance_type, lengths):
    X = regime_switching(400, seed=1).X
    em = GaussianHMMEM(
        X, 3, covariance_type=covariance_type, lengths=lengths, reg_covar=1e-12, random_state=2
    )
    model = gaussian_reference(em)
    for _ in range(5):
        assert em.log_likelihood == pytest.approx(model.score(X, lengths), rel=1e-12)
        model.fit(X, lengths)
        em.step()
        assert relative_gap(em.startprob, model.startprob_) < RTOL
        assert relative_gap(em.transmat, model.transmat_) < RTOL
        assert relative_gap(em.means, model.means_) < RTOL
        # hmmlearn's M-step keeps a spherical variance once per feature, as "diag" does
        kept_as = "diag" if covariance_type == "spherical" else covariance_type
        stored = hmmlearn_covariances(em.covariances, kept_as)
        assert relative_gap(stored, model._covars_) < RTOL


def test_e_step_equals_hmmlearn_posteriors_transitions_and_viterbi():
    X = regime_switching(300, seed=4).X
    lengths = [100, 200]
    em = GaussianHMMEM(X, 3, lengths=lengths, random_state=0)
    em.step()
    em.e_step()
    model = gaussian_reference(em)
    np.testing.assert_allclose(em.posteriors, model.predict_proba(X, lengths), atol=1e-10)
    stats, _ = model._do_estep(X, np.array(lengths))
    np.testing.assert_allclose(em.expected_transitions, stats["trans"], rtol=1e-10)
    log_prob, path = em.viterbi()
    reference_log_prob, reference_path = model.decode(X, lengths)
    assert log_prob == pytest.approx(reference_log_prob, rel=1e-12)
    np.testing.assert_array_equal(path, reference_path)


def test_forward_backward_equals_the_sum_over_every_path():
    """gamma, xi and p(X) by enumerating all K^T paths, written out."""
    rng = np.random.default_rng(0)
    startprob = np.array([0.6, 0.3, 0.1])
    transmat = rng.dirichlet(np.ones(3), size=3)
    emission = rng.dirichlet(np.ones(4), size=3)
    symbols = np.array([0, 3, 3, 1, 2, 0])
    joint = {}
    for path in itertools.product(range(3), repeat=len(symbols)):
        p = startprob[path[0]] * np.prod(transmat[path[:-1], path[1:]])
        joint[path] = p * np.prod(emission[path, symbols])
    total = sum(joint.values())
    gamma = np.zeros((len(symbols), 3))
    xi = np.zeros((3, 3))
    for path, p in joint.items():
        gamma[np.arange(len(symbols)), path] += p / total
        np.add.at(xi, (path[:-1], path[1:]), p / total)
    log_emission = np.log(emission).T[symbols]
    posterior = hmm.forward_backward(
        startprob, transmat, log_emission, hmm.sequence_bounds(len(symbols))
    )
    assert posterior.log_likelihood == pytest.approx(np.log(total), rel=1e-13)
    np.testing.assert_allclose(posterior.gamma, gamma, rtol=1e-12)
    np.testing.assert_allclose(posterior.transitions, xi, rtol=1e-12)
    best = max(joint, key=joint.get)
    log_prob, path = hmm.viterbi(startprob, transmat, log_emission, hmm.sequence_bounds(6))
    assert tuple(path) == best
    assert log_prob == pytest.approx(np.log(joint[best]), rel=1e-13)


def test_no_underflow_on_a_hundred_thousand_rolls():
    rolls = casino_rolls(100_000, seed=0).symbols
    em = CategoricalHMMEM(rolls, 2, random_state=0)
    reference = categorical_reference(em).score(rolls[:, None])
    assert em.log_likelihood == pytest.approx(reference, rel=1e-10)
    em.step()
    assert np.isfinite(em.log_likelihood) and em.log_likelihood < -1e5
    np.testing.assert_allclose(em.posteriors.sum(axis=1), 1.0, atol=1e-12)
    assert np.isfinite(em.transmat).all() and np.isfinite(em.emissionprob).all()


@settings(max_examples=30, deadline=None)
@given(
    n_samples=st.integers(2, 60),
    n_components=st.integers(1, 4),
    n_symbols=st.integers(1, 5),
    cut=st.floats(0.0, 1.0),
    seed=st.integers(0, 10_000),
)
def test_categorical_log_likelihood_never_decreases(n_samples, n_components, n_symbols, cut, seed):
    rng = np.random.default_rng(seed)
    symbols = rng.integers(n_symbols, size=n_samples)
    first = int(cut * (n_samples - 1)) + 1
    lengths = None if first == n_samples else [first, n_samples - first]
    n_components = min(n_components, n_samples)
    em = CategoricalHMMEM(
        symbols, n_components, n_symbols=n_symbols, lengths=lengths, random_state=seed
    )
    for _ in range(8):
        before = em.log_likelihood
        em.e_step()
        slack = 1e-9 * max(1.0, abs(before))
        assert em.kl == pytest.approx(0.0, abs=slack)
        em.m_step()
        assert em.log_likelihood >= before - slack
        assert em.elbo <= em.log_likelihood + slack
        np.testing.assert_allclose(em.transmat.sum(axis=1), 1.0)


@settings(max_examples=15, deadline=None)
@given(
    n_components=st.integers(1, 3),
    covariance_type=st.sampled_from(["full", "tied", "diag", "spherical"]),
    seed=st.integers(0, 10_000),
)
def test_gaussian_log_likelihood_never_decreases(n_components, covariance_type, seed):
    X = regime_switching(120, seed=seed).X
    em = GaussianHMMEM(X, n_components, covariance_type=covariance_type, random_state=seed)
    for _ in range(6):
        before = em.log_likelihood
        em.step()
        assert em.log_likelihood >= before - 1e-9 * max(1.0, abs(before))


def test_history_back_and_reset_restore_exactly():
    rolls = casino_rolls(200, seed=1).symbols
    em = CategoricalHMMEM(rolls, 2, random_state=0)
    em.e_step()
    first = em.posteriors.copy()
    em.m_step()
    em.e_step()
    posteriors, transitions = em.posteriors.copy(), em.expected_transitions.copy()
    em.m_step()
    assert [r.phase for r in em.history] == ["init", "E", "M", "E", "M"]
    assert em.history[2].transmat is em.history[2].params.transmat
    np.testing.assert_array_equal(em.responsibilities_at(2), first)
    assert em.back()
    np.testing.assert_array_equal(em.posteriors, posteriors)
    np.testing.assert_array_equal(em.expected_transitions, transitions)
    np.testing.assert_array_equal(em.viterbi(1)[1], em.viterbi(0)[1])
    assert em.viterbi(-1)[0] == em.viterbi()[0] != em.viterbi(0)[0]
    em.reset()
    assert len(em.history) == 1 and em.posteriors is None and em.expected_transitions is None
    assert em.run(200) < 200 and em.converged


def test_a_state_never_visited_and_a_row_of_no_transitions_are_said():
    never = CategoricalHMMEM(
        [0, 1, 0, 1, 1],
        3,
        startprob_init=[0.5, 0.5, 0.0],
        transmat_init=[[0.5, 0.5, 0.0], [0.5, 0.5, 0.0], [0.2, 0.3, 0.5]],
        random_state=0,
    )
    assert never.warnings == []
    never.step()
    assert any("State 3 is never visited" in w for w in never.warnings)
    np.testing.assert_array_equal(never.transmat[2], [0.2, 0.3, 0.5])

    last_only = CategoricalHMMEM(
        [0, 0, 0, 1],
        2,
        startprob_init=[1.0, 0.0],
        transmat_init=[[0.5, 0.5], [0.5, 0.5]],
        emissionprob_init=[[1.0, 0.0], [0.0, 1.0]],
    )
    last_only.step()
    assert any("State 2 is never left" in w for w in last_only.warnings)
    np.testing.assert_array_equal(last_only.transmat[1], [0.5, 0.5])


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"X": [0, 1, 2.5]}, "whole numbers"),
        ({"X": [0, 1, 2], "n_symbols": 2}, "at least 3"),
        ({"lengths": [2, 2]}, "add up to the 6"),
        ({"startprob_init": [0.5, 0.6]}, "startprob_init must sum to 1"),
        ({"transmat_init": [[1.0, 0.0]]}, r"shape \(2, 2\)"),
        ({"emissionprob_init": [[1, 0, 0], [0, 1, 0]]}, "impossible"),
        ({"init": "magic"}, "Unknown init"),
        ({"n_components": 7}, "at most 6"),
    ],
)
def test_categorical_settings_say_the_fix(settings, message):
    arguments = {"X": [0, 1, 2, 2, 1, 0], "n_components": 2, **settings}
    with pytest.raises(SettingsError, match=message):
        CategoricalHMMEM(**arguments)


def test_states_with_the_same_gaussian_are_a_saddle_said_in_words():
    X = regime_switching(200, seed=0).X
    same = GaussianHMMEM(X, 2, means_init=[[0.0, 0.0]] * 2, covariances_init=[np.eye(2)] * 2)
    assert same.at_saddle and not same.finished
    assert any("States 1 and 2 emit nearly the same Gaussian" in w for w in same.warnings)
    apart = GaussianHMMEM(X, 3, random_state=0)
    assert not apart.at_saddle


def test_gaussian_settings_say_the_fix():
    X = regime_switching(50).X
    with pytest.raises(SettingsError, match="reg_covar"):
        GaussianHMMEM(X, 2, reg_covar=0)
    with pytest.raises(SettingsError, match="covariance_type"):
        GaussianHMMEM(X, 2, covariance_type="round")
    with pytest.raises(SettingsError, match="positive definite"):
        GaussianHMMEM(X, 2, covariances_init=np.zeros((2, 2, 2)))


def test_casino_rolls_follow_the_casino():
    rolls = casino_rolls(100_000, seed=0)
    np.testing.assert_array_equal(rolls.faces, casino_rolls(100_000, seed=0).faces)
    dice = rolls.dice
    from_fair = dice[:-1] == 0
    assert np.mean(dice[1:][from_fair] == 1) == pytest.approx(CASINO_TRANSMAT[0, 1], abs=0.005)
    assert np.mean(dice[1:][~from_fair] == 0) == pytest.approx(CASINO_TRANSMAT[1, 0], abs=0.01)
    for die in (0, 1):
        shares = np.bincount(rolls.faces[dice == die], minlength=7)[1:] / np.sum(dice == die)
        np.testing.assert_allclose(shares, CASINO_EMISSIONPROB[die], atol=0.01)


def test_typed_rolls_are_read_or_refused_in_words():
    assert parse_rolls("3 1 6,6\n2 4").faces.tolist() == [3, 1, 6, 6, 2, 4]
    assert parse_rolls("3166").dice is None
    with pytest.raises(DataError, match="Roll 3 is '7'"):
        parse_rolls("127")
    with pytest.raises(DataError, match="at least 2 rolls"):
        parse_rolls(" ")


def test_regime_preset_is_a_dataset_with_its_regimes():
    dataset = regime_switching(500, seed=2)
    assert dataset.X.shape == (500, 2) and set(dataset.labels.tolist()) == {0, 1, 2}
    stays = np.mean(dataset.labels[1:] == dataset.labels[:-1])
    assert stays > 0.9


@pytest.mark.parametrize(
    ("n_rolls", "transmat", "six"),
    [
        (300, [[0.9148, 0.0852], [0.0806, 0.9194]], [0.1735, 0.5288]),
        (3000, [[0.9846, 0.0154], [0.0553, 0.9447]], [0.2079, 0.4997]),
    ],
)
def test_what_baum_welch_recovers_from_the_casino(n_rolls, transmat, six):
    """The numbers quoted about the casino (true: 0.95/0.05, 0.10/0.90; sixes 1/6 and
    1/2), from two starts, the states ordered fair then loaded (by their sixes)."""
    rolls = casino_rolls(n_rolls, seed=0).symbols
    for start in (0, 1):
        em = CategoricalHMMEM(rolls, 2, n_symbols=6, random_state=start, tol=1e-11)
        em.run(20_000)
        assert em.converged
        order = np.argsort(em.emissionprob[:, 5])
        np.testing.assert_allclose(em.transmat[np.ix_(order, order)], transmat, atol=6e-5)
        np.testing.assert_allclose(em.emissionprob[order, 5], six, atol=6e-5)


def test_with_every_transition_row_the_weights_it_is_the_gaussian_mixture():
    """Rows of A equal to the weights (and the start too): the states are drawn
    independently, so p(X) and the posteriors are the mixture's."""
    X = regime_switching(150, seed=5).X
    mixture = GaussianMixtureEM(X, 3, init="random-points", random_state=0)
    weights = np.array([0.2, 0.5, 0.3])
    start = {"means_init": mixture.means, "covariances_init": mixture.covariances}
    mixture = GaussianMixtureEM(X, 3, weights_init=weights, **start)
    chain = GaussianHMMEM(X, 3, startprob_init=weights, transmat_init=[weights] * 3, **start)
    assert chain.log_likelihood == pytest.approx(mixture.log_likelihood, rel=1e-12)
    chain.e_step()
    mixture.e_step()
    np.testing.assert_allclose(chain.posteriors, mixture.responsibilities, atol=1e-12)
