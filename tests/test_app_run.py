"""The run machinery (em_viz.ui.run) with two runs on one page, as a page keeping one run
per demo has them: each slot keeps its own run, controls and speed."""

import pytest
from streamlit.testing.v1 import AppTest

TIMEOUT = 60


def two_runs() -> None:
    """A page with two runs in two slots, each with its run view and history slider."""
    from em_viz.data import three_gaussians
    from em_viz.engine.gaussian_em import GaussianMixtureEM
    from em_viz.ui.run import history_slider, replace_run, run_fragment
    from em_viz.ui.stepping import RunSlot

    X = three_gaussians().X
    for prefix in ("a_", "b_"):
        slot = RunSlot(prefix)
        replace_run(slot, "settings", lambda: GaussianMixtureEM(X, 3, random_state=0))
        run_fragment(slot, lambda view, slot=slot: history_slider(slot, view))


@pytest.fixture
def page() -> AppTest:
    return AppTest.from_function(two_runs, default_timeout=TIMEOUT).run()


def headings(at: AppTest) -> list[str]:
    return [m.value.removeprefix("### ") for m in at.markdown if m.value.startswith("### ")]


def test_stepping_one_slot_leaves_the_other_run_untouched(page):
    assert not page.exception  # both slots' controls coexist on one page
    page.button(key="a_Step").click().run()
    page.button(key="a_Step").click().run()
    assert len(page.session_state["a_em"].history) == 5
    assert len(page.session_state["b_em"].history) == 1
    assert page.session_state["a_history_view"] == 4
    assert page.session_state["b_history_view"] == 0
    assert headings(page) == ["Iteration 2 · after M-step", "Iteration 0 · initial parameters"]
    assert page.select_slider(key="a_history_view")
    assert not [s for s in page.select_slider if s.key == "b_history_view"]


def test_each_slot_runs_at_its_own_speed(page):
    page.button_group(key="a_speed").set_value("Instant").run()
    page.button(key="a_Run").click().run()
    assert page.session_state["a_em"].converged
    assert page.session_state["b_speed"] == "3 / s"
    page.button(key="b_Run").click().run()
    assert page.session_state["b_running"] and not page.session_state["a_running"]
    assert len(page.session_state["b_em"].history) == 2  # one animated half-step so far


def keyed_run() -> None:
    """One run whose step keys are pressed through session state (as the keys' listener
    reports them, with the half-step on screen), before the run is drawn."""
    import streamlit as st

    from em_viz.data import three_gaussians
    from em_viz.engine.gaussian_em import GaussianMixtureEM
    from em_viz.ui.run import history_slider, replace_run, run_fragment
    from em_viz.ui.stepping import RunSlot, key_pressed

    slot = RunSlot("k_")
    replace_run(
        slot, "settings", lambda: GaussianMixtureEM(three_gaussians().X, 3, random_state=0)
    )
    for action, shown in st.session_state.pop("pressed", []):
        key_pressed(slot, action, shown, stop_when_converged=False)
    run_fragment(slot, lambda view: history_slider(slot, view))


def test_the_back_key_shows_the_half_step_before_and_drops_none():
    """Where the browser lacks the frames, the server does what the key does in the
    browser: ← shows the half-step before; it is Back (the button) that drops one."""
    page = AppTest.from_function(keyed_run, default_timeout=TIMEOUT).run()
    page.session_state["pressed"] = [("next", 0), ("next", 1), ("next", 2)]
    page.run()
    assert len(page.session_state["k_em"].history) == 4
    page.session_state["pressed"] = [("back", 3)]
    page.run()
    assert len(page.session_state["k_em"].history) == 4  # nothing dropped
    assert page.session_state["k_history_view"] == 2
    page.session_state["pressed"] = [("back", 2), ("back", 1), ("back", 0)]
    page.run()
    assert page.session_state["k_history_view"] == 0
    assert len(page.session_state["k_em"].history) == 4
