"""The explorer page driven through Streamlit's AppTest: every control, read back from
the page's text and from the figures it sends to the browser."""

import copy
import json
from pathlib import Path

import numpy as np
import pytest
from plotly_json import figure_data, shown_colours
from streamlit.testing.v1 import AppTest

from em_viz import data
from em_viz.data import PRESETS, old_faithful, three_gaussians
from em_viz.engine.gaussian_em import GaussianMixtureEM
from em_viz.ui import sidebar

TIMEOUT = 60
APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=TIMEOUT).run()


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def click(at: AppTest, label: str, times: int = 1) -> AppTest:
    for _ in range(times):
        button(at, label).click().run()
    return at


def heading(at: AppTest) -> str:
    """The page's heading: a run the browser plays has it as a line per frame, shown at
    the server's half-step (as the browser draws it); others as Markdown."""
    for element in at.get("bidi_component"):
        payload = json.loads(element.proto.json)
        if payload.get("role") == "text" and payload["style"] == "heading":
            texts, position = payload["texts"], payload["position"]
            if payload["viewing"] and position < len(texts) - 1:
                return payload["viewing"].format(shown=texts[position], latest=texts[-1])
            return texts[position]
    return next(m.value for m in at.markdown if m.value.startswith("### ")).removeprefix("### ")


def player(at: AppTest, role: str) -> dict:
    """What the browser's player gets: the history slider's ("slider") or the heading's
    ("text") data."""
    payloads = [json.loads(e.proto.json) for e in at.get("bidi_component")]
    (payload,) = [p for p in payloads if p.get("role") == role and p.get("style", "") != "caption"]
    return payload


def slide(at: AppTest, index: int) -> AppTest:
    """Move the history slider to ``index``, as the browser reports it when let go."""
    at.session_state["history_view"] = index
    return at.run()


def figures(at: AppTest) -> dict[str, list[dict]]:
    """The figures sent to the in-place Plotly view, by key, as decoded trace lists."""
    shown = {}
    for element in at.get("bidi_component"):
        payload = json.loads(element.proto.json)
        if "figure" not in payload:
            continue  # the step keys' listener
        key = element.proto.id.rsplit("-", 1)[-1]
        shown[key] = figure_data(payload["figure"])
    return shown


def mixture(at: AppTest) -> list[dict]:
    (traces,) = [v for k, v in figures(at).items() if "mixture" in k]
    return traces


def curve(at: AppTest) -> list[dict]:
    (traces,) = [v for k, v in figures(at).items() if "log_likelihood" in k]
    return traces


def point_colours(at: AppTest) -> np.ndarray:
    marker = mixture(at)[0]["marker"]
    return shown_colours(marker["color"], marker["colorscale"])


def ellipses(at: AppTest) -> list[np.ndarray]:
    return [np.asarray(t["x"], dtype=float) for t in mixture(at)[1:]]


def stepper(at: AppTest) -> GaussianMixtureEM:
    return at.session_state["em"]


def test_the_page_opens_on_three_gaussians_with_a_fresh_run(app):
    assert not app.exception
    assert heading(app) == "Iteration 0 · initial parameters"
    traces = mixture(app)
    np.testing.assert_array_equal(traces[0]["x"], three_gaussians().X[:, 0])
    assert len(traces) == 2 + 3 * 3 + 3  # points, halo, three per component, the key
    assert len(np.unique(point_colours(app), axis=0)) == 1  # grey before any E-step
    assert button(app, "Back").disabled and button(app, "Reset").disabled


def test_e_step_changes_only_the_colours_and_m_step_only_the_ellipses(app):
    shapes = ellipses(app)
    click(app, "E-step")
    assert heading(app) == "Iteration 1 · after E-step"
    colours = point_colours(app)
    assert len(np.unique(colours, axis=0)) > 3
    for before, after in zip(shapes, ellipses(app), strict=True):
        np.testing.assert_array_equal(before, after)
    click(app, "M-step")
    assert heading(app) == "Iteration 1 · after M-step"
    np.testing.assert_array_equal(colours, point_colours(app))
    assert not np.array_equal(shapes[1], ellipses(app)[1])
    hover = mixture(app)[0]["customdata"]
    np.testing.assert_allclose(hover[:, 1:], stepper(app).responsibilities, atol=1e-6)


