"""The Bernoulli mixtures page through AppTest: each demo's controls, its numbers and
figures read back from the page, bad input, and runs kept per demo."""

import numpy as np
import pytest
from demo_pages import DemoPage, press, run_of, slide
from streamlit.testing.v1 import AppTest
from test_app_compare import open_page
from test_app_explorer import figures, heading, player

from em_viz.data.coins import TWO_COINS

BERNOULLI = DemoPage("bernoulli", "demo")
demo = BERNOULLI.demo
opened_by_link = BERNOULLI.opened_by_link


@pytest.fixture
def page() -> AppTest:
    return BERNOULLI.open()


def table(at: AppTest):
    (shown,) = at.table
    return shown.value


def test_the_page_opens_on_the_two_coins_with_the_textbook_sets(page):
    assert not page.exception
    assert heading(page) == "Iteration 0 · initial parameters"
    shown = table(page)
    assert list(shown.index) == ["Set 1", "Set 2", "Set 3", "Set 4", "Set 5", "Total"]
    assert tuple(shown["Tosses"][:5]) == TWO_COINS
    assert shown.loc["Total", "Counts"] == "33 H, 17 T"
    np.testing.assert_array_equal(run_of(page, "coins_").probabilities[:, 0], [0.6, 0.5])


def test_the_first_e_step_fills_the_textbook_table(page):
    press(page, "coins_", "E-step")
    shown = table(page)
    assert list(shown.loc["Set 1", ["P(A)", "P(B)"]]) == ["0.45", "0.55"]
    assert shown.loc["Set 1", "Coin A"] == "2.2 H, 2.2 T"
    assert shown.loc["Total", "Coin A"] == "21.3 H, 8.6 T"
    assert shown.loc["Total", "Coin B"] == "11.7 H, 8.4 T"
    (latex,) = [element.value for element in page.latex if r"\theta_A" in element.value]
    assert r"\theta_A = \frac{21.3}{21.3 + 8.6} = 0.71" in latex
    assert r"\theta_B" in latex and "= 0.58" in latex


def test_ten_steps_give_the_textbook_biases_and_their_paths(page):
    press(page, "coins_", "Step", 10)
    assert heading(page) == "Iteration 10 · after M-step"
    em = run_of(page, "coins_")
    np.testing.assert_allclose(em.probabilities[:, 0], [0.80, 0.52], atol=0.005)
    paths = figures(page)["coins_paths"]
    ys = [np.asarray(t["y"], dtype=float) for t in paths if len(t.get("y", [])) == 21]
    assert len(ys) == 2
    np.testing.assert_allclose(ys[0], [r.probabilities[0, 0] for r in em.history])
    curve = figures(page)["coins_curve"][0]
    assert np.all(np.diff(curve["y"]) >= 0)


def test_a_toss_that_is_not_h_or_t_is_explained_and_the_run_kept(page):
    press(page, "coins_", "Step", 2)
    em = run_of(page, "coins_")
    page.text_area(key="coins_text").input("HTTH\nHTXH\nHHHT").run()
    messages = " ".join(e.value for e in page.error)
    assert "Line 2 ('HTXH') has 'X'" in messages and "already loaded stay" in messages
    assert run_of(page, "coins_") is em and len(em.history) == 5
    assert heading(page) == "Iteration 2 · after M-step"
    assert not page.exception


def test_new_tosses_start_a_new_run_on_them(page):
    page.text_area(key="coins_text").input("hhhht\nttth\nhhth\ntttt").run()
    em = run_of(page, "coins_")
    np.testing.assert_array_equal(em.X[:, 0], [4, 1, 3, 0])
    assert tuple(table(page)["Tosses"][:4]) == ("HHHHT", "TTTH", "HHTH", "TTTT")


def test_equal_starting_biases_are_a_tie_em_cannot_break(page):
    page.number_input(key="coins_start_1").set_value(0.6).run()
    press(page, "coins_", "Step", 3)
    assert any("cannot break the tie" in info.value for info in page.info)
    p = run_of(page, "coins_").probabilities[:, 0]
    assert p[0] == p[1]


def test_biases_that_become_equal_are_not_called_a_tie_from_the_start(page):
    page.text_area(key="coins_text").input("\n".join(["HTHTHTHTHT"] * 200)).run()
    press(page, "coins_", "Step")
    p = run_of(page, "coins_").probabilities[:, 0]
    assert p[0] == p[1]  # identical sets: the coins are equal after one step
    assert not any("cannot break the tie" in info.value for info in page.info)


