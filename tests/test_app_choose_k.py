"""The page "How many components?" through Streamlit's AppTest: the sweep, its table and
chosen model, degenerate fits in words, bad settings, and the way to the explorer."""

import pytest
from streamlit.testing.v1 import AppTest
from test_app_compare import APP, TIMEOUT, open_page
from test_app_explorer import click, figures

from em_viz import bic_table
from em_viz.data import old_faithful
from em_viz.engine.selection import SWEEP_TOL, best_model

SWEEP_TIMEOUT = 120


@pytest.fixture
def page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at = open_page(at, "choose-k")
    at.selectbox(key="preset").set_value("Old Faithful").run()
    return at


def sweep(at: AppTest) -> AppTest:
    at.default_timeout = SWEEP_TIMEOUT
    return click(at, "Run the sweep")


def shown(at: AppTest):
    return next(d.value for d in at.dataframe if "BIC" in d.value.columns)


def sentence(at: AppTest) -> str:
    return next(m.value for m in at.markdown if "the chosen model is" in m.value)


def test_before_the_sweep_the_page_says_what_to_do(page):
    assert not page.exception
    assert any("Run the sweep" in i.value for i in page.info)
    assert not page.dataframe


def test_the_sweep_shows_the_table_figure_and_chosen_model(page):
    page.pills(key="choose_k_types").set_value(["tied", "full"]).run()
    page.slider(key="choose_k_k").set_value((1, 4)).run()
    sweep(page)
    assert not page.exception
    expected = bic_table(old_faithful().X, range(1, 5), ("tied", "full"))
    table = shown(page)
    assert len(table) == len(expected) == 8
    assert list(table["model"].unique()) == ["tied (EEE)", "full (VVV)"]
    assert table["BIC"].tolist() == pytest.approx(expected["bic"].tolist(), rel=1e-12)
    chosen = best_model(expected, "bic")
    assert table["chosen"].sum() == 1
    assert table.loc[table["chosen"], "K"].item() == chosen["n_components"] == 3
    assert "**tied (EEE) with K = 3**: BIC 2,314.30" in sentence(page)
    traces = figures(page)["choose_k_plot"]
    assert [t["name"] for t in traces[:2]] == ["tied (EEE)", "full (VVV)"]
    assert list(traces[2]["x"]) == [3]
    assert any("minus twice the log-likelihood" in c.value for c in page.caption)


def test_changing_the_criterion_rechooses_from_the_same_table(page):
    page.pills(key="choose_k_types").set_value(["full"]).run()
    page.slider(key="choose_k_k").set_value((1, 5)).run()
    sweep(page)
    table_before = page.session_state["choose_k_result"]["table"]
    page.segmented_control(key="choose_k_criterion").set_value("aic").run()
    assert page.session_state["choose_k_result"]["table"] is table_before
    chosen = best_model(table_before, "aic")
    assert f"By AIC, the chosen model is **full (VVV) with K = {chosen['n_components']}**" in (
        sentence(page)
    )
    traces = figures(page)["choose_k_plot"]
    assert traces[0]["y"][0] == pytest.approx(table_before["aic"].iloc[0])


def test_degenerate_fits_are_explained_and_left_out(page):
    page.pills(key="choose_k_types").set_value(["diag"]).run()
    page.slider(key="choose_k_k").set_value((4, 6)).run()
    sweep(page)
    assert not page.exception
    table = shown(page)
    assert table["degenerate"].tolist() == [False, True, False]
    explained = next(m.value for m in page.markdown if "degenerate fit" in m.value)
    assert "**1 degenerate fit.**" in explained
    assert "**diag (VVI) with K = 5**: Component" in explained and "collapsed" in explained
    assert "is degenerate and left out" in sentence(page)
    assert not table.loc[table["chosen"], "degenerate"].item()
    symbols = figures(page)["choose_k_plot"][0]["marker"]["symbol"]
    assert list(symbols) == ["square", "square-open", "square"]


def test_a_k_range_too_big_for_the_data_is_refused_in_words(page):
    page.selectbox(key="preset").set_value("Two uniform squares").run()
    page.number_input(key="Two uniform squares:n_samples").set_value(10).run()
    page.slider(key="choose_k_k").set_value((1, 15)).run()
    sweep(page)
    assert not page.exception
    (error,) = page.error
    assert "n_components=11 is more than the 10 data points" in error.value
    assert "choose_k_result" not in page.session_state
    assert not page.dataframe


def test_a_bad_sweep_after_a_good_one_keeps_the_table_shown(page):
    page.pills(key="choose_k_types").set_value(["tied"]).run()
    page.slider(key="choose_k_k").set_value((1, 2)).run()
    sweep(page)
    before = page.session_state["choose_k_result"]
    page.pills(key="choose_k_types").set_value([]).run()
    sweep(page)
    assert not page.exception
    (error,) = page.error
    assert "Give at least one covariance type" in error.value
    assert "The table already shown stays." in error.value
    assert page.session_state["choose_k_result"] is before
    assert len(shown(page)) == 2


def test_settings_changed_after_the_sweep_are_noted(page):
    page.pills(key="choose_k_types").set_value(["tied"]).run()
    page.slider(key="choose_k_k").set_value((1, 3)).run()
    sweep(page)
    page.number_input(key="choose_k_n_init").set_value(2).run()
    assert any("settings changed since this sweep" in c.value for c in page.caption)
    assert len(shown(page)) == 3


def test_open_in_explorer_starts_the_chosen_models_best_start(page):
    page.pills(key="choose_k_types").set_value(["tied"]).run()
    page.slider(key="choose_k_k").set_value((2, 3)).run()
    sweep(page)
    row = best_model(page.session_state["choose_k_result"]["table"])
    click(page, "Open in explorer")
    assert not page.exception
    em = page.session_state["em"]
    assert page.session_state["run_dataset"].name == "Old Faithful"
    assert (em.n_components, em.covariance_type, em.init) == (3, "tied", "kmeans")
    assert em.tol == SWEEP_TOL
    em.run(2000)
    assert em.log_likelihood == pytest.approx(row["log_likelihood"], rel=1e-12)


def test_held_out_likelihood_chooses_only_after_a_cross_validated_sweep(page):
    page.pills(key="choose_k_types").set_value(["diag"]).run()
    page.slider(key="choose_k_k").set_value((4, 5)).run()
    sweep(page)
    page.segmented_control(key="choose_k_criterion").set_value("cv").run()
    assert not page.exception
    assert any("did not cross-validate" in i.value for i in page.info)
    assert "By BIC" in sentence(page)
    page.toggle(key="choose_k_cv").set_value(True).run()
    sweep(page)
    assert not page.exception
    expected = bic_table(old_faithful().X, [4, 5], ("diag",), cv_folds=5)
    table = shown(page)
    assert table["held-out (CV)"].tolist() == pytest.approx(expected["cv"].tolist(), rel=1e-12)
    assert "By held-out (CV), the chosen model is **diag (VVI) with K = 4**" in sentence(page)
    assert not any("did not cross-validate" in i.value for i in page.info)