def test_five_steps_give_a_rising_curve_with_every_half_step(app):
    click(app, "Step", 5)
    assert heading(app) == "Iteration 5 · after M-step"
    line = curve(app)[0]
    assert len(line["y"]) == 11
    assert np.all(np.diff(line["y"]) >= 0)
    np.testing.assert_allclose(line["y"], [r.log_likelihood for r in stepper(app).history])


def test_back_walks_to_the_start_and_reset_returns_there(app):
    start = stepper(app).means.copy()
    click(app, "Step", 2)
    click(app, "Back")
    assert heading(app) == "Iteration 2 · after E-step"
    click(app, "Back", 3)
    assert heading(app) == "Iteration 0 · initial parameters"
    assert button(app, "Back").disabled
    np.testing.assert_array_equal(stepper(app).means, start)
    click(app, "Step", 3)
    click(app, "Reset")
    assert heading(app) == "Iteration 0 · initial parameters"
    assert len(stepper(app).history) == 1


def test_history_slider_shows_a_past_half_step_without_recomputing(app):
    click(app, "Step", 3)
    em = stepper(app)
    history = list(em.history)
    slide(app, 2)
    assert heading(app) == (
        "Viewing Iteration 1 · after M-step (latest: Iteration 3 · after M-step)"
    )
    assert stepper(app).history == history  # the run itself is untouched
    means_shown = [t["x"][0] for t in mixture(app) if t.get("text")]
    np.testing.assert_allclose(means_shown, history[2].means[:, 0])
    ring = curve(app)[-1]
    assert ring["y"][0] == pytest.approx(history[2].log_likelihood)


def test_instant_run_converges_and_says_so(app):
    app.button_group(key="speed").set_value("Instant").run()
    click(app, "Run")
    em = stepper(app)
    assert em.converged
    assert any(f"Converged after {em.n_iter} iterations" in s.value for s in app.success)
    assert button(app, "Run").disabled


def test_run_computes_ahead_and_the_browser_plays_it_from_the_half_step_shown(app):
    click(app, "Step")
    click(app, "Run")
    em = stepper(app)
    assert app.session_state["running"] and button(app, "Stop")
    assert em.finished  # computed to convergence, for the browser to play
    played = player(app, "slider")
    assert played["playing"] and played["position"] == 2
    assert played["speed"] == 3.0  # half-steps per second, as the speed says
    assert len(played["labels"]) == len(em.history)
    click(app, "Stop")
    assert not app.session_state["running"]
    assert not player(app, "slider")["playing"]  # the browser stops where it is


def test_k_means_runs_in_the_explorer_with_its_own_objective(app):
    app.selectbox(key="algorithm").set_value("kmeans").run()
    assert stepper(app).algorithm == "kmeans"
    click(app, "Step")
    line = curve(app)[0]
    np.testing.assert_allclose(line["y"], [r.objective for r in stepper(app).history])
    assert np.all(np.diff(line["y"]) >= 0)
    assert "points it now owns" in " ".join(c.value for c in app.caption)
    click(app, "E-step")
    assert "nearest centre" in " ".join(c.value for c in app.caption)
    responsibilities = mixture(app)[0]["customdata"][:, 1:]
    assert set(np.unique(responsibilities)) == {0.0, 1.0}


def test_fixed_epsilon_offers_its_slider_and_uses_it(app):
    assert not [w for w in app.sidebar if getattr(w, "key", None) == "epsilon"]
    app.selectbox(key="algorithm").set_value("fixed-eps").run()
    app.select_slider(key="epsilon").set_value(0.1).run()
    em = stepper(app)
    assert (em.algorithm, em.epsilon) == ("fixed-eps", 0.1)
    np.testing.assert_allclose(em.covariances, np.broadcast_to(0.1 * np.eye(2), (3, 2, 2)))


