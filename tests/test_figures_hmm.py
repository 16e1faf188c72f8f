"""Tests for the hidden Markov model figures (em_viz.figures.hmm and hmm_graphs), read
back through the figures' JSON as the browser gets it; the trellis' numbers against a
sum over every state path, written out here."""

import itertools

import numpy as np
import pytest
from plotly_json import figure_data

from em_viz.engine.families.gaussian import GaussianParams
from em_viz.engine.families.hmm import forward_backward
from em_viz.figures.hmm import (
    emissions_table,
    figure_casino,
    figure_emissions,
    figure_gaussian_hmm,
    transitions_table,
)
from em_viz.figures.hmm_graphs import (
    ALPHA,
    BETA,
    GAMMA,
    NODE_RADIUS,
    figure_transitions,
    figure_trellis,
    trellis_window,
)
from em_viz.figures.mixture import figure_mixture
from em_viz.figures.style import component_colours


def random_model(n_states: int, n_symbols: int = 6, seed: int = 0):
    rng = np.random.default_rng(seed)
    return (
        rng.dirichlet(np.ones(n_states)),
        rng.dirichlet(np.ones(n_states), size=n_states),
        rng.dirichlet(np.ones(n_symbols), size=n_states),
    )


def path_probabilities(startprob, transmat, emissionprob, symbols):
    """Every state path with p(path, symbols): the definition, no recursion."""
    n_states = len(startprob)
    paths = np.array(list(itertools.product(range(n_states), repeat=len(symbols))))
    joint = startprob[paths[:, 0]] * emissionprob[paths[:, 0], symbols[0]]
    for t in range(1, len(symbols)):
        joint = (
            joint * transmat[paths[:, t - 1], paths[:, t]] * emissionprob[paths[:, t], symbols[t]]
        )
    return paths, joint


def filtered(startprob, transmat, emissionprob, symbols, t):
    """P(state at t | symbols up to t), by summing over the paths of the prefix."""
    paths, joint = path_probabilities(startprob, transmat, emissionprob, symbols[: t + 1])
    return np.bincount(paths[:, t], weights=joint, minlength=len(startprob)) / joint.sum()


@pytest.mark.parametrize("n_states", [2, 3])
def test_trellis_numbers_are_the_sums_over_paths(n_states):
    startprob, transmat, emissionprob = random_model(n_states, seed=n_states)
    symbols = np.array([5, 0, 5, 5, 2, 1, 5])
    log_emission = np.log(emissionprob).T[symbols]
    gamma = forward_backward(startprob, transmat, log_emission, np.array([0, 7])).gamma
    trellis = trellis_window(symbols, startprob, transmat, log_emission, gamma, 2, 4)

    paths, joint = path_probabilities(startprob, transmat, emissionprob, symbols)
    posterior = joint / joint.sum()
    for w, t in enumerate(range(2, 6)):
        np.testing.assert_allclose(
            trellis.alpha[w], filtered(startprob, transmat, emissionprob, symbols, t), rtol=1e-10
        )
        smoothed = np.bincount(paths[:, t], weights=posterior, minlength=n_states)
        np.testing.assert_allclose(trellis.gamma[w], smoothed, rtol=1e-10)
        np.testing.assert_allclose(trellis.alpha[w] * trellis.beta[w], smoothed, rtol=1e-10)
        if w < 3:
            pairs = np.zeros((n_states, n_states))
            np.add.at(pairs, (paths[:, t], paths[:, t + 1]), posterior)
            np.testing.assert_allclose(trellis.xi[w], pairs, rtol=1e-9, atol=1e-15)
    np.testing.assert_array_equal(trellis.symbols, symbols[2:6])
    assert trellis.start == 2 and trellis.xi.shape == (3, n_states, n_states)


def casino_arrays(n_rolls: int = 50, seed: int = 1):
    rng = np.random.default_rng(seed)
    rolls = rng.integers(0, 6, n_rolls)
    posteriors = rng.dirichlet(np.ones(2), size=n_rolls)
    return rolls, posteriors, rng.integers(0, 2, n_rolls), rng.integers(0, 2, n_rolls)


