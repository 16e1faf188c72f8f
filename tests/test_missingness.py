"""Hiding coordinates: each mechanism hides the entries it says, a share of the points,
one coordinate each, the same ones for the same seed."""

import numpy as np
import pytest

from em_viz import GaussianMixtureEM
from em_viz.data import DataError, old_faithful, three_gaussians
from em_viz.data.missingness import MECHANISMS, Hiding, hide, hide_in


@pytest.fixture
def X():
    return three_gaussians(n_per_component=100, seed=3).X


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_a_share_of_points_each_lose_one_coordinate(X, mechanism):
    hidden = hide(X, Hiding(0.3, mechanism, seed=1))
    missing = np.isnan(hidden)
    assert missing.any(axis=1).sum() == 90
    assert missing.sum(axis=1).max() == 1
    assert np.array_equal(hidden[~missing], X[~missing])


def test_completely_at_random_hides_either_coordinate_anywhere(X):
    missing = np.isnan(hide(X, Hiding(0.4, "mcar", seed=2)))
    assert missing[:, 0].sum() > 30 and missing[:, 1].sum() > 30
    rows = missing.any(axis=1)
    # neither coordinate decides which points lose one: their means are alike
    assert abs(X[rows, 1].mean() - X[~rows, 1].mean()) < 0.8


def test_at_random_hides_x2_where_x1_is_largest(X):
    missing = np.isnan(hide(X, Hiding(0.2, "mar")))
    assert not missing[:, 0].any()
    assert X[missing[:, 1], 0].min() >= X[~missing[:, 1], 0].max()


def test_not_at_random_hides_x2_where_x2_is_largest(X):
    missing = np.isnan(hide(X, Hiding(0.2, "mnar")))
    assert not missing[:, 0].any()
    assert X[missing[:, 1], 1].min() >= X[~missing[:, 1], 1].max()


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_seeded(X, mechanism):
    first = np.isnan(hide(X, Hiding(0.25, mechanism, seed=7)))
    again = np.isnan(hide(X, Hiding(0.25, mechanism, seed=7)))
    assert np.array_equal(first, again)


def test_seed_changes_the_points_completely_at_random(X):
    first = np.isnan(hide(X, Hiding(0.25, "mcar", seed=7)))
    other = np.isnan(hide(X, Hiding(0.25, "mcar", seed=8)))
    assert not np.array_equal(first, other)


def test_ties_broken_by_the_seed():
    X = np.column_stack([np.arange(10.0), np.zeros(10)])  # x2 all tied
    first = np.isnan(hide(X, Hiding(0.3, "mnar", seed=0)))[:, 1]
    assert first.sum() == 3
    seeds = {tuple(np.isnan(hide(X, Hiding(0.3, "mnar", seed=s)))[:, 1]) for s in range(5)}
    assert len(seeds) > 1


def test_nothing_hidden_keeps_the_data_set():
    dataset = three_gaussians()
    assert hide_in(dataset, Hiding(0.0, "mnar")) is dataset
    hidden = hide_in(dataset, Hiding(0.1, "mnar"))
    assert np.isnan(hidden.X).sum() == 30
    assert "30 of the 300 points" in hidden.notes[-1]


@pytest.mark.parametrize(
    ("hiding", "words"),
    [
        (Hiding(0.6, "mcar"), "At most 50%"),
        (Hiding(-0.1, "mcar"), "share"),
        (Hiding(0.1, "sometimes"), "Unknown mechanism"),
    ],
)
def test_bad_values_said_in_words(X, hiding, words):
    with pytest.raises(DataError, match=words):
        hide(X, hiding)


@pytest.mark.parametrize(
    ("make", "k", "mechanism", "em_error", "complete_error"),
    [
        (three_gaussians, 3, "mcar", 0.039, 0.074),
        (three_gaussians, 3, "mar", 0.394, -0.658),
        (three_gaussians, 3, "mnar", -0.926, -1.070),
        (old_faithful, 2, "mcar", 0.212, 0.592),
        (old_faithful, 2, "mar", 0.341, -4.697),
        (old_faithful, 2, "mnar", -2.665, -6.092),
    ],
)
def test_the_bias_of_the_mean_of_x2_the_readme_gives(make, k, mechanism, em_error, complete_error):
    """30% of the points lose a coordinate; EM run to tol 1e-8: EM's mean of x2 against
    the truth and against the complete rows'. Not at random, EM keeps much of the
    complete rows' bias."""
    X0 = make().X
    X = hide(X0, Hiding(0.3, mechanism))
    em = GaussianMixtureEM(X, k, random_state=0, missing="em", tol=1e-8)
    em.run(20_000, past_saddle=True)
    assert em.converged
    truth = X0[:, 1].mean()
    complete = X[~np.isnan(X).any(axis=1), 1].mean()
    assert em.weights @ em.means[:, 1] - truth == pytest.approx(em_error, abs=5e-4)
    assert complete - truth == pytest.approx(complete_error, abs=5e-4)
