"""The Incomplete data page through AppTest: the genetic-linkage demo's controls, captions,
table and figure against the engine; Murray's demo's three limits; bad input and links."""

from pathlib import Path

import numpy as np
import pytest
from demo_pages import press, run_of, slide
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash
from test_app_compare import open_page
from test_app_explorer import figures, heading

from em_viz.engine.linkage_em import bound, log_likelihood

TIMEOUT = 60
APP = str(Path(__file__).resolve().parent.parent / "app.py")
LINKAGE = "Genetic linkage (Dempster, Laird & Rubin 1977)"
MURRAY = "Murray's saddle point"


@pytest.fixture
def page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    return open_page(at, "incomplete")


def shown_text(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


def table(at: AppTest):
    (shown,) = at.dataframe
    return shown.value


def test_the_page_opens_on_the_linkage_example(page):
    assert not page.exception
    assert page.button_group(key="incomplete_demo").value == LINKAGE
    assert heading(page) == "Iteration 0 · initial parameters"
    em = run_of(page, "linkage_")
    assert em.counts == (125, 18, 20, 34) and em.theta == 0.5
    assert "θ = 0.5000000" in shown_text(page)
    assert list(table(page)["θ_t"]) == ["0.5000000"]
    assert table(page)["ratio of errors"][0] == ""


def test_each_half_step_has_its_caption_with_its_numbers(page):
    press(page, "linkage_", "E-step")
    assert heading(page) == "Iteration 1 · after E-step"
    text = shown_text(page)
    assert "**25.0000** in its θ/4 part and **100.0000** in its 1/2 part" in text
    bound_trace = next(
        t for t in figures(page)["linkage_figure"] if t["name"] == "bound at θ<sub>t</sub>"
    )
    np.testing.assert_allclose(bound_trace["y"], bound(bound_trace["x"], 0.5), rtol=1e-12)
    press(page, "linkage_", "M-step")
    text = shown_text(page)
    assert "θ = (25.0000 + 34) / (25.0000 + 18 + 20 + 34) = **0.6082474**" in text
    assert table(page)["θ_t"][1] == "0.6082474"


def test_run_reaches_the_maximum_and_the_table_shows_the_rate(page):
    page.session_state["linkage_speed"] = "Instant"
    press(page, "linkage_", "Run")
    em = run_of(page, "linkage_")
    assert em.finished
    assert em.theta == pytest.approx(0.6268215, abs=5e-8)
    shown = table(page)
    assert len(shown) == em.n_iter + 1 >= 9
    assert shown["ratio of errors"].iloc[-1] == "0.1328"
    assert any("0.1328 times the one before" in c.value for c in page.caption)
    assert any("Converged after" in s.value for s in page.success)


def test_back_reset_and_the_history_slider(page):
    press(page, "linkage_", "Step", 3)
    press(page, "linkage_", "Back")
    assert heading(page) == "Iteration 3 · after E-step"
    slide(page, "linkage_", 2)
    assert heading(page).startswith("Viewing Iteration 1 · after M-step")
    assert len(table(page)) == 2  # the table stops at the record shown
    press(page, "linkage_", "Reset")
    assert heading(page) == "Iteration 0 · initial parameters"


def test_zoom_narrows_the_view_around_the_shown_theta(page):
    press(page, "linkage_", "Step", 6)
    whole = figures(page)["linkage_figure"][0]["x"]
    page.toggle(key="linkage_zoom").set_value(True).run()
    zoomed = figures(page)["linkage_figure"][0]["x"]
    assert np.ptp(zoomed) < np.ptp(whole) / 1000
    theta = run_of(page, "linkage_").theta
    assert zoomed[0] < theta < zoomed[-1]


def test_new_counts_and_start_give_a_new_run(page):
    page.number_input(key="linkage_x1").set_value(50).run()
    page.number_input(key="linkage_theta").set_value(0.2).run()
    em = run_of(page, "linkage_")
    assert em.counts == (50, 18, 20, 34) and em.theta == 0.2
    press(page, "linkage_", "Step")
    curve = figures(page)["linkage_figure"][0]
    counts = (50, 18, 20, 34)
    np.testing.assert_allclose(curve["y"], log_likelihood(curve["x"], counts), rtol=1e-12)


def test_no_animals_at_all_is_said_in_words_and_the_run_kept(page):
    for cell in range(1, 4):
        page.number_input(key=f"linkage_x{cell}").set_value(0).run()
    press(page, "linkage_", "Step")
    em = run_of(page, "linkage_")
    assert em.counts == (0, 0, 0, 34)
    page.number_input(key="linkage_x4").set_value(0).run()
    assert not page.exception
    messages = " ".join(e.value for e in page.error)
    assert "Every count is 0: there are no animals" in messages
    assert "previous run is kept" in messages
    assert run_of(page, "linkage_") is em
    assert heading(page) == "Iteration 1 · after M-step"


@pytest.mark.parametrize(
    ("params", "name", "used"),
    [
        ({"linkage_x2": "-4"}, "linkage_x2", 18),
        ({"linkage_theta": "1.5"}, "linkage_theta", 0.5),
        ({"incomplete_demo": "Nonsense"}, "incomplete_demo", LINKAGE),
        ({"incomplete_demo": MURRAY, "murray_rho": "3"}, "murray_rho", 0.2),
    ],
)
def test_a_link_value_the_page_does_not_offer_is_named(params, name, used):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at._page_hash = calc_hash("incomplete")
    at.query_params.update(params)
    at.run()
    assert not at.exception
    assert [t.value for t in at.toast if name in t.value] == [
        f"The link's value for {name} was not understood and is left out."
    ]
    assert at.session_state[name] == used


def murray(at: AppTest, rho: float) -> AppTest:
    at.button_group(key="incomplete_demo").set_value(MURRAY).run()
    at.slider(key="murray_rho").set_value(rho).run()
    at.session_state["murray_speed"] = "Instant"
    return press(at, "murray_", "Run")


@pytest.mark.parametrize(
    ("rho", "limit", "variance", "words"),
    [
        (0.0, 0.0, 2.5, "saddle point"),
        (0.05, 0.5, 8 / 3, "maximum"),
        (-0.4, -0.5, 8 / 3, "maximum"),
    ],
)
def test_murray_three_limits(page, rho, limit, variance, words):
    murray(page, rho)
    assert not page.exception
    em = run_of(page, "murray_")
    cov = em.covariances[0]
    assert cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1]) == pytest.approx(limit, abs=1e-4)
    assert cov[0, 0] == pytest.approx(variance, abs=1e-3)
    boxes = page.warning if words == "saddle point" else page.success
    said = " ".join(b.value for b in boxes)
    assert f"**{words}**" in said
    assert f"correlation {limit:.4f}".replace("-0.0000", "0.0000") in said
    profile = figures(page)["murray_profile"]
    path = next(t for t in profile if t["name"] == "EM's path")
    assert path["x"][-1] == pytest.approx(limit, abs=1e-4)


def test_murray_e_step_moves_the_filled_in_points(page):
    page.button_group(key="incomplete_demo").set_value(MURRAY).run()
    page.slider(key="murray_rho").set_value(0.5).run()

    def hollow():
        points = figures(page)["murray_points"]
        trace = next(t for t in points if t["name"] == "filled in by EM")
        return np.column_stack([trace["x"], trace["y"]])

    before = hollow()
    np.testing.assert_allclose(before[:4, 1], 0.5 * before[:4, 0])  # E[x2 | x1] at the start
    press(page, "murray_", "Step")
    press(page, "murray_", "E-step")
    after = hollow()
    assert not np.allclose(after, before)
    np.testing.assert_array_equal(after[:4, 0], before[:4, 0])  # observed entries stay
    assert "hollow point moved" in shown_text(page)
    # The linkage demo's run is kept meanwhile.
    page.button_group(key="incomplete_demo").set_value(LINKAGE).run()
    assert heading(page) == "Iteration 0 · initial parameters"
