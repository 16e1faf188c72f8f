"""The explorer with hidden coordinates, driven through AppTest: the "Hide values"
control, the hollow points moving at each E-step, the fit on complete rows, an upload
with empty cells, and bad values said in words."""

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from test_app_compare import open_page
from test_app_explorer import APP, TIMEOUT, click, mixture, stepper, upload

from em_viz import GaussianMixtureEM
from em_viz.data import three_gaussians
from em_viz.data.missingness import Hiding, hide
from em_viz.figures.points import SYMBOL_CODES
from em_viz.ui import export
from em_viz.ui.run import RunView
from em_viz.ui.stepping import EXPLORER

HOLLOW, CIRCLE = SYMBOL_CODES["circle-open"], SYMBOL_CODES["circle"]


@pytest.fixture
def hidden() -> AppTest:
    """The first preset with 30% of its points missing x2 where x2 is large."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.slider(key="hiding:share").set_value(30.0).run()
    at.selectbox(key="hiding:mechanism").set_value("mnar").run()
    return at


def points(at: AppTest) -> dict:
    (trace,) = [t for t in mixture(at) if t.get("name") == "Data points"]
    return trace


def positions(at: AppTest) -> np.ndarray:
    trace = points(at)
    return np.column_stack([trace["x"], trace["y"]])


def test_hiding_runs_em_on_the_hidden_entries(hidden):
    assert not hidden.exception
    em = stepper(hidden)
    expected = hide(three_gaussians().X, Hiding(0.3, "mnar"))
    np.testing.assert_array_equal(em.missing_mask, np.isnan(expected))
    assert em.missing == "em" and em.missing_mask.sum() == 90
    assert hidden.query_params["hide"] == "30.0" and hidden.query_params["mech"] == "mnar"
    assert any("90 of the 300 points" in c.value for c in hidden.sidebar.caption)


def test_hollow_points_sit_at_the_expectation_and_move_at_each_e_step(hidden):
    em = stepper(hidden)
    rows = em.missing_mask.any(axis=1)
    click(hidden, "E-step")
    first = positions(hidden)
    symbols = np.asarray(points(hidden)["marker"]["symbol"])
    assert (symbols[rows] == HOLLOW).all() and (symbols[~rows] == CIRCLE).all()
    np.testing.assert_allclose(first, em.imputed_at(1)[0], atol=1e-6)
    (lines,) = [t for t in mixture(hidden) if t.get("name", "").startswith("± 1 sd")]
    assert np.isfinite(np.asarray(lines["y"], dtype=float)).sum() == 2 * rows.sum()
    click(hidden, "M-step")
    np.testing.assert_allclose(positions(hidden), first, atol=1e-6)  # an M-step moves none
    click(hidden, "E-step")
    second = positions(hidden)
    np.testing.assert_array_equal(second[~rows], first[~rows])
    assert np.abs(second[rows] - first[rows]).max() > 1e-3
    np.testing.assert_allclose(second, em.imputed_at(3)[0], atol=1e-6)
    captions = " ".join(c.value for c in hidden.caption)
    assert "hidden coordinate" in captions and "Mean of x2" in captions


def test_the_fit_on_complete_rows_is_drawn_dashed(hidden):
    click(hidden, "E-step")
    hidden.toggle(key="complete_rows").set_value(True).run()
    assert not hidden.exception
    ellipses, means = [t for t in mixture(hidden) if t.get("name") == "complete rows only"]
    assert ellipses["line"]["dash"] == "dash"
    em = stepper(hidden)
    reference = GaussianMixtureEM(
        em.X[~em.missing_mask.any(axis=1)], 3, init="k-means++", random_state=0
    )
    reference.run(1_000, past_saddle=True)
    np.testing.assert_allclose(np.column_stack([means["x"], means["y"]]), reference.means)


def test_not_at_random_leaves_a_bias_em_cannot_remove(hidden):
    em = stepper(hidden)
    em.run(500)
    truth = three_gaussians().X[:, 1].mean()
    fitted = em.params.weights @ em.means[:, 1]
    complete = em.X[~em.missing_mask.any(axis=1), 1].mean()
    assert complete < fitted < truth - 0.3  # EM lessens the bias, not remove it


def test_other_algorithms_say_they_need_complete_data(hidden):
    hidden.selectbox(key="algorithm").set_value("kmeans").run()
    assert not hidden.exception
    assert any("needs complete data" in w.value for w in hidden.warning)
    hidden.selectbox(key="algorithm").set_value("soft").run()
    assert not hidden.warning and stepper(hidden).missing == "em"


def test_nothing_hidden_is_the_complete_run():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    em = stepper(at)
    assert em.missing == "refuse" and not em.missing_mask.any()
    assert "hide" not in at.query_params
    assert all(t.key != "complete_rows" for t in at.toggle)


def test_the_link_restores_the_hiding():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"hide": "20.0", "mech": "mar", "hseed": "3"})
    at.run()
    em = stepper(at)
    expected = hide(three_gaussians().X, Hiding(0.2, "mar", seed=3))
    np.testing.assert_array_equal(em.missing_mask, np.isnan(expected))


@pytest.mark.parametrize(
    "params", [{"hide": "70"}, {"hide": "12"}, {"hide": "lots"}, {"mech": "sometimes"}]
)
def test_bad_hiding_values_in_a_link_are_said_and_left_out(params):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(params)
    at.run()
    assert not at.exception
    (name,) = params
    assert any(f"value for {name} was not understood" in t.value for t in at.toast)
    assert not stepper(at).missing_mask.any()


EMPTY_CELLS = b"a,b\n" + b"".join(
    f"{x:.3f},{'' if i % 5 == 0 else f'{y:.3f}'}\n".encode()
    for i, (x, y) in enumerate(three_gaussians(n_per_component=20).X)
)


def test_an_upload_with_empty_cells_offers_to_treat_them_as_missing():
    at = upload(AppTest.from_file(APP, default_timeout=TIMEOUT).run(), "gaps.csv", EMPTY_CELLS)
    assert stepper(at).X.shape == (48, 2)  # the rows with an empty cell left out
    assert any("left out" in i.value for i in at.info)
    at.checkbox(key="empty_as_missing").check().run()
    assert not at.exception
    em = stepper(at)
    assert em.X.shape == (60, 2) and em.missing_mask[:, 1].sum() == 12
    assert em.missing == "em"
    assert any("taken as a missing value" in i.value for i in at.info)
    click(at, "E-step")
    assert (np.asarray(points(at)["marker"]["symbol"]) == HOLLOW).sum() == 12


def test_an_upload_with_text_still_says_why():
    content = b"a,b\n1,2\n3,\n4,five\n"
    at = upload(AppTest.from_file(APP, default_timeout=TIMEOUT).run(), "text.csv", content)
    assert not at.exception
    assert any("holds text ('five' in row 4)" in e.value for e in at.error)


def test_why_em_works_writes_out_the_e_step_of_a_point_with_a_hidden_coordinate(hidden):
    em = stepper(hidden)
    click(hidden, "E-step")
    page = open_page(hidden, "bound")
    index = int(np.flatnonzero(em.missing_mask[:, 1])[0])
    page.number_input(key="bound_point").set_value(index).run()
    assert not page.exception
    (e_step, m_step) = [element.value for element in page.latex]
    assert "?" in e_step and r"\mathrm{E}[x_{" + f"{index},2}}" in e_step
    expected = em.imputed_at(1)[0][index, 1]
    assert f"{expected:.4g}" in e_step
    captions = " ".join(c.value for c in page.caption)
    assert "hidden coordinate" in captions and "conditional variance is added" in captions
    assert any("complete data only" in i.value for i in page.info)
    assert "nan" not in e_step + m_step


@pytest.mark.parametrize("shown", ["pairs", "pca"])
def test_four_features_with_hidden_values_are_drawn_at_their_expectation(shown):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"data": "Iris, four measurements", "hide": "20.0", "mech": "mcar"})
    at.run()
    click(at, "E-step")
    at.segmented_control(key="features_view").set_value(shown).run()
    assert not at.exception
    em = stepper(at)
    assert em.missing == "em" and em.missing_mask.sum() == 30
    assert any("drawn at EM's expectation" in c.value for c in at.caption)
    assert all(t.key != "complete_rows" for t in at.toggle)


def test_a_picture_file_draws_the_hidden_values_as_the_page_does(hidden, monkeypatch):
    click(hidden, "E-step")
    em = stepper(hidden)
    monkeypatch.setattr(
        export.st, "session_state", {EXPLORER.data: hidden.session_state[EXPLORER.data]}
    )
    view = RunView(em, 1, em.history[1], em.responsibilities, running=False)
    figure = export.mixture_frame(EXPLORER)(view)
    np.testing.assert_allclose(
        np.column_stack([figure.data[0].x, figure.data[0].y]), em.imputed_at(1)[0]
    )
    assert figure.data[1].name.startswith("± 1 sd")
