"""The hidden Markov models page through AppTest: each demo's controls, the numbers and
figures read back from the page against the engine, bad typed-in rolls, and the
switch that makes the Gaussian states a mixture."""

import re

import numpy as np
import pytest
from demo_pages import DemoPage, press, run_of, slide
from streamlit.testing.v1 import AppTest
from test_app_explorer import figures, heading, player

from em_viz import CategoricalHMMEM, GaussianMixtureEM
from em_viz.data.sequences import casino_rolls, regime_switching
from em_viz.engine.families import hmm

HMM = DemoPage("hmm", "hmm_demo")
demo = HMM.demo


@pytest.fixture
def page() -> AppTest:
    return HMM.open()


def run_to_the_end(at: AppTest, prefix: str) -> AppTest:
    at.button_group(key=prefix + "speed").set_value("Instant").run()
    return press(at, prefix, "Run")


def texts(at: AppTest) -> str:
    return " ".join(e.value for e in [*at.markdown, *at.info, *at.error, *at.caption])


def test_the_page_opens_on_the_casino_with_generated_rolls_and_no_band_yet(page):
    assert not page.exception
    assert heading(page) == "Iteration 0 · initial parameters"
    em = run_of(page, "casino_")
    rolls = casino_rolls(300, 0)
    np.testing.assert_array_equal(em.X, rolls.symbols)
    strip = figures(page)["casino_strip"]
    np.testing.assert_array_equal(strip[0]["y"], rolls.faces)
    np.testing.assert_array_equal(np.asarray(strip[1]["z"])[0], rolls.dice + 1)
    np.testing.assert_array_equal(strip[2]["y"], np.zeros(300))  # it waits for an E-step
    assert "press **E-step**" in texts(page)


def test_an_e_step_fills_the_band_with_the_loaded_states_posterior(page):
    press(page, "casino_", "E-step")
    em = run_of(page, "casino_")
    loaded = int(np.argmax(em.emissionprob[:, 5]))
    band = figures(page)["casino_strip"][2]
    np.testing.assert_allclose(band["y"], em.posteriors[:, loaded])
    viterbi, decoding = figures(page)["casino_strip"][3:5]
    np.testing.assert_array_equal(np.asarray(viterbi["z"])[0], em.viterbi()[1] + 1)
    np.testing.assert_array_equal(np.asarray(decoding["z"])[0], em.posteriors.argmax(axis=1) + 1)
    assert f"State **{loaded + 1}**" in texts(page)


def test_an_m_step_redraws_the_transitions_and_the_dice(page):
    press(page, "casino_", "Step", 2)
    em = run_of(page, "casino_")
    shown = figures(page)
    assert shown["casino_transitions"][4]["text"] == [f"{p:.2f}" for p in em.transmat.ravel()]
    for k in range(2):
        np.testing.assert_allclose(shown["casino_emissions"][k]["y"], em.emissionprob[k])
    curve = shown["casino_curve"][0]["y"]
    assert len(curve) == 5 and np.all(np.diff(curve) >= -1e-9)


def test_a_run_to_the_end_compares_the_learnt_casino_with_the_true_one(page):
    run_to_the_end(page, "casino_")
    em = run_of(page, "casino_")
    assert em.finished and "Converged after" in " ".join(s.value for s in page.success)
    (table,) = page.table
    loaded = int(np.argmax(em.emissionprob[:, 5]))
    shown = table.value
    assert shown.loc["P(6 | loaded)", "true"] == "0.500"
    assert shown.loc["P(6 | loaded)", "EM shown"] == f"{em.emissionprob[loaded, 5]:.3f}"
    assert shown.loc["P(loaded → fair)", "EM shown"] == f"{em.transmat[loaded, 1 - loaded]:.3f}"
    match = re.search(r"Viterbi decoding is right on \*\*(\d+)%\*\*", texts(page))
    path = em.viterbi()[1]
    expected = np.mean((path == loaded) == (casino_rolls(300, 0).dice == 1))
    assert match and int(match.group(1)) == round(100 * expected)


@pytest.mark.parametrize(
    ("seed", "switched", "swapped"), [(0, True, False), (3, False, False), (39, False, True)]
)
def test_label_switching_is_explained_only_when_it_happens(page, seed, switched, swapped):
    """Said when the state playing the loaded die is not the casino's die 2, and when
    the states swapped roles during the run (seeds found by running the engine)."""
    page.number_input(key="casino_rs").set_value(seed).run()
    run_to_the_end(page, "casino_")
    em = run_of(page, "casino_")
    loaded = int(np.argmax(em.emissionprob[:, 5]))
    assert (loaded == 0) is switched
    assert (int(np.argmax(em.history[0].emissionprob[:, 5])) != loaded) is swapped
    said = " ".join(info.value for info in page.info)
    assert ("Label switching" in said) is switched
    assert ("swapped roles" in said) is swapped