def test_changing_k_starts_a_new_run_and_says_so(app):
    click(app, "Step", 2)
    app.number_input(key="n_components").set_value(4).run()
    assert heading(app) == "Iteration 0 · initial parameters"
    assert stepper(app).n_components == 4
    assert any("Components K 3 → 4" in t.value for t in app.toast)
    assert len(mixture(app)) == 2 + 3 * 4 + 3


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("covariance_type", "diag"),
        ("init", "kmeans"),
        ("random_state", 7),
        ("reg_covar", 1e-3),
        ("tol", 1e-2),
    ],
)
def test_every_model_setting_starts_a_new_run(app, key, value):
    click(app, "Step")
    widget = next(w for w in app.sidebar if getattr(w, "key", None) == key)
    widget.set_value(value).run()
    assert not app.exception
    assert len(stepper(app).history) == 1
    assert app.session_state["run_key"]["model"][key] == value


def test_impossible_k_keeps_the_previous_run(app):
    app.number_input(key="Three Gaussians:n_per_component").set_value(5).run()
    click(app, "Step", 2)
    app.number_input(key="n_components").set_value(16).run()
    assert not app.exception
    assert any(
        "more than the 15" in e.value and "previous run is kept" in e.value for e in app.error
    )
    assert stepper(app).n_iter == 2
    assert heading(app) == "Iteration 2 · after M-step"


@pytest.mark.parametrize("preset", list(PRESETS))
def test_every_preset_loads_and_runs(app, preset):
    app.selectbox(key="preset").set_value(preset).run()
    assert not app.exception
    assert np.array_equal(stepper(app).X, app.session_state["run_dataset"].X)
    app.button_group(key="speed").set_value("Instant").run()
    click(app, "Run")
    assert not app.exception
    assert stepper(app).n_iter > 0


def test_preset_knobs_change_the_data(app):
    before = stepper(app).X.copy()
    app.number_input(key="Three Gaussians:seed").set_value(3).run()
    after = stepper(app).X
    assert after.shape == before.shape and not np.array_equal(after, before)
    app.slider(key="Three Gaussians:spread").set_value(2.0).run()
    assert stepper(app).X.std() > after.std()


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.radio(key="source").set_value("Upload CSV").run()
    at.sidebar.get("file_uploader")[0].set_value((name, content, "text/csv")).run()
    return at


def test_upload_a_csv_and_pick_its_columns(app):
    rows = "\n".join(f"{e},{w},{i}" for i, (e, w) in enumerate(old_faithful().X))
    upload(app, "faithful.csv", f"eruptions,waiting,index\n{rows}\n".encode())
    assert not app.exception
    np.testing.assert_array_equal(stepper(app).X, old_faithful().X)
    app.selectbox(key="column_y").set_value("index").run()
    np.testing.assert_array_equal(stepper(app).X[:, 1], np.arange(272))


def test_more_columns_of_an_upload_are_fitted_and_drawn_in_pairs(app):
    rows = "\n".join(f"{e},{w},{i % 7}" for i, (e, w) in enumerate(old_faithful().X))
    upload(app, "faithful.csv", f"eruptions,waiting,weekday\n{rows}\n".encode())
    assert app.multiselect(key="columns_more").options == ["weekday"]
    app.multiselect(key="columns_more").set_value(["weekday"]).run()
    assert not app.exception
    X = stepper(app).X
    assert X.shape == (272, 3)
    np.testing.assert_array_equal(X[:, :2], old_faithful().X)
    np.testing.assert_array_equal(X[:, 2], np.arange(272) % 7)
    assert stepper(app).means.shape == (stepper(app).n_components, 3)
    # Data above two dimensions is drawn in pairs, with a switch to principal components.
    assert app.button_group(key="features_view").value == "pairs"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty"),
        (b"a,b\n1,2\n3,4,5\n", "Line 3"),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "does not look like a CSV"),
        (b"x,y\n1,2\n", "at least two points"),
        (b"x,y\n1,5\n2,5\n3,5\n", "nothing to model"),
        (b"x,name\n1,a\n2,b\n", "holds text"),
        pytest.param(
            b",".join(b"c%d" % i for i in range(100_000)) + b"\n" + b"1," * 99_999 + b"1\n",
            "This file has 100,000 columns",
            id="100,000 columns",
        ),
        pytest.param(
            b"x,y\n" + b"\n" * 300_000 + b"1,2\n3,4\n",
            "blank lines count as rows",
            id="blank lines",
        ),
        (b"x ,x,y\n1,2,3\n4,5,6\n", "both named 'x'"),
    ],
)
def test_a_bad_upload_says_why_and_keeps_the_data(app, content, words):
    click(app, "Step", 2)
    before = stepper(app)
    upload(app, "bad.csv", content)
    assert not app.exception
    messages = " ".join(e.value for e in app.error)
    assert words in messages and "already loaded stays" in messages
    assert stepper(app) is before
    np.testing.assert_array_equal(mixture(app)[0]["x"], three_gaussians().X[:, 0])
    assert heading(app) == "Iteration 2 · after M-step"