def test_three_coins_and_free_weights(page):
    page.number_input(key="coins_k").set_value(3).run()
    page.checkbox(key="coins_fixed").uncheck().run()
    press(page, "coins_", "Step")
    em = run_of(page, "coins_")
    assert em.n_components == 3 and em.learn_weights
    assert not np.allclose(em.weights, 1 / 3)
    assert "Coin C" in table(page).columns


def test_single_flips_stop_after_one_iteration_and_every_start_agrees(page):
    demo(page, "Single flips")
    press(page, "flips_", "Step", 2)
    em = run_of(page, "flips_")
    assert em.converged
    curve = figures(page)["flips_curve"][0]["y"]
    assert curve[2] == pytest.approx(curve[4], rel=1e-12)
    rate = float(em.X.mean())
    assert any(f"**{rate:.3f}**" in m.value for m in page.markdown)
    (starts,) = page.dataframe
    np.testing.assert_allclose(starts.value["overall rate Σ πp"], rate)
    np.testing.assert_allclose(starts.value["log-likelihood"], em.log_likelihood)
    coins = figures(page)["flips_coins"]
    bars = [t for t in coins if t.get("type") == "bar"]
    np.testing.assert_allclose(bars[0]["y"], em.probabilities[:, 0])


def test_the_digit_prototypes_are_the_runs_probabilities(page):
    demo(page, "Binarised digits")
    press(page, "digits_", "Step", 2)
    em = run_of(page, "digits_")
    images = [t for t in figures(page)["digits_prototypes"] if t.get("type") == "heatmap"]
    assert len(images) == 3
    shown = np.sort([np.asarray(t["z"], dtype=float).ravel() for t in images], axis=1)
    np.testing.assert_allclose(shown, np.sort(em.probabilities, axis=1))
    weights = figures(page)["digits_weights"][0]
    np.testing.assert_allclose(weights["y"], em.weights)
    assert em.objective_name == "log-likelihood + log prior"


def test_choosing_no_digit_is_explained_and_the_run_kept(page):
    demo(page, "Binarised digits")
    press(page, "digits_", "Step")
    em = run_of(page, "digits_")
    page.multiselect(key="digits_classes").set_value([]).run()
    assert any("Choose at least one digit" in e.value for e in page.error)
    assert run_of(page, "digits_") is em
    assert heading(page) == "Iteration 1 · after M-step"


def test_without_a_pseudo_count_certain_pixels_are_named(page):
    demo(page, "Binarised digits")
    page.select_slider(key="digits_pseudo").set_value(0.0).run()
    page.button_group(key="digits_speed").set_value("Instant").run()
    press(page, "digits_", "Run")
    assert any("Converged after" in s.value for s in page.success)
    assert any("is certain" in w.value for w in page.warning)
    assert run_of(page, "digits_").objective_name == "log-likelihood"


def test_each_demo_keeps_its_own_run(page):
    press(page, "coins_", "Step", 3)
    coins = run_of(page, "coins_")
    demo(page, "Binarised digits")
    press(page, "digits_", "Step")
    demo(page, "Two coins")
    assert run_of(page, "coins_") is coins and len(coins.history) == 7
    assert heading(page) == "Iteration 3 · after M-step"
    open_page(page, "")  # the explorer and back
    open_page(page, "bernoulli")
    assert run_of(page, "coins_") is coins
    assert heading(page) == "Iteration 3 · after M-step"


def test_back_reset_and_the_history_slider(page):
    press(page, "coins_", "Step", 2)
    slide(page, "coins_", 1)
    assert heading(page).startswith("Viewing Iteration 1 · after E-step")
    slider = player(page, "slider")
    assert slider["position"] == 1 and slider["labels"][1] == "Iteration 1 · E-step"
    assert table(page).loc["Set 1", "P(A)"] == "0.45"
    press(page, "coins_", "Back")  # one back from the half-step viewed
    assert heading(page) == "Iteration 0 · initial parameters"
    press(page, "coins_", "Step", 2)
    press(page, "coins_", "Reset")
    assert heading(page) == "Iteration 0 · initial parameters"
    assert len(run_of(page, "coins_").history) == 1