def test_bad_typed_rolls_are_explained_and_the_run_kept(page):
    page.button_group(key="casino_source").set_value("Typed in").run()
    press(page, "casino_", "Step")
    em = run_of(page, "casino_")
    page.text_area(key="casino_text").input("3 1 6 7 2").run()
    messages = " ".join(e.value for e in page.error)
    assert "Roll 4 is '7', which is not a face of a die" in messages
    assert "already loaded stay" in messages
    assert run_of(page, "casino_") is em and heading(page) == "Iteration 1 · after M-step"
    page.text_area(key="casino_text").input("6").run()
    assert "at least 2 rolls" in " ".join(e.value for e in page.error)
    assert not page.exception


def test_typed_rolls_start_a_run_on_them_with_no_true_die(page):
    page.button_group(key="casino_source").set_value("Typed in").run()
    page.text_area(key="casino_text").input("6 6 6 1 2, 3\n6 6 5 4").run()
    em = run_of(page, "casino_")
    np.testing.assert_array_equal(em.X, np.array([6, 6, 6, 1, 2, 3, 6, 6, 5, 4]) - 1)
    assert em.n_symbols == 6
    press(page, "casino_", "Step")
    strip = figures(page)["casino_strip"]
    assert not np.any(strip[1]["z"])  # no true die for typed rolls: all "not known"
    assert len(figures(page)["casino_emissions"][-1]["x"]) == 0
    assert not page.table and not page.exception


def test_the_casinos_rolls_and_model_controls_each_start_a_new_run(page):
    page.number_input(key="casino_n").set_value(500).run()
    page.number_input(key="casino_seed").set_value(4).run()
    em = run_of(page, "casino_")
    np.testing.assert_array_equal(em.X, casino_rolls(500, 4).symbols)
    page.number_input(key="casino_k").set_value(3).run()
    page.number_input(key="casino_rs").set_value(9).run()
    page.select_slider(key="casino_tol").set_value(1e-8).run()
    em = run_of(page, "casino_")
    assert em.tol == 1e-8
    expected = CategoricalHMMEM(casino_rolls(500, 4).symbols, 3, n_symbols=6, random_state=9)
    np.testing.assert_array_equal(em.emissionprob, expected.emissionprob)
    press(page, "casino_", "Step")
    assert len(figures(page)["casino_transitions"][9]["text"]) == 9  # three states' arrows
    assert not page.table  # the true casino has two dice: no comparison for three states
    assert not page.exception


def test_back_and_reset_and_the_history_slider(page):
    press(page, "casino_", "Step", 3)
    press(page, "casino_", "Back")
    assert heading(page) == "Iteration 3 · after E-step"
    slide(page, "casino_", 2)
    assert player(page, "slider")["position"] == 2
    em = run_of(page, "casino_")
    band = figures(page)["casino_strip"][2]
    np.testing.assert_allclose(
        band["y"], em.responsibilities_at(2)[:, int(np.argmax(em.history[2].emissionprob[:, 5]))]
    )
    press(page, "casino_", "Reset")
    assert heading(page) == "Iteration 0 · initial parameters"


# The trellis -------------------------------------------------------------------------


def test_the_trellis_shows_the_window_and_its_counts_become_a_and_b(page):
    demo(page, "The trellis")
    assert heading(page) == "Iteration 0 · initial parameters"
    press(page, "trellis_", "E-step")
    em = run_of(page, "trellis_")
    transitions, emissions = (t.value for t in page.table)
    counts = em.expected_transitions
    row = counts[0].sum()
    assert (
        transitions.loc["from 1", "to 2"]
        == f"{counts[0, 1]:.1f} / {row:.1f} = {counts[0, 1] / row:.2f}"
    )
    press(page, "trellis_", "M-step")
    transitions, emissions = (t.value for t in page.table)
    # after the M-step the fractions are the new A and B (the counts of the E-step before)
    assert transitions.loc["from 2", "to 1"].endswith(f"= {em.transmat[1, 0]:.2f}")
    assert emissions.loc["6", "state 2"].endswith(f"= {em.emissionprob[1, 5]:.2f}")
    assert emissions.loc["Total", "rolled"] == 100
    header = figures(page)["trellis_figure"][-1]["text"]
    assert header[0].startswith("roll 1<br>") and len(header) == 8