def test_the_casino_figure_shows_the_rolls_band_truth_and_both_decodings():
    rolls, posteriors, path, truth = casino_arrays()
    traces = figure_data(figure_casino(rolls, posteriors, path, loaded=1, true_states=truth))
    shown_rolls, true_die, band, viterbi, decoding = traces[:5]
    np.testing.assert_array_equal(shown_rolls["y"], rolls + 1)
    np.testing.assert_array_equal(np.asarray(true_die["z"])[0], truth + 1)  # 0: not known
    np.testing.assert_allclose(band["y"], posteriors[:, 1])
    np.testing.assert_array_equal(np.asarray(viterbi["z"])[0], path + 1)
    np.testing.assert_array_equal(np.asarray(decoding["z"])[0], posteriors.argmax(axis=1) + 1)
    assert [t["name"] for t in traces[5:]] == ["state 1", "state 2"]
    colours, _ = component_colours(2)
    assert band["line"]["color"] == colours[1]
    # a state's colour is the decodings' colour for that state index
    scale = viterbi["colorscale"]  # white for "not known", then the two states
    assert [scale[i][1] for i in (0, 2, 4)] == ["white", colours[0], colours[1]]
    assert viterbi["zmin"] == -0.5 and viterbi["zmax"] == 2.5
    assert viterbi["hovertemplate"] == "roll %{x}: state %{z}<extra></extra>"


def test_the_casino_figure_before_an_e_step_keeps_its_traces_and_shows_no_nan():
    rolls, posteriors, path, _ = casino_arrays()
    before = figure_casino(rolls, None, path, loaded=0)
    after = figure_casino(rolls, posteriors, path, loaded=0)
    assert [t.type for t in before.data] == [t.type for t in after.data]
    text = before.to_json()
    assert "NaN" not in text and "no E-step yet" in text
    traces = figure_data(before)
    true_die, band, decoding = traces[1], traces[2], traces[4]
    np.testing.assert_array_equal(band["y"], np.zeros(len(rolls)))  # flat, unhovered
    assert band["hoverinfo"] == "skip"
    for unknown in (true_die, decoding):  # every cell the "not known" level, white
        np.testing.assert_array_equal(np.asarray(unknown["z"])[0], np.zeros(len(rolls)))
        assert unknown["colorscale"][0][1] == "white" and unknown["hoverinfo"] == "skip"


def test_the_casino_band_follows_the_loaded_state():
    rolls, posteriors, path, _ = casino_arrays()
    band = figure_data(figure_casino(rolls, posteriors, path, loaded=0))[2]
    np.testing.assert_allclose(band["y"], posteriors[:, 0])


def arrow_traces(traces, n_states):
    return traces[: n_states * n_states]


@pytest.mark.parametrize("n_states", [2, 3])
def test_transition_arrows_are_as_wide_as_their_probabilities_and_labelled(n_states):
    _, transmat, _ = random_model(n_states, seed=5)
    traces = figure_data(figure_transitions(transmat, np.full(n_states, 1 / n_states)))
    assert len(traces) == n_states * n_states + 1 + n_states + 1
    arrows = arrow_traces(traces, n_states)
    widths = np.array([t["line"]["width"] for t in arrows])
    order = np.argsort(transmat.ravel())
    assert np.all(np.diff(widths[order]) >= 0) and widths.min() > 0
    labels = traces[n_states * n_states]["text"]
    assert labels == [f"{p:.2f}" for p in transmat.ravel()]
    for arrow in arrows:  # an arrowhead only at the end
        sizes = np.asarray(arrow["marker"]["size"])
        assert sizes[-1] > 0 and np.all(sizes[:-1] == 0)
        assert arrow["marker"]["symbol"] == "arrow"
    names = traces[-1]["text"]
    assert names[0].startswith("<b>1</b>") and "π" in names[0]


def test_an_arrow_between_states_starts_and_ends_outside_both_nodes():
    transmat = np.array([[0.9, 0.1], [0.2, 0.8]])
    traces = figure_data(figure_transitions(transmat))
    nodes = [traces[-3], traces[-2]]
    centres = [np.array([np.mean(n["x"]), np.mean(n["y"])]) for n in nodes]
    one_to_two = traces[1]
    start = np.array([one_to_two["x"][0], one_to_two["y"][0]])
    end = np.array([one_to_two["x"][-1], one_to_two["y"][-1]])
    assert np.linalg.norm(start - centres[0]) > NODE_RADIUS * 0.99
    assert np.linalg.norm(end - centres[1]) > NODE_RADIUS
    assert np.linalg.norm(end - centres[1]) < np.linalg.norm(end - centres[0])


def test_emission_bars_are_the_table_with_the_truth_on_each_bar():
    _, _, emissionprob = random_model(3, seed=2)
    reference = emissionprob[::-1]
    traces = figure_data(figure_emissions(emissionprob, reference=reference))
    bars, fair, truth = traces[:3], traces[3], traces[4]
    for k, bar in enumerate(bars):
        np.testing.assert_allclose(bar["y"], emissionprob[k])
    np.testing.assert_allclose(fair["y"], [1 / 6, 1 / 6])
    np.testing.assert_allclose(truth["y"], reference.ravel())
    np.testing.assert_allclose(truth["x"], np.concatenate([b["x"] for b in bars]))
    assert truth["type"] == "bar" and truth["width"] == bars[0]["width"]  # an outline on each
    assert truth["marker"]["color"] == "rgba(0, 0, 0, 0)" and truth["showlegend"] is True
    without = figure_data(figure_emissions(emissionprob))[4]
    assert len(without["x"]) == 0 and without["showlegend"] is False