def test_the_columns_of_an_upload_are_checked_once_not_on_every_rerun(app, monkeypatch):
    checked = []

    def numeric_columns(table):
        checked.append(list(table.columns))
        return data.numeric_columns(table)

    monkeypatch.setattr(sidebar, "numeric_columns", numeric_columns)
    upload(app, "once.csv", b"checked,once,label\n1,2,a\n3,5,b\n4,4,c\n")
    click(app, "Step", 3)
    assert not app.exception
    assert checked == [["checked", "once", "label"]]
    assert [s.options for s in app.selectbox if s.key in ("column_x", "column_y")] == [
        ["checked", "once"]
    ] * 2


def test_a_collapsing_component_is_explained_in_words(app):
    rng = np.random.default_rng(0)
    points = np.vstack([rng.normal(size=(40, 2)), np.full((6, 2), 6.0)])
    csv = "x,y\n" + "\n".join(f"{x},{y}" for x, y in points)
    upload(app, "collapse.csv", csv.encode())
    app.number_input(key="n_components").set_value(2).run()
    app.selectbox(key="init").set_value("kmeans").run()
    for _ in range(3):
        if not button(app, "Step").disabled:  # disabled once the run has converged
            click(app, "Step")
    warnings = " ".join(w.value for w in app.warning)
    assert "collapsed onto a single point" in warnings
    assert "NaN" not in " ".join(m.value for m in app.markdown)


def test_manual_init_waits_for_k_clicks_then_starts_from_them(app):
    app.selectbox(key="init").set_value("click on the plot").run()
    assert heading(app) == "Click on the plot to place mean 1 of 3"
    assert "em" not in app.session_state or app.session_state["em"] is None
    app.session_state["clicked_means"] = [[0.0, 0.0], [5.0, 5.0]]
    app.run()
    assert heading(app) == "Click on the plot to place mean 3 of 3"
    placed = figures(app)
    (traces,) = placed.values()
    np.testing.assert_array_equal(traces[-1]["x"], [0.0, 5.0])
    app.session_state["clicked_means"] = [[0.0, 0.0], [5.0, 5.0], [0.0, 5.0]]
    app.run()
    assert heading(app) == "Iteration 0 · initial parameters"
    np.testing.assert_array_equal(stepper(app).means, [[0, 0], [5, 5], [0, 5]])


def test_the_link_restores_the_settings():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"data": "Old Faithful", "k": "2", "cov": "diag", "rs": "4"})
    at.run()
    assert not at.exception
    em = stepper(at)
    assert (em.n_components, em.covariance_type) == (2, "diag")
    np.testing.assert_array_equal(em.X, old_faithful().X)
    assert at.query_params["k"] == "2" and at.query_params["data"] == "Old Faithful"


def test_a_link_with_nonsense_says_so_and_uses_defaults():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"k": "many", "cov": "round", "data": "Atlantis"})
    at.run()
    assert not at.exception
    assert stepper(at).n_components == 3
    assert any("not understood" in t.value for t in at.toast)


@pytest.mark.parametrize(
    "knobs",
    [
        {"data": "Three Gaussians", "spread": "100"},
        {"data": "Three Gaussians", "spread": "inf"},
        {"data": "Three Gaussians", "spread": "nan"},
        {"data": "Three Gaussians", "spread": "-1"},
        {"data": "Two moons", "noise": "-1"},
        {"data": "Three Gaussians", "npc": "10000000"},
    ],
)
def test_a_link_with_a_knob_out_of_range_says_so_and_uses_its_default(knobs):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(knobs)
    at.run()
    assert not at.exception
    (name,) = set(knobs) - {"data"}
    assert any(f"value for {name} was not understood" in t.value for t in at.toast)
    preset = PRESETS[knobs["data"]]
    np.testing.assert_array_equal(stepper(at).X, preset.make().X)