def test_the_trellis_window_moves_without_a_new_run(page):
    demo(page, "The trellis")
    press(page, "trellis_", "E-step")
    em = run_of(page, "trellis_")
    page.slider(key="trellis_window").set_value(40).run()
    assert run_of(page, "trellis_") is em
    header = figures(page)["trellis_figure"][-1]["text"]
    faces = casino_rolls(100, 0).faces
    assert header[0] == f"roll 40<br><b>{faces[39]}</b>"
    numbers = figures(page)["trellis_figure"][-3]["text"]
    gamma = em.posteriors[39]
    assert numbers[0].endswith(f"<b>{gamma[0]:.2f}</b>") and numbers[1].endswith(
        f"<b>{gamma[1]:.2f}</b>"
    )


def test_the_trellis_window_stays_inside_fewer_rolls(page):
    demo(page, "The trellis")
    page.slider(key="trellis_window").set_value(90).run()
    page.number_input(key="trellis_n").set_value(30).run()
    assert page.slider(key="trellis_window").value == 23
    header = figures(page)["trellis_figure"][-1]["text"]
    assert header[-1].startswith("roll 30<br>")
    page.number_input(key="trellis_k").set_value(3).run()
    page.number_input(key="trellis_seed").set_value(2).run()
    page.number_input(key="trellis_rs").set_value(5).run()
    page.select_slider(key="trellis_tol").set_value(1e-4).run()
    assert run_of(page, "trellis_").n_components == 3 and run_of(page, "trellis_").tol == 1e-4
    assert list(page.table[0].value.columns) == ["to 1", "to 2", "to 3"]
    assert not page.exception


# Gaussian states ------------------------------------------------------------------------


def test_the_gaussian_states_are_drawn_over_the_points_in_time_order(page):
    demo(page, "Gaussian states")
    press(page, "regimes_", "Step", 2)
    em = run_of(page, "regimes_")
    states = figures(page)["regimes_states"]
    np.testing.assert_allclose(states[0]["x"], regime_switching(400, 0).X[:, 0])
    assert states[0]["mode"] == "lines"
    arrows = figures(page)["regimes_transitions"]
    assert arrows[9]["text"] == [f"{p:.2f}" for p in em.transmat.ravel()]
    assert "time order" in texts(page)


def test_rows_of_a_equal_to_the_weights_make_the_gaussian_mixture(page):
    demo(page, "Gaussian states")
    hmm_start = run_of(page, "regimes_")
    page.toggle(key="regimes_mixture").set_value(True).run()
    em = run_of(page, "regimes_")
    assert isinstance(em, GaussianMixtureEM)
    np.testing.assert_array_equal(em.means, hmm_start.means)
    np.testing.assert_array_equal(em.weights, hmm_start.startprob)
    press(page, "regimes_", "Step", 2)
    arrows = figures(page)["regimes_transitions"][9]["text"]
    assert arrows == [f"{p:.2f}" for p in np.tile(em.weights, 3)]
    match = re.search("largest difference ([0-9.e+\N{MINUS SIGN}]+)\\)", texts(page))
    assert match and float(match.group(1).replace("\N{MINUS SIGN}", "-")) < 1e-10


def test_the_gaussian_controls_each_start_a_new_run(page):
    demo(page, "Gaussian states")
    page.number_input(key="regimes_n").set_value(200).run()
    page.number_input(key="regimes_seed").set_value(3).run()
    page.number_input(key="regimes_k").set_value(2).run()
    page.selectbox(key="regimes_cov").set_value("diag").run()
    page.selectbox(key="regimes_init").set_value("random-points").run()
    page.number_input(key="regimes_rs").set_value(4).run()
    page.select_slider(key="regimes_tol").set_value(1e-3).run()
    em = run_of(page, "regimes_")
    assert (
        em.tol == 1e-3
        and em.n_components == 2
        and em.covariance_type == "diag"
        and len(em.X) == 200
    )
    np.testing.assert_array_equal(em.X, regime_switching(200, 3).X)
    press(page, "regimes_", "Step")
    assert not page.exception


def test_a_link_opens_a_demo_and_says_what_it_could_not_use():
    at = HMM.opened_by_link({"hmm_demo": "The trellis", "trellis_k": "99"})
    assert at.button_group(key="hmm_demo").value == "The trellis"
    assert any("trellis_k" in toast.value for toast in at.toast)
    assert run_of(at, "trellis_").n_components == 2


def test_the_e_step_parameters_of_the_trellis_are_those_of_the_e_step_shown(page):
    """After an M-step the trellis shows the E-step before it, whose counts made it."""
    demo(page, "The trellis")
    press(page, "trellis_", "Step")
    em = run_of(page, "trellis_")
    before = em.history[1].params
    log_emission = hmm.categorical_log_emission(em.X, before)
    gamma = hmm.forward_backward(before.startprob, before.transmat, log_emission, em.bounds).gamma
    numbers = figures(page)["trellis_figure"][-3]["text"]
    assert numbers[0].endswith(f"<b>{gamma[0, 0]:.2f}</b>")
