"""Links to Compare runs, Why EM works and How many components? through AppTest: a
link opened in a new session shows the same heading and numbers (data, settings, the
half-step), values a page cannot use are named, and an upload is said to be left out."""

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash
from test_app_choose_k import SWEEP_TIMEOUT, sentence
from test_app_compare import APP, TIMEOUT, group_heading, headings, open_page, runs, table
from test_app_explorer import click, heading, upload

from em_viz.data import PRESETS, old_faithful
from em_viz.ui import link
from em_viz.ui.labels import (
    BOUND_UPLOAD_NOT_LINKED,
    CHOOSE_K_UPLOAD_NOT_LINKED,
    COMPARE_UPLOAD_NOT_LINKED,
)


def opened(url_path: str, params: dict[str, str] | None = None) -> AppTest:
    """A new session opened on ``url_path`` from a link carrying ``params``."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at._page_hash = calc_hash(url_path)
    at.query_params.update(params or {})
    return at.run()


def navigate(at: AppTest, url_path: str) -> AppTest:
    """Another page of the same session, as the browser's navigation opens it: with
    none of the last page's URL."""
    at.query_params.clear()
    return open_page(at, url_path)


def toasts(at: AppTest) -> list[str]:
    return [toast.value for toast in at.toast]


def numbers(at: AppTest) -> str:
    """The bound page's line of numbers: log-likelihood, bound and gap."""
    return next(m.value for m in at.markdown if m.value.startswith("log-likelihood **"))


def test_a_compare_link_opens_the_same_runs_at_the_same_half_step():
    at = opened("compare")
    at.selectbox(key="preset").set_value("Two moons").run()
    at.number_input(key="Two moons:seed").set_value(5).run()
    at.button_group(key="compare_n_runs").set_value(3).run()
    at.number_input(key="compare_0_n_components").set_value(4).run()
    at.number_input(key="compare_1_random_state").set_value(7).run()
    at.selectbox(key="compare_2_algorithm").set_value("hard").run()
    click(at, "Step", 2)
    click(at, "E-step")
    params = dict(at.query_params)
    assert params["compare_step"] == "5"
    assert (params["data"], params["seed"], params["runs"]) == ("Two moons", "5", "3")
    assert (params["k1"], params["rs2"], params["alg3"]) == ("4", "7", "hard")
    assert "k2" not in params and "rs1" not in params  # a run's defaults are left out
    linked = opened("compare", params)
    assert not linked.exception and not toasts(linked)
    assert group_heading(linked) == group_heading(at) == "Iteration 3 · after E-step"
    assert headings(linked) == headings(at)
    pd.testing.assert_frame_equal(table(linked).drop(columns="ms"), table(at).drop(columns="ms"))
    for restored, shown in zip(runs(linked), runs(at), strict=True):
        np.testing.assert_array_equal(restored.X, shown.X)
        assert [r.objective for r in restored.history] == [r.objective for r in shown.history]
    assert dict(linked.query_params) == params


def test_a_compare_link_at_the_defaults_holds_the_data_alone():
    at = opened("compare")
    assert not at.exception
    assert set(at.query_params) == {"data", "npc", "seed", "spread"}


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"k2": "99"}, "k2"),
        ({"alg1": "variational-bayes"}, "alg1"),  # the explorer's alone
        ({"init1": "click on the plot"}, "init1"),
        ({"runs": "7"}, "runs"),
    ],
)
def test_a_compare_value_the_runs_do_not_offer_is_named(params, name):
    at = opened("compare", params)
    assert not at.exception
    assert any(f"value for {name} was not understood" in text for text in toasts(at))
    assert len(runs(at)) == 2 and runs(at)[1].n_components == 3


def test_a_why_em_works_link_starts_the_run_it_describes():
    at = opened("")
    at.selectbox(key="preset").set_value("Two moons").run()
    at.number_input(key="n_components").set_value(4).run()
    at.slider(key="hiding:share").set_value(20.0).run()
    navigate(at, "bound")
    shown = at.session_state["em"]
    click(at, "Step", 3)
    click(at, "Back")
    params = dict(at.query_params)
    assert params["step"] == "5"
    assert (params["data"], params["k"], params["hide"], params["miss"]) == (
        "Two moons",
        "4",
        "20.0",
        "em",
    )
    linked = opened("bound", params)
    assert not linked.exception and not toasts(linked)
    assert heading(linked) == heading(at) == "Iteration 3 · after E-step"
    assert numbers(linked) == numbers(at)
    restored = linked.session_state["em"]
    np.testing.assert_array_equal(restored.X, shown.X)  # the same points hidden
    assert restored.history[5].objective == shown.history[5].objective
    assert dict(linked.query_params) == params
    navigate(linked, "")  # the explorer shows the same run, at the same half-step
    assert not linked.exception
    assert linked.session_state["em"] is restored
    assert heading(linked) == "Iteration 3 · after E-step"
    assert not any("a new run" in text for text in toasts(linked))