def test_an_impossible_first_set_up_says_why_and_claims_no_previous_run():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"data": "Three Gaussians", "npc": "5", "k": "20"})
    at.run()
    assert not at.exception
    (message,) = [e.value for e in at.error if "more than the 15" in e.value]
    assert "previous run" not in message


def test_two_sessions_never_share_a_run():
    first = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    second = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    click(first, "Step", 3)
    assert heading(second) == "Iteration 0 · initial parameters"
    assert stepper(first) is not stepper(second)
    assert len(stepper(second).history) == 1


def test_a_link_made_before_opens_the_same_set_up():
    """A link written by an earlier version of the app still opens its set-up."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(
        {
            "data": "Old Faithful",
            "k": "2",
            "cov": "full",
            "init": "kmeans",
            "rs": "0",
            "alg": "soft",
        }
    )
    at.run()
    assert not at.exception
    assert not at.toast
    np.testing.assert_array_equal(stepper(at).X, old_faithful().X)
    model = at.session_state["run_key"]["model"]
    assert (model["n_components"], model["covariance_type"], model["init"]) == (
        2,
        "full",
        "kmeans",
    )
    assert (model["random_state"], model["algorithm"]) == (0, "soft")
    assert at.number_input(key="n_components").value == 2
    assert at.selectbox(key="preset").value == "Old Faithful"


def test_stepping_from_a_past_half_step_drops_the_later_ones(app):
    click(app, "Step", 3)
    em = stepper(app)
    viewed = em.history[2]
    slide(app, 2)
    assert any("go on from here" in c.value for c in app.caption)
    click(app, "E-step")
    assert len(em.history) == 4 and em.history[2] is viewed
    assert heading(app) == "Iteration 2 · after E-step"
    assert not any("go on from here" in c.value for c in app.caption)
    np.testing.assert_array_equal(em.means, viewed.means)


def test_back_goes_one_back_from_the_half_step_viewed(app):
    click(app, "Step", 3)
    slide(app, 4)
    click(app, "Back")
    assert len(stepper(app).history) == 4
    assert heading(app) == "Iteration 2 · after E-step"


def test_a_second_e_step_is_disabled_and_says_why(app):
    click(app, "E-step")
    again = button(app, "E-step")
    assert again.disabled and "Already done" in again.help
    assert not button(app, "M-step").disabled
    click(app, "M-step")
    assert not button(app, "E-step").disabled


def test_the_history_slider_counts_iterations_as_the_curve_does(app):
    click(app, "Step", 2)
    slider = player(app, "slider")
    assert "iteration" in slider["label"]
    assert slider["labels"] == [
        "Start",
        "Iteration 1 · E-step",
        "Iteration 1 · M-step",
        "Iteration 2 · E-step",
        "Iteration 2 · M-step",
    ]
    # The curve puts an E-step half way into its iteration: the label's number is the
    # iteration the point belongs to on the curve's axis.
    xs = curve(app)[0]["x"]
    for label, x in zip(slider["labels"][1:], xs[1:], strict=True):
        assert int(label.split()[1]) == int(np.ceil(x))


def test_fixed_epsilon_wider_than_the_data_says_why_the_means_merge(app):
    app.selectbox(key="algorithm").set_value("fixed-eps").run()
    assert not any("merge" in i.value for i in app.info)
    app.select_slider(key="epsilon").set_value(100.0).run()
    app.button_group(key="speed").set_value("Instant").run()
    click(app, "Run")
    em = stepper(app)
    assert np.ptp(em.means, axis=0).max() < 0.05  # one X on the plot
    variance = np.linalg.eigvalsh(np.cov(em.X, rowvar=False))[-1]
    (note,) = [i.value for i in app.info if "merge" in i.value]
    assert "ε = 100" in note and f"({variance:.3g})" in note and "one X" in note


def test_an_upload_stays_through_visits_to_other_pages(app):
    from test_app_compare import open_page, runs

    rows = "\n".join(f"{e},{w}" for e, w in old_faithful().X)
    upload(app, "faithful.csv", f"eruptions,waiting\n{rows}\n".encode())
    np.testing.assert_array_equal(stepper(app).X, old_faithful().X)
    click(app, "Step")
    em = stepper(app)
    open_page(app, "compare")
    np.testing.assert_array_equal(runs(app)[0].X, old_faithful().X)
    open_page(app, "bernoulli")  # a page without the data panel
    open_page(app, "")
    assert not app.exception
    assert app.radio(key="source").value == "Upload CSV"
    assert stepper(app) is em and em.n_iter == 1
    assert any("faithful.csv" in c.value for c in app.sidebar.caption)
    assert app.selectbox(key="column_y").value == "waiting"
    app.number_input(key="n_components").set_value(2).run()  # a new run on the upload
    assert stepper(app).n_components == 2
    np.testing.assert_array_equal(stepper(app).X, old_faithful().X)
    open_page(app, "compare")
    app.number_input(key="compare_0_n_components").set_value(2).run()
    np.testing.assert_array_equal(runs(app)[0].X, old_faithful().X)


def test_the_density_contours_toggle_draws_them_under_the_ellipses_and_frames_follow(app: AppTest):
    click(app, "Step")
    assert "contour" not in {trace["type"] for trace in mixture(app)}
    app.toggle(key="contours").set_value(True).run()
    traces = mixture(app)
    (contour,) = [trace for trace in traces if trace["type"] == "contour"]
    assert contour["name"] == "density"
    assert [t["type"] for t in traces].index("contour") < [t["name"] for t in traces].index("halo")
    before = contour["contours"]["start"]
    click(app, "Step")
    (after,) = [trace for trace in mixture(app) if trace["type"] == "contour"]
    assert after["contours"]["start"] != before  # the density of the new parameters
    app.toggle(key="contours").set_value(False).run()
    assert "contour" not in {trace["type"] for trace in mixture(app)}


def assert_same_run(a: GaussianMixtureEM, b: GaussianMixtureEM) -> None:
    assert [(r.phase, r.log_likelihood) for r in a.history] == [
        (r.phase, r.log_likelihood) for r in b.history
    ]
    for name in ("weights", "means", "covariances", "responsibilities"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


def test_the_next_step_is_made_ahead_and_step_takes_it_over(app):
    slider, text = player(app, "slider"), player(app, "text")
    assert slider["ahead"] == {"Step": 2, "M-step": 2, "E-step": 1}
    assert slider["ahead_labels"] == ["Iteration 1 · E-step", "Iteration 1 · M-step"]
    assert text["ahead_texts"] == ["Iteration 1 · after E-step", "Iteration 1 · after M-step"]
    (frames,) = [
        p["frames"]
        for p in map(json.loads, (e.proto.json for e in app.get("bidi_component")))
        if p.get("name") == "mixture"
    ]
    assert len(frames["patches"]) == 3  # the start, and the two half-steps made ahead
    made = app.session_state["ahead"][1][-1].history[1:]
    click(app, "Step")
    assert stepper(app).history[1:] == made  # the very records: no second computation
    fresh = copy.deepcopy(stepper(app))
    fresh.reset()
    fresh.step()  # computed here, the usual way
    assert_same_run(fresh, stepper(app))
    # E-step takes the first half-step made ahead, and the M-step after it stays ahead.
    e_step, m_step = app.session_state["ahead"][1]
    click(app, "E-step")
    assert stepper(app).history[-1] is e_step.history[-1]
    assert app.session_state["ahead"][1] == (m_step,)
    # After an E-step, Step and M-step make one half-step: E-step is disabled.
    assert player(app, "slider")["ahead"] == {"Step": 1, "M-step": 1}
    assert player(app, "text")["ahead_texts"] == ["Iteration 2 · after M-step"]
    click(app, "M-step")
    assert stepper(app).history[-1] is m_step.history[-1]
    fresh.step()
    assert_same_run(fresh, stepper(app))