def test_the_trellis_has_a_cell_per_roll_and_state_and_an_edge_per_transition():
    startprob, transmat, emissionprob = random_model(2, seed=3)
    symbols = np.array([0, 5, 5, 1, 5, 5, 3, 2, 5, 0])
    log_emission = np.log(emissionprob).T[symbols]
    gamma = forward_backward(startprob, transmat, log_emission, np.array([0, 10])).gamma
    trellis = trellis_window(symbols, startprob, transmat, log_emission, gamma, 1, 8)
    traces = figure_data(figure_trellis(trellis))
    n_edges = 7 * 4
    edges, xi_labels = traces[:n_edges], traces[n_edges]
    widths = np.array([e["line"]["width"] for e in edges])
    order = np.argsort(trellis.xi.ravel())
    assert np.all(np.diff(widths[order]) >= 0)
    assert xi_labels["text"] == [f"{v:.2f}" if v >= 0.005 else "" for v in trellis.xi.ravel()]
    sticky = np.array([[0.999, 0.001], [0.001, 0.999]])  # switching all but impossible
    unlikely = trellis_window(symbols, startprob, sticky, log_emission, gamma, 1, 8)
    labels = figure_data(figure_trellis(unlikely))[n_edges]["text"]
    assert labels[1] == "" and unlikely.xi[0, 0, 1] < 0.005  # the edge is drawn, unlabelled
    assert labels[0] == f"{unlikely.xi[0, 0, 0]:.2f}"
    cells = traces[n_edges + 1 : n_edges + 17]
    numbers, row_names, header = traces[-3:]
    assert len(traces) == n_edges + 1 + 16 + 3
    assert len(cells) == 16 and all(c["fill"] == "toself" for c in cells)
    a, b, g = trellis.alpha[0, 1], trellis.beta[0, 1], trellis.gamma[0, 1]
    assert numbers["text"][1] == f"{a:.2f}<br>{b:.2f}<br><b>{g:.2f}</b>"  # roll 1, state 2
    assert row_names["text"] == [f"{ALPHA}<br>{BETA}<br><b>{GAMMA}</b>"] * 2
    assert header["text"][0] == "roll 2<br><b>6</b>"


def test_the_gaussian_states_are_the_mixture_picture_over_the_points_in_time_order():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(30, 2))
    means = np.array([[0.0, 0.0], [1.0, 1.0]])
    covariances = np.stack([np.eye(2)] * 2)
    weights = np.array([0.3, 0.7])
    posteriors = rng.dirichlet(np.ones(2), size=30)
    traces = figure_data(
        figure_gaussian_hmm(X, means, covariances, weights, posteriors, lengths=[10, 20])
    )
    line = traces[0]
    assert line["mode"] == "lines"
    x = np.array([np.nan if v is None else v for v in line["x"]], dtype=float)
    assert np.isnan(x[10]) and np.isnan(x).sum() == 1
    np.testing.assert_array_equal(np.delete(x, 10), X[:, 0])
    mixture = figure_data(
        figure_mixture(X, GaussianParams(weights, means, covariances), posteriors)
    )
    assert len(traces) == len(mixture) + 1
    np.testing.assert_allclose(traces[1]["x"], mixture[0]["x"])
    np.testing.assert_array_equal(traces[1]["marker"]["color"], mixture[0]["marker"]["color"])
    single = figure_data(figure_gaussian_hmm(X, means, covariances, weights, None))[0]
    assert None not in single["x"] and len(single["x"]) == 30


def test_the_m_steps_counts_are_shown_as_fractions_with_their_totals():
    transitions = np.array([[41.2, 4.1], [3.0, 0.0]])
    table = transitions_table(transitions)
    assert list(table.index) == ["from 1", "from 2"] and list(table.columns) == ["to 1", "to 2"]
    assert table.loc["from 1", "to 2"] == "4.1 / 45.3 = 0.09"
    assert table.loc["from 2", "to 2"] == "0.0 / 3.0 = 0.00"
    assert transitions_table(np.zeros((2, 2))).loc["from 1", "to 1"] == "no counts"
    symbols = np.array([5, 5, 0, 1])
    counts = np.array([[0.5, 0.0, 0, 0, 0, 1.5], [0.5, 1.0, 0, 0, 0, 0.5]])
    rows = emissions_table(counts, symbols, ("1", "2", "3", "4", "5", "6"))
    assert list(rows["rolled"]) == [1, 1, 0, 0, 0, 2, 4]
    assert rows.loc["6", "state 1"] == "1.5 / 2.0 = 0.75"
    assert rows.loc["Total", "state 2"] == "2.0"
