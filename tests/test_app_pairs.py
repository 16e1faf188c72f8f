"""The explorer on data with more than two features, driven through Streamlit's AppTest:
the pairs grid and the principal-components view, read back from the figures sent to the
browser, with the step controls, the history and the curve working as in two dimensions."""

import json

import numpy as np
import pytest
from plotly_json import shown_colours
from streamlit.testing.v1 import AppTest
from test_app_compare import open_page
from test_app_explorer import (
    APP,
    TIMEOUT,
    button,
    click,
    curve,
    figures,
    heading,
    player,
    slide,
    stepper,
)

from em_viz.data import IRIS_FEATURES, WINE_FEATURES, iris_measurements, wine
from em_viz.engine.projection import marginal, principal_components
from em_viz.figures.pairs import MAX_GRID_FEATURES

IRIS4 = "Iris, four measurements"
VIEW = "features_view"


@pytest.fixture
def iris4() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.selectbox(key="preset").set_value(IRIS4).run()
    assert not at.exception
    return at


def shown(at: AppTest) -> list[dict]:
    (traces,) = [v for k, v in figures(at).items() if k.endswith("mixture")]
    return traces


def of_kind(traces: list[dict], name: str) -> list[dict]:
    return [t for t in traces if t.get("name") == name]


def cell_features(traces: list[dict], X: np.ndarray) -> dict[tuple, tuple[int, int]]:
    """Each cell's axes -> (x feature, y feature), found from its points."""
    found = {}
    for trace in of_kind(traces, "Data points"):
        x, y = np.asarray(trace["x"]), np.asarray(trace["y"])
        (fx,) = [j for j in range(X.shape[1]) if np.array_equal(X[:, j], x)]
        (fy,) = [j for j in range(X.shape[1]) if np.array_equal(X[:, j], y)]
        found[(trace.get("xaxis", "x"), trace.get("yaxis", "y"))] = (fx, fy)
    return found


def signature(traces: list[dict]) -> list[tuple]:
    return [(t["type"], t.get("name"), t.get("xaxis"), t.get("yaxis")) for t in traces]


def choosers(at: AppTest) -> list:
    """The picker of the features the grid shows, if the page has one."""
    return [m for m in at.multiselect if m.key and m.key.startswith("features_shown")]


def colours(trace: dict) -> np.ndarray:
    return shown_colours(trace["marker"]["color"], trace["marker"]["colorscale"])


def test_iris_in_four_dimensions_fits_all_four_and_draws_the_pairs_grid(iris4):
    em = stepper(iris4)
    assert em.X.shape == (150, 4)
    np.testing.assert_array_equal(em.X, iris_measurements().X)
    traces = shown(iris4)
    assert (
        len([t for t in traces if t.get("name") == "histogram"]) == 4
    )  # one histogram per feature
    cells = cell_features(traces, em.X)
    assert sorted(cells.values()) == sorted((c, r) for r in range(4) for c in range(r))
    assert iris4.segmented_control(key=VIEW).value == "pairs"
    assert not choosers(iris4)
    assert heading(iris4) == "Iteration 0 · initial parameters"
    columns = list(iris4.dataframe[0].value.columns)
    assert [f"mean {name}" in columns for name in IRIS_FEATURES] == [True] * 4


def test_steps_change_colours_then_ellipses_with_the_same_traces_and_exact_marginals(iris4):
    before = shown(iris4)
    click(iris4, "E-step")
    after_e = shown(iris4)
    assert signature(after_e) == signature(before)
    points_before, points_after = of_kind(before, "Data points"), of_kind(after_e, "Data points")
    assert len(np.unique(colours(points_after[0]), axis=0)) > 3
    assert len(np.unique(colours(points_before[0]), axis=0)) == 1  # grey before any E-step
    halo = [t["x"] for t in of_kind(after_e, "halo")]
    np.testing.assert_array_equal(halo, [t["x"] for t in of_kind(before, "halo")])
    click(iris4, "M-step")
    after_m = shown(iris4)
    assert signature(after_m) == signature(before)
    assert not np.array_equal(of_kind(after_m, "halo")[0]["x"], halo[0])
    em = stepper(iris4)
    cells = cell_features(after_m, em.X)
    for trace in of_kind(after_m, "means"):
        fx, fy = cells[(trace.get("xaxis", "x"), trace.get("yaxis", "y"))]
        means, _ = marginal(em.means, em.covariances, [fx, fy])
        np.testing.assert_allclose(np.column_stack([trace["x"], trace["y"]]), means)
    line = curve(iris4)[0]
    np.testing.assert_allclose(line["y"], [r.log_likelihood for r in em.history])


