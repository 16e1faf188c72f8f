"""Data for the Bernoulli demos: toss strings, the textbook table, flips and digits."""

import numpy as np
import pytest

from em_viz import BinomialMixtureEM
from em_viz.data import DataError
from em_viz.data.coins import TWO_COINS, coin_table, parse_tosses, single_flips
from em_viz.data.digits import binarised_digits, sample_indices
from em_viz.engine.runs import several_starts


def test_tosses_are_read_forgivingly():
    tosses = parse_tosses("h t t h\n\n  HH,T \nTTTT\n")
    assert tosses.sets == ("HTTH", "HHT", "TTTT")
    np.testing.assert_array_equal(tosses.heads, [2, 2, 0])
    np.testing.assert_array_equal(tosses.trials, [4, 3, 4])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("HTTH\nHTXH\n", r"Line 2 \('HTXH'\) has 'X'"),
        ("HT1H\nHH", "has '1'"),
        ("HTTH", "at least two sets"),
        ("", "at least two sets"),
        ("HT\n" + "H" * 1001, "at most 1000 per set"),
    ],
)
def test_bad_tosses_get_a_plain_message(text, message):
    with pytest.raises(DataError, match=message):
        parse_tosses(text)


def test_the_table_credits_the_textbook_counts():
    """Do and Batzoglou's figure 1b, first E-step from 0.6 and 0.5: set 2 is 0.80 coin
    A's, so A is credited 7.2 heads and 0.8 tails; in all A gets 21.3 H and 8.6 T, and B
    11.7 H and 8.4 T."""
    tosses = parse_tosses("\n".join(TWO_COINS))
    em = BinomialMixtureEM(
        tosses.heads, tosses.trials, 2, probabilities_init=[0.6, 0.5], learn_weights=False
    )
    em.e_step()
    table = coin_table(tosses, em.responsibilities)
    assert table.p_coin[1, 0] == pytest.approx(0.80, abs=0.005)
    assert table.heads_credited[1, 0] == pytest.approx(7.2, abs=0.05)
    assert table.tails_credited[1, 0] == pytest.approx(0.8, abs=0.05)
    heads, tails = table.heads_credited.sum(axis=0), table.tails_credited.sum(axis=0)
    np.testing.assert_allclose(
        [heads[0], tails[0], heads[1], tails[1]], [21.3, 8.6, 11.7, 8.4], atol=0.05
    )
    assert (table.heads.sum(), table.tails.sum()) == (33, 17)
    em.m_step()
    assert em.probabilities[0, 0] == pytest.approx(heads[0] / (heads[0] + tails[0]), rel=1e-12)


def test_the_table_before_any_e_step_has_only_counts():
    table = coin_table(parse_tosses("HT\nHH"), None)
    assert table.sets == ("HT", "HH")
    np.testing.assert_array_equal(table.heads, [1, 2])
    np.testing.assert_array_equal(table.tails, [1, 0])
    assert table.p_coin.shape == table.heads_credited.shape == table.tails_credited.shape == (2, 0)


def test_single_flips_follow_their_coins():
    flips = single_flips(20_000, (0.2, 0.9), (0.25, 0.75), seed=1)
    assert set(np.unique(flips)) == {0.0, 1.0}
    assert flips.mean() == pytest.approx(0.25 * 0.2 + 0.75 * 0.9, abs=0.01)
    np.testing.assert_array_equal(flips, single_flips(20_000, (0.2, 0.9), (0.25, 0.75), 1))


def test_several_starts_differ_in_answer_not_in_likelihood():
    flips = single_flips(200, (0.2, 0.9), (0.5, 0.5), seed=0)
    starts = several_starts(flips, 3, range(5))
    np.testing.assert_array_equal(starts.seeds, range(5))
    assert starts.weights.shape == starts.biases.shape == (5, 3)
    np.testing.assert_allclose(starts.overall_rates, flips.mean(), rtol=1e-12)
    np.testing.assert_allclose(
        starts.overall_rates, (starts.weights * starts.biases).sum(axis=1), rtol=1e-12
    )
    np.testing.assert_allclose(starts.log_likelihoods, starts.log_likelihoods[0], rtol=1e-12)
    assert starts.biases[:, 0].std(ddof=1) > 0.01
    assert (starts.changes < 1e-12).all()


def test_digits_are_binary_and_of_the_chosen_classes():
    digits = binarised_digits((3, 7))
    assert set(np.unique(digits.X)) == {0.0, 1.0}
    assert set(np.unique(digits.labels)) == {3, 7}
    assert digits.X.shape == (len(digits.labels), 64)
    assert 0.1 < digits.X.mean() < 0.6
    with pytest.raises(DataError, match="at least one digit"):
        binarised_digits(())


def test_the_sample_shows_every_class():
    labels = binarised_digits((1, 5, 8)).labels
    shown = sample_indices(labels, 6)
    assert len(set(shown)) == 6
    assert set(labels[shown]) == {1, 5, 8}
