"""A run at a saddle point, through AppTest: the explorer's badge and warning say so, Run
stays enabled and goes on to the optimum; Compare's headings and table say the same."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_app_compare import headings, open_page, runs, table
from test_app_explorer import button, click, stepper

from em_viz import GaussianMixtureEM
from em_viz.data import old_faithful
from em_viz.ui.run import SADDLE_BADGE

TIMEOUT = 60
APP = str(Path(__file__).resolve().parent.parent / "app.py")


def optimum() -> float:
    em = GaussianMixtureEM(old_faithful().X, 2, init="kmeans", random_state=0)
    em.run(500)
    return em.log_likelihood


@pytest.fixture
def app() -> AppTest:
    """The explorer on Old Faithful, K = 2, from random responsibilities (a symmetric
    start)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.selectbox(key="preset").set_value("Old Faithful").run()
    at.number_input(key="n_components").set_value(2).run()
    at.selectbox(key="init").set_value("random-responsibilities").run()
    return at


def badges(at: AppTest) -> list[str]:
    return [b.value for b in (*at.success, *at.warning)]


def test_a_stop_at_a_saddle_says_so_and_run_goes_on_to_the_optimum(app):
    click(app, "Step")
    em = stepper(app)
    assert em.converged and em.at_saddle  # the gain rule stopped here
    assert SADDLE_BADGE in badges(app)
    assert not any(badge.startswith("Converged") for badge in badges(app))
    assert any("nearly identical" in badge and "saddle point" in badge for badge in badges(app))
    assert not button(app, "Run").disabled
    app.button_group(key="speed").set_value("Instant").run()
    click(app, "Run")
    assert not app.exception
    em = stepper(app)
    assert em.finished
    assert em.log_likelihood == pytest.approx(optimum(), abs=0.05)
    assert f"Converged after {em.n_iter} iterations" in badges(app)
    assert not any("saddle" in badge for badge in badges(app))
    assert button(app, "Run").disabled


def test_animated_run_does_not_stop_at_a_saddle(app):
    click(app, "Step")
    before = len(stepper(app).history)
    click(app, "Run")
    assert app.session_state["running"]
    em = stepper(app)  # computed ahead, past the saddle, for the browser to play
    assert len(em.history) > before + 2 and em.finished and not em.at_saddle


def test_compare_headings_and_table_do_not_call_a_saddle_converged(app):
    open_page(app, "compare")
    for number in (0, 1):
        app.number_input(key=f"compare_{number}_n_components").set_value(2).run()
        app.selectbox(key=f"compare_{number}_init").set_value("random-responsibilities").run()
    click(app, "Step")
    assert all(em.converged and em.at_saddle for em in runs(app))
    assert all(h.endswith(" · stopped at (or near) a saddle point") for h in headings(app))
    assert not table(app)["converged"].any()
    assert not button(app, "Run").disabled and not button(app, "Step").disabled
    app.button_group(key="compare_speed").set_value("Instant").run()
    click(app, "Run")
    assert all(em.finished for em in runs(app))
    assert all(h.endswith(" · converged") for h in headings(app))
    for em in runs(app):
        assert em.log_likelihood == pytest.approx(optimum(), abs=0.05)