def test_a_why_em_works_link_with_a_value_it_cannot_use_names_it():
    at = opened("bound", {"data": "Old Faithful", "k": "99"})
    assert not at.exception
    assert any("value for k was not understood" in text for text in toasts(at))
    em = at.session_state["em"]
    np.testing.assert_array_equal(em.X, old_faithful().X)
    assert em.n_components == 3
    assert at.query_params["k"] == "3"


@pytest.mark.parametrize(
    ("url_path", "note"),
    [
        ("compare", COMPARE_UPLOAD_NOT_LINKED),
        ("bound", BOUND_UPLOAD_NOT_LINKED),
        ("choose-k", CHOOSE_K_UPLOAD_NOT_LINKED),
    ],
)
def test_an_upload_is_said_to_be_left_out_of_the_link(url_path, note):
    at = opened("")
    rows = "\n".join(f"{e},{w}" for e, w in PRESETS["Old Faithful"].make().X)
    upload(at, "faithful.csv", f"eruptions,waiting\n{rows}\n".encode())
    navigate(at, url_path)
    assert not at.exception
    assert note in [caption.value for caption in at.caption]
    assert "data" not in at.query_params


def test_a_choose_k_link_runs_the_sweep_it_shows():
    # The sweep's own widgets are bound to the URL by the browser (see the browser test).
    at = opened("choose-k", {"choose_k_n_init": "1"})
    at.selectbox(key="preset").set_value("Old Faithful").run()
    assert "sweep" not in at.query_params
    at.default_timeout = SWEEP_TIMEOUT
    click(at, "Run the sweep")
    params = dict(at.query_params)
    assert (params["sweep"], params["data"]) == ("1", "Old Faithful")
    linked = opened("choose-k", params)
    assert not linked.exception
    assert sentence(linked) == sentence(at)
    swept = [session.session_state["choose_k_result"]["table"] for session in (linked, at)]
    pd.testing.assert_frame_equal(*swept)
    at.number_input(key="choose_k_n_init").set_value(2).run()  # the table shown is older
    assert "sweep" not in at.query_params


def starts_table(at: AppTest) -> pd.DataFrame:
    """The multi-start's table of optima."""
    (optima,) = at.dataframe
    return optima.value


def test_a_multi_start_link_opens_the_tab_and_runs_the_same_starts():
    at = opened("compare")
    at.number_input(key="compare_1_random_state").set_value(7).run()
    at.slider(key="compare_starts_n").set_value(20).run()
    at.selectbox(key="compare_starts_run").set_value(2).run()
    assert "ms" not in at.query_params  # no results shown yet
    click(at, "Run the starts")
    at.session_state["compare_tab"] = "Multi-start"  # as a click on the tab does
    at.run()
    params = dict(at.query_params)
    assert (params["tab"], params["ms_of"], params["ms_n"], params["ms"]) == (
        "multi",
        "2",
        "20",
        "1",
    )
    assert starts_table(at)["starts"].sum() == 20
    linked = opened("compare", params)
    assert not linked.exception and not toasts(linked)
    assert linked.session_state["compare_tab"] == "Multi-start"
    assert linked.session_state["compare_starts"]["spec"].random_state == 7
    pd.testing.assert_frame_equal(starts_table(linked), starts_table(at))
    assert dict(linked.query_params) == params
    linked.slider(key="compare_starts_n").set_value(30).run()  # the table shown is older
    assert "ms" not in linked.query_params and linked.query_params["ms_n"] == "30"


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"tab": "table"}, "tab"),
        ({"ms_n": "55"}, "ms_n"),
        ({"ms": "yes"}, "ms"),
        ({"ms_of": "3"}, "ms_of"),
    ],
)
def test_a_multi_start_value_the_page_does_not_offer_is_named(params, name):
    at = opened("compare", params)
    assert not at.exception
    assert any(f"value for {name} was not understood" in text for text in toasts(at))
    assert at.session_state["compare_tab"] == "Side by side"
    assert "compare_starts" not in at.session_state  # no starts run
    assert set(at.query_params) == {"data", "npc", "seed", "spread"}