def test_more_coins_than_sets_keeps_the_run_and_says_why(page):
    page.number_input(key="coins_k").set_value(3).run()
    three_coins = run_of(page, "coins_")
    assert three_coins.n_components == 3
    page.text_area(key="coins_text").input("HHT\nTTH").run()
    messages = " ".join(e.value for e in page.error)
    assert "n_components=3 is more than the 2" in messages
    assert "previous run is kept" in messages
    assert run_of(page, "coins_") is three_coins and len(three_coins.X) == 5
    assert not page.exception


def test_each_half_step_says_what_it_changed(page):
    demo(page, "Binarised digits")
    captions = [c.value for c in page.caption]
    assert any(c.startswith("The starting prototypes") for c in captions)
    press(page, "digits_", "E-step")
    assert any(c.value.startswith("E-step: every image's") for c in page.caption)
    press(page, "digits_", "M-step")
    assert any(c.value.startswith("M-step: each prototype") for c in page.caption)


@pytest.mark.parametrize(
    ("params", "name", "used"),
    [
        ({"demo": "Nonsense"}, "demo", "Two coins"),
        ({"coins_k": "-1"}, "coins_k", 2),
        ({"coins_k": "abc"}, "coins_k", 2),
        ({"coins_start_0": "5"}, "coins_start_0", 0.6),
        ({"coins_start_1": "nan"}, "coins_start_1", 0.5),
        ({"coins_fixed": "maybe"}, "coins_fixed", True),
        ({"demo": "Single flips", "flips_n": "1e9"}, "flips_n", 200),
        ({"demo": "Single flips", "flips_bias_1": "7"}, "flips_bias_1", 0.2),
        ({"demo": "Single flips", "flips_bias_2": "inf"}, "flips_bias_2", 0.9),
        ({"demo": "Single flips", "flips_share": "-1"}, "flips_share", 0.5),
        ({"demo": "Single flips", "flips_seed": "-3"}, "flips_seed", 0),
        ({"demo": "Single flips", "flips_k": "0"}, "flips_k", 2),
        ({"demo": "Single flips", "flips_rs": "2.5"}, "flips_rs", 2),
        ({"demo": "Binarised digits", "digits_k": "1000"}, "digits_k", 3),
        ({"demo": "Binarised digits", "digits_classes": ["1", "99"]}, "digits_classes", [1]),
        ({"demo": "Binarised digits", "digits_init": "magic"}, "digits_init", "random"),
        ({"demo": "Binarised digits", "digits_rs": "-1"}, "digits_rs", 2),
        ({"demo": "Binarised digits", "digits_pseudo": "3"}, "digits_pseudo", 1.0),
    ],
)
def test_a_link_value_a_widget_does_not_offer_is_named_and_the_page_works(params, name, used):
    at = opened_by_link(params)
    assert not at.exception
    assert [t.value for t in at.toast if name in t.value] == [
        f"The link's value for {name} was not understood and is left out."
    ]
    assert at.session_state[name] == used
    assert heading(at) == "Iteration 0 · initial parameters"
    prefix = name.split("_")[0] + "_" if name != "demo" else "coins_"
    press(at, prefix, "Step")
    assert heading(at) == "Iteration 1 · after M-step"


def test_a_link_with_good_values_opens_without_a_word():
    at = opened_by_link(
        {"demo": "Binarised digits", "digits_classes": ["1", "7"], "digits_k": "4"}
    )
    assert not at.exception and not at.toast
    assert run_of(at, "digits_").n_components == 4


def test_tosses_too_long_or_refused_stay_out_of_the_link_and_come_back_when_fine(page):
    many = "\n".join(["HTHHTHTTHT" * 100] * 200)  # 200 sets of 1,000: accepted, 200 KB
    page.text_area(key="coins_text").input(many).run()
    assert len(run_of(page, "coins_").X) == 200
    assert "coins_text" not in page.query_params
    assert any("too many for the page's link" in c.value for c in page.caption)
    page.text_area(key="coins_text").input("HHHH\nTTTH").run()
    assert page.query_params["coins_text"] == "HHHH\nTTTH"
    assert not any("too many" in c.value for c in page.caption)
    page.text_area(key="coins_text").input("HHXH\nTT").run()
    assert page.error and "coins_text" not in page.query_params
    page.text_area(key="coins_text").input("HHHT\nTT").run()
    assert page.query_params["coins_text"] == "HHHT\nTT"
    assert not page.exception