def test_the_history_slider_and_back_redraw_an_earlier_half_step(iris4):
    click(iris4, "Step", 3)
    em = stepper(iris4)
    slide(iris4, 2)  # where the browser's slider stopped: the page draws that half-step
    assert heading(iris4).startswith("Viewing Iteration 1 · after M-step")
    first_means = of_kind(shown(iris4), "means")[0]
    cells = cell_features(shown(iris4), em.X)
    fx, fy = cells[(first_means.get("xaxis", "x"), first_means.get("yaxis", "y"))]
    np.testing.assert_allclose(first_means["x"], em.history[2].means[:, fx])
    np.testing.assert_allclose(first_means["y"], em.history[2].means[:, fy])
    click(iris4, "Back")
    assert not iris4.exception


def test_the_principal_components_view_projects_points_and_gaussians(iris4):
    click(iris4, "Step", 2)
    iris4.segmented_control(key=VIEW).set_value("pca").run()
    assert not iris4.exception
    traces = shown(iris4)
    em = stepper(iris4)
    projection = principal_components(em.X)
    (points,) = of_kind(traces, "Data points")
    np.testing.assert_allclose(
        np.column_stack([points["x"], points["y"]]), projection.points(em.X), atol=1e-9
    )
    means, _ = projection.gaussians(em.means, em.covariances)
    shown_means = [(t["x"][0], t["y"][0]) for t in traces if t.get("mode") == "markers+text"]
    np.testing.assert_allclose(shown_means, means, atol=1e-9)
    assert any("principal components" in c.value.lower() for c in iris4.caption)
    click(iris4, "Step")
    assert heading(iris4) == "Iteration 3 · after M-step"
    assert signature(shown(iris4)) == signature(traces)
    iris4.segmented_control(key=VIEW).set_value("pairs").run()
    assert len([t for t in shown(iris4) if t.get("name") == "histogram"]) == 4


def test_an_instant_run_converges_in_four_dimensions(iris4):
    iris4.button_group(key="speed").set_value("Instant").run()
    click(iris4, "Run")
    assert not iris4.exception
    assert stepper(iris4).converged
    assert button(iris4, "Run").disabled


def test_wine_offers_the_features_to_show_five_at_most():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.selectbox(key="preset").set_value("Wine").run()
    assert not at.exception
    assert stepper(at).X.shape == (178, 13)
    (chooser,) = choosers(at)
    assert chooser.value == list(WINE_FEATURES[:MAX_GRID_FEATURES])
    chooser.set_value(["proline", "flavonoids", "colour intensity"]).run()
    assert not at.exception
    cells = cell_features(shown(at), wine().X)
    assert sorted(cells.values()) == [(6, 9), (12, 6), (12, 9)]
    choosers(at)[0].set_value([]).run()
    assert not at.exception
    assert any("at least one" in info.value for info in at.info)
    at.segmented_control(key=VIEW).set_value("pca").run()
    assert not choosers(at)
    assert of_kind(shown(at), "Data points")


def test_two_feature_data_keeps_the_one_picture():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not [s for s in at.segmented_control if s.key == VIEW]
    at.selectbox(key="preset").set_value(IRIS4).run()
    assert [s for s in at.segmented_control if s.key == VIEW]
    at.selectbox(key="preset").set_value("Iris").run()
    assert not at.exception
    assert not [s for s in at.segmented_control if s.key == VIEW]
    assert len(of_kind(shown(at), "Data points")) == 1