PLACING = {"data": "Old Faithful", "init": "click on the plot", "k": "2"}


def test_placed_means_are_rounded_to_four_digits():
    assert link.placed(3.14159265, 78.123456) == [3.142, 78.12]
    assert link.means_text([[3.142, 78.12], [-0.5, 60.0]]) == "3.142,78.12;-0.5,60"


def test_a_link_with_placed_means_starts_the_same_run():
    at = opened("", PLACING)
    assert heading(at) == "Click on the plot to place mean 1 of 2"
    at.session_state["clicked_means"] = [[2.0, 55.5], [4.25, 80.0]]
    at.run()
    click(at, "Step", 3)
    params = dict(at.query_params)
    assert params["means"] == "2,55.5;4.25,80"
    linked = opened("", params)
    assert not linked.exception and not toasts(linked)
    assert heading(linked) == heading(at) == "Iteration 3 · after M-step"
    shown, restored = at.session_state["em"], linked.session_state["em"]
    np.testing.assert_array_equal(restored.history[0].means, [[2.0, 55.5], [4.25, 80.0]])
    assert restored.history[6].objective == shown.history[6].objective
    assert dict(linked.query_params) == params


@pytest.mark.parametrize(
    ("means", "why"),
    [
        ("2,55;4", "two numbers per mean"),
        ("two,55", "two numbers per mean"),
        ("2,55;4,1e9", "far outside the data"),
        ("nan,55", "far outside the data"),
        (";".join(["2,55"] * 21), "at most 20 means"),
    ],
)
def test_placed_means_the_page_cannot_use_are_said_and_left_out(means, why):
    at = opened("", PLACING | {"means": means})
    assert not at.exception
    assert any("placed means" in text and why in text for text in toasts(at))
    assert heading(at) == "Click on the plot to place mean 1 of 2"
    assert "means" not in at.query_params


def test_placed_means_on_data_with_more_features_are_left_out():
    at = opened("", {"data": "Wine", "means": "1,2"})
    assert not at.exception
    assert any("two features only" in text for text in toasts(at))


def test_a_why_em_works_link_with_placed_means_starts_from_them():
    waiting = opened("bound", PLACING)
    assert any("waiting for its initial means" in info.value for info in waiting.info)
    at = opened("bound", PLACING | {"means": "2,55.5;4.25,80"})
    assert not at.exception and not toasts(at)
    assert heading(at) == "Iteration 0 · initial parameters"
    np.testing.assert_array_equal(at.session_state["em"].means, [[2.0, 55.5], [4.25, 80.0]])
    assert at.query_params["means"] == "2,55.5;4.25,80"


def test_a_link_replays_the_means_moved_by_hand_exactly():
    at = opened("", {"data": "Three Gaussians", "k": "3", "rs": "2"})
    click(at, "Step")
    em = at.session_state["em"]
    em.move_mean(1, (0.123456789, -1.5))
    at.session_state["history_view"] = len(em.history) - 1
    at.run()
    click(at, "Step")
    params = dict(at.query_params)
    moves = params["moves"][0] if isinstance(params["moves"], list) else params["moves"]
    assert moves == "3:2:0.123456789:-1.5"
    shown = heading(at)
    assert shown == "Iteration 2 · after M-step"

    again = opened("", {name: value for name, value in at.query_params.items()})
    assert heading(again) == shown
    replayed = again.session_state["em"].history
    assert [r.phase for r in replayed] == [r.phase for r in em.history]
    assert replayed[3].moved == 1 and tuple(replayed[3].means[1]) == (0.123456789, -1.5)
    np.testing.assert_array_equal(replayed[-1].means, em.history[-1].means)
    assert replayed[-1].log_likelihood == em.history[-1].log_likelihood


@pytest.mark.parametrize("moves", ["3:2:x:1", "3-2-1-1", "3:9:1:1"])
def test_moves_the_run_cannot_take_are_said_or_end_the_replay(moves):
    at = opened("", {"data": "Three Gaussians", "k": "3", "rs": "2", "step": "5", "moves": moves})
    assert not at.exception
    history = at.session_state["em"].history
    assert all(record.phase != "moved" for record in history)
    if moves != "3:9:1:1":  # unreadable: named, and the run replays without it
        assert any("moves" in toast for toast in toasts(at))
        assert len(history) == 6
