"""The "Why EM works" page through Streamlit's AppTest: it steps the explorer's run, and
its equations show the engine's numbers."""

import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from test_app_compare import open_page
from test_app_explorer import button, click, figures, heading, stepper

from em_viz.data import three_gaussians
from em_viz.ui.bound import _number

TIMEOUT = 60
APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    return open_page(at, "bound")


def latex(at: AppTest) -> list[str]:
    return [element.value for element in at.latex]


def test_opened_first_it_starts_the_explorers_run_on_the_default_data():
    at = open_page(AppTest.from_file(APP, default_timeout=TIMEOUT), "bound")
    assert not at.exception
    assert not any("no run" in info.value for info in at.info)
    em = stepper(at)
    np.testing.assert_array_equal(em.X, three_gaussians().X)
    assert (em.n_components, em.covariance_type, em.init) == (3, "full", "k-means++")
    assert heading(at) == "Iteration 0 · initial parameters"
    click(at, "Step", 2)
    open_page(at, "")  # the explorer takes the same run: same data, same settings
    assert stepper(at) is em
    assert heading(at) == "Iteration 2 · after M-step"
    assert not at.toast


def test_run_and_the_history_slider_work_here(page):
    page.button_group(key="speed").set_value("Instant").run()
    click(page, "Run")
    em = stepper(page)
    assert em.finished and button(page, "Run").disabled
    assert button(page, "Step").disabled  # as in the explorer once converged
    page.select_slider(key="history_view").set_value(2).run()
    assert heading(page).startswith("Viewing Iteration 1 · after M-step")
    traces = figures(page)["bound"]
    ring = traces[-1]
    assert ring["y"][0] == pytest.approx(em.history[2].elbo)  # the shown bound is ringed
    assert any("gap" in m.value and f"{em.history[2].kl:,.3f}" in m.value for m in page.markdown)
    click(page, "E-step")  # goes on from the half-step viewed
    assert len(em.history) == 4 and heading(page) == "Iteration 2 · after E-step"


def test_animated_run_steps_half_step_by_half_step(page):
    click(page, "Run")
    assert page.session_state["running"]
    assert heading(page) == "Iteration 1 · after E-step"


def test_stepping_here_moves_the_explorers_run(page):
    em = stepper(page)
    assert heading(page) == "Iteration 0 · initial parameters"
    click(page, "E-step")
    click(page, "Step", 2)
    assert stepper(page) is em and len(em.history) == 5
    assert heading(page) == "Iteration 2 · after M-step"
    traces = figures(page)["bound"]
    np.testing.assert_array_equal(traces[2]["y"], [r.log_likelihood for r in em.history])
    click(page, "Back")
    assert em.phase == "E" and heading(page) == "Iteration 2 · after E-step"
    open_page(page, "")
    assert "mixture" in figures(page)  # the explorer, showing the latest half-step
    assert heading(page) == "Iteration 2 · after E-step"
    assert stepper(page) is em


def test_the_words_give_the_gap(page):
    click(page, "Step")
    em = stepper(page)
    assert any(f"gap **{em.kl:,.3f}**" in m.value for m in page.markdown)
    click(page, "E-step")
    assert any("gap **0.000**" in m.value for m in page.markdown)


def test_the_e_step_equations_show_the_engines_numbers(page):
    click(page, "Step")
    page.number_input(key="bound_point").set_value(17).run()
    click(page, "E-step")
    em = stepper(page)
    (e_step, _) = latex(page)
    assert r"x_{17} &= \left(" in e_step
    for k in range(3):
        r = re.escape(_number(em.responsibilities[17, k]))
        assert re.search(rf"r_\{{17,{k + 1}\}} &= [^&]*= {r}( \\\\|\\end)", e_step)
        assert f"\\pi_{k + 1}\\,\\mathcal{{N}}(x_{{17}}" in e_step
        assert f"= {_number(em.weights[k])} \\times" in e_step


@pytest.mark.parametrize("component", [0, 2])
def test_the_m_step_equations_show_the_engines_numbers(page, component):
    click(page, "Step", 2)
    page.selectbox(key="bound_m_component").set_value(component).run()
    em = stepper(page)
    (_, m_step) = latex(page)
    k = component + 1
    assert f"\\pi_{k} &= N_{k} / N" in m_step
    assert f"= {_number(em.weights[component])}" in m_step
    numbers = [_number(v) for v in [*em.means[component], *em.covariances[component].ravel()]]
    shown = re.findall(r"\\begin\{pmatrix\} (.*?) \\end\{pmatrix\}", m_step)
    assert re.split(r" \\\\ | & ", shown[0]) == numbers[:2]
    assert re.split(r" \\\\ | & ", shown[1]) == numbers[2:]


def test_before_an_e_step_there_is_no_bound_and_no_m_step(page):
    assert len(latex(page)) == 1
    assert any("press E-step first" in info.value for info in page.info)
    assert any("There is no bound yet" in m.value for m in page.markdown)
    assert len(figures(page)["bound"][1]["y"]) == 0
    assert "bound_along" not in figures(page)


@pytest.mark.parametrize("algorithm", ["soft", "hard", "kmeans", "fixed-eps"])
def test_every_control_on_every_algorithm(algorithm):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.selectbox(key="algorithm").set_value(algorithm).run()
    open_page(at, "bound")
    click(at, "E-step")
    click(at, "Step")
    em = stepper(at)
    assert em.algorithm == algorithm
    for component in range(em.n_components):
        at.selectbox(key="bound_component").set_value(component).run()
        for parameter in at.selectbox(key="bound_parameter").options:
            at.selectbox(key="bound_parameter").set_value(parameter).run()
            assert not at.exception
        at.selectbox(key="bound_m_component").set_value(component).run()
    at.number_input(key="bound_point").set_value(len(em.X) - 1).run()
    click(at, "M-step")
    click(at, "Back")
    click(at, "Reset")
    assert not at.exception
    assert button(at, "Back").disabled
    click(at, "E-step")
    weight = "weight" in at.selectbox(key="bound_parameter").options
    assert weight == (algorithm in ("soft", "hard"))