@pytest.mark.parametrize("url_path", ["compare", "bound", "choose-k"])
def test_the_other_pages_on_the_data_panel_take_four_dimensions(iris4, url_path):
    click(iris4, "Step")
    open_page(iris4, url_path)
    assert not iris4.exception
    if url_path == "compare":
        panels = [v for k, v in figures(iris4).items() if "compare_mixture" in k]
        assert len(panels) == 2
        for traces in panels:
            (points,) = of_kind(traces, "Data points")
            np.testing.assert_allclose(
                np.column_stack([points["x"], points["y"]]),
                principal_components(iris_measurements().X).points(iris_measurements().X),
                atol=1e-9,
            )
    open_page(iris4, "")
    assert not iris4.exception
    assert stepper(iris4).X.shape == (150, 4)


def test_placing_means_by_clicking_is_offered_on_two_features_only():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert "click on the plot" in at.selectbox(key="init").options
    at.selectbox(key="init").set_value("click on the plot").run()
    at.selectbox(key="preset").set_value(IRIS4).run()
    assert not at.exception
    assert "click on the plot" not in at.selectbox(key="init").options
    assert at.selectbox(key="init").value != "click on the plot"
    assert stepper(at).X.shape == (150, 4)
    assert len([t for t in shown(at) if t.get("name") == "histogram"]) == 4


def test_a_link_opens_the_wine_data_with_its_settings():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"data": "Wine", "k": "3", "cov": "diag"})
    at.run()
    assert not at.exception
    em = stepper(at)
    assert (em.n_components, em.covariance_type) == (3, "diag")
    np.testing.assert_array_equal(em.X, wine().X)
    assert at.query_params["data"] == "Wine"


def mixture_frames(at: AppTest) -> dict:
    """The frames the explorer's picture sends to the browser, with its timeline."""
    (payload,) = [
        json.loads(e.proto.json)
        for e in at.get("bidi_component")
        if e.proto.id.endswith("mixture") and "figure" in json.loads(e.proto.json)
    ]
    return payload


@pytest.mark.parametrize("view", ["pairs", "pca"])
def test_the_views_of_four_features_are_played_in_the_browser_with_a_frame_per_half_step(
    iris4, view
):
    iris4.segmented_control(key=VIEW).set_value(view).run()
    click(iris4, "Step", 2)
    payload = mixture_frames(iris4)
    frames = payload["frames"]
    em = stepper(iris4)
    assert payload["timeline"] == player(iris4, "slider")["timeline"]
    # The browser has the frames from before the steps: only the new half-steps' patches,
    # and those of the next Step, made ahead.
    assert frames["start"] + len(frames["patches"]) == len(em.history) + 2 == 7
    assert frames["start"] > 0 and payload["position"] == 4
    iris4.button_group(key="speed").set_value("12 / s").run()
    click(iris4, "Run")
    played, frames = player(iris4, "slider"), mixture_frames(iris4)["frames"]
    assert played["playing"] and played["speed"] == 12.0
    assert frames["start"] + len(frames["patches"]) == len(stepper(iris4).history)
    assert len(played["labels"]) == len(stepper(iris4).history) > 5
    iris4.segmented_control(key=VIEW).set_value("pairs" if view == "pca" else "pca").run()
    frames = mixture_frames(iris4)["frames"]  # another view: every frame anew
    assert frames["start"] == 0 and len(frames["patches"]) == len(stepper(iris4).history)


def test_four_features_with_hidden_coordinates_are_played_at_their_expectations(iris4):
    iris4.slider(key="hiding:share").set_value(30.0).run()
    assert not iris4.exception
    click(iris4, "Step", 2)
    em = stepper(iris4)
    assert np.isnan(em.X).any()
    frames = mixture_frames(iris4)["frames"]
    assert frames["start"] + len(frames["patches"]) == len(em.history) + 2  # 2 made ahead
    pairs = sorted((c, r) for r in range(4) for c in range(r))
    for index in (4, 1):  # the latest half-step, then one the slider goes back to
        slide(iris4, index)
        assert not iris4.exception
        assert sorted(cell_features(shown(iris4), em.imputed_at(index)[0]).values()) == pairs
    assert not np.allclose(em.imputed_at(4)[0], em.imputed_at(1)[0])  # the points moved
