"""The words the pages show, through AppTest: toasts in the widgets' own names, captions
true to the algorithm, the digits demo's own help, one name per initialisation."""

import pytest
from streamlit.testing.v1 import AppTest
from test_app_compare import headings, open_page
from test_app_explorer import APP, TIMEOUT, button, click

from em_viz.ui.labels import INIT_NAMES, settings_change


@pytest.fixture
def app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=TIMEOUT).run()


def toasts(at: AppTest) -> list[str]:
    return [t.value for t in at.toast]


def captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


@pytest.mark.parametrize(
    ("key", "before", "after", "said"),
    [
        ("algorithm", "soft", "hard", "Algorithm EM (soft) → hard EM"),
        ("init", "k-means++", "random-points", "Initialisation k-means++ → random points"),
        ("n_components", 3, 4, "Components K 3 → 4"),
    ],
)
def test_a_new_run_is_announced_in_the_widgets_words(app, key, before, after, said):
    widget = app.number_input(key=key) if key == "n_components" else app.selectbox(key=key)
    assert widget.value == before
    widget.set_value(after).run()
    (toast,) = toasts(app)
    assert toast.startswith(said + ":")
    assert "_" not in toast and "soft →" not in toast


def test_settings_change_names_every_change_in_display_words():
    said = settings_change(
        {"algorithm": "kmeans", "epsilon": 1.0, "init": "kmeans"},
        {"algorithm": "fixed-eps", "epsilon": 0.1, "init": "kmeans"},
    )
    assert said == "Algorithm k-means → EM with fixed εI, ε 1 → 0.1"
    assert settings_change({"tol": 1e-4}, {"tol": 1e-4}) == ""


def test_placing_means_is_announced_once_when_the_run_starts(app):
    app.number_input(key="n_components").set_value(2).run()
    app.selectbox(key="init").set_value("click on the plot").run()
    assert toasts(app) == []  # the heading asks for the first mean instead
    app.session_state["clicked_means"] = [[0.0, 0.0]]
    app.run()
    assert toasts(app) == []
    app.session_state["clicked_means"] = [[0.0, 0.0], [5.0, 5.0]]
    app.run()
    assert toasts(app) == ["Initial means placed: a new run starts from them."]


def test_fixed_epsilon_says_only_the_means_move(app):
    app.selectbox(key="algorithm").set_value("fixed-eps").run()
    click(app, "Step")
    said = captions(app)
    assert "M-step: each mean moved" in said and "stay ε·I" in said
    assert "mean and covariance" not in said


def test_soft_em_still_says_mean_and_covariance(app):
    click(app, "Step")
    assert "mean and covariance of all points" in captions(app)


def test_one_name_for_each_initialisation_in_menu_and_headings(app):
    menu = app.selectbox(key="init")
    assert list(menu.options) == [INIT_NAMES[value] for value in INIT_NAMES]
    assert "random-points" not in menu.options
    open_page(app, "compare")
    app.selectbox(key="compare_1_init").set_value("random-points").run()
    assert "random points" in headings(app)[1]


def test_the_digits_demo_words_its_own_steps_and_starts(app):
    open_page(app, "bernoulli")
    app.button_group(key="demo").set_value("Binarised digits").run()
    m_step = button(app, "M-step").help
    assert "prototype" in m_step and "pixel" in m_step
    assert "heads" not in m_step and "toss" not in m_step
    starts = app.selectbox(key="digits_init")
    assert starts.value == "random"
    assert "random pixel probabilities" in starts.options
    assert "random" not in starts.options  # never the bare word
