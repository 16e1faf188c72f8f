"""The compare page through Streamlit's AppTest: lockstep, the table, bad settings,
multi-start and the way back to the explorer."""

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash
from test_app_explorer import button, click, figures, heading, player

from em_viz.data import PRESETS, iris
from em_viz.engine.gaussian_em import GaussianSettings
from em_viz.engine.runs import multi_start

TIMEOUT = 60
APP = str(Path(__file__).resolve().parent.parent / "app.py")


def open_page(at: AppTest, url_path: str) -> AppTest:
    """Go to a page of ``st.navigation`` (AppTest's ``switch_page`` wants a file; these
    pages are functions, whose hash is that of their url path)."""
    at._page_hash = calc_hash(url_path)
    return at.run()


@pytest.fixture
def page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    return open_page(at, "compare")


def played_texts(at: AppTest) -> dict[str, dict]:
    """The lines the browser's player shows (its "text" data), by name."""
    payloads = [json.loads(e.proto.json) for e in at.get("bidi_component")]
    return {p["name"]: p for p in payloads if p.get("role") == "text"}


def shown(payload: dict) -> str:
    """A played line at the server's half-step, as the browser draws it."""
    texts, position = payload["texts"], payload["position"]
    if payload["viewing"] and position < len(texts) - 1:
        return payload["viewing"].format(shown=texts[position], latest=texts[-1])
    return texts[position]


def headings(at: AppTest) -> list[str]:
    """The runs' panel headings, in run order: played in the browser (or Markdown)."""
    played = [shown(p) for name, p in played_texts(at).items() if name.startswith("compare_run_")]
    written = [
        m.value.removeprefix("###### ") for m in at.markdown if m.value.startswith("###### ")
    ]
    return sorted(played + written)


def group_heading(at: AppTest) -> str:
    """The half-step shown, above the runs' panels: played in the browser (or Markdown)."""
    played = played_texts(at).get("compare_heading")
    if played is not None:
        assert played["style"] == "heading-small"  # four panels share the screen
        return shown(played)
    (written,) = [m.value for m in at.markdown if m.value.startswith("##### ")]
    return written.removeprefix("##### ")


def slide(at: AppTest, index: int) -> AppTest:
    """Move the history slider to ``index``, as the browser reports it when let go."""
    at.session_state["compare_history_view"] = index
    return at.run()


def run_instantly(at: AppTest) -> AppTest:
    """Run at Instant speed: every run to convergence at once."""
    at.button_group(key="compare_speed").set_value("Instant").run()
    return click(at, "Run")


def runs(at: AppTest) -> list:
    return at.session_state["compare_group"].runs


def table(at: AppTest):
    return next(t.value for t in at.table if "iterations" in t.value.columns)


def test_the_page_opens_with_two_runs_differing_in_seed(page):
    assert not page.exception
    assert headings(page) == [
        "Run 1 · seed 0 · k-means++",
        "Run 2 · seed 1 · k-means++",
    ]
    assert group_heading(page) == "Iteration 0 · initial parameters"
    assert {key for key in figures(page) if "compare_mixture" in key} == {
        "compare_mixture_0",
        "compare_mixture_1",
    }
    assert "em" not in page.session_state or page.session_state["em"] is not runs(page)[0]


def test_the_buttons_move_all_runs_in_lockstep(page):
    page.segmented_control(key="compare_n_runs").set_value(3).run()
    click(page, "E-step")
    assert [(em.n_iter, em.phase) for em in runs(page)] == [(0, "E")] * 3
    assert group_heading(page) == "Iteration 1 · after E-step"
    click(page, "M-step")
    click(page, "Step", 2)
    assert [em.n_iter for em in runs(page)] == [3, 3, 3]
    click(page, "Back")
    assert [(em.n_iter, em.phase) for em in runs(page)] == [(2, "E")] * 3
    click(page, "Reset")
    assert [len(em.history) for em in runs(page)] == [1, 1, 1]
    assert button(page, "Back").disabled


def test_the_explorers_run_is_left_alone():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    click(at, "Step", 2)
    explorer_run = at.session_state["em"]
    open_page(at, "compare")
    run_instantly(at)
    assert at.session_state["em"] is explorer_run
    assert explorer_run.n_iter == 2


def test_run_converges_every_run_and_the_table_equals_the_engines_numbers(page):
    page.number_input(key="compare_1_random_state").set_value(7).run()
    page.selectbox(key="compare_1_init").set_value("random-points").run()
    run_instantly(page)
    assert not page.exception
    shown = table(page)
    for number, em in enumerate(runs(page)):
        row = shown.loc[f"Run {number + 1}"]
        assert em.converged and row["converged"]
        assert row["iterations"] == em.n_iter
        assert row["log-likelihood"] == em.log_likelihood
        assert row["per point"] == pytest.approx(em.log_likelihood / len(em.X))
        assert row["ms"] > 0
    assert headings(page)[1].startswith("Run 2 · seed 7 · random points")
    assert headings(page)[1].endswith(" · converged")
    assert button(page, "Run").disabled
    curves = figures(page)["compare_curves"]
    assert [len(c["x"]) for c in curves] == [em.n_iter + 1 for em in runs(page)]


def test_k_means_beside_em_shows_its_objective_and_hard_colours(page):
    page.selectbox(key="compare_1_algorithm").set_value("kmeans").run()
    run_instantly(page)
    shown = table(page)
    kmeans = runs(page)[1]
    assert shown.loc["Run 2", "objective"] == kmeans.objective
    assert "objective is" not in shown.columns  # named in a caption, not a cut column
    note = "Objective: Run 2, the negative sum of squared distances."
    assert any(note in c.value for c in page.caption)
    assert np.isnan(shown.loc["Run 1", "objective"])
    assert "K=3 · k-means" in headings(page)[1]


def test_fixed_epsilon_offers_its_slider(page):
    page.selectbox(key="compare_0_algorithm").set_value("fixed-eps").run()
    page.select_slider(key="compare_0_epsilon").set_value(0.1).run()
    em = runs(page)[0]
    assert (em.algorithm, em.epsilon) == ("fixed-eps", 0.1)
    assert "EM εI ε=0.1" in headings(page)[0]


def test_matched_colours_follow_the_reference_runs_components(page):
    page.number_input(key="compare_1_random_state").set_value(3).run()
    run_instantly(page)
    first, second = runs(page)
    shown = figures(page)
    colour_of = {
        key: [trace["marker"]["color"] for trace in shown[key] if trace.get("text")]
        for key in ("compare_mixture_0", "compare_mixture_1")
    }
    for k, mean in enumerate(second.means):
        nearest = int(np.argmin(((first.means - mean) ** 2).sum(axis=1)))
        assert colour_of["compare_mixture_1"][k] == colour_of["compare_mixture_0"][nearest]


def test_bad_settings_give_a_friendly_message_and_keep_the_runs(page):
    page.number_input(key="Three Gaussians:n_per_component").set_value(5).run()
    click(page, "Step")
    page.number_input(key="compare_1_n_components").set_value(16).run()
    assert not page.exception
    messages = " ".join(e.value for e in page.error)
    assert "Run 2:" in messages and "more than the 15" in messages
    assert "previous runs are kept" in messages
    assert [em.n_iter for em in runs(page)] == [1, 1]


def test_iris_with_two_features_runs_on_this_page(page):
    page.selectbox(key="preset").set_value("Iris").run()
    page.selectbox(key="Iris:features:x").set_value("sepal length (cm)").run()
    page.selectbox(key="Iris:features:y").set_value("sepal width (cm)").run()
    assert not page.exception
    np.testing.assert_array_equal(
        runs(page)[0].X, iris(("sepal length (cm)", "sepal width (cm)")).X
    )


def test_multi_start_shows_the_optima_and_opens_a_start_in_the_explorer(page):
    page.selectbox(key="preset").set_value("Iris").run()
    page.slider(key="compare_starts_n").set_value(20).run()
    click(page, "Run the starts")
    assert not page.exception
    expected = multi_start(iris().X, GaussianSettings(tol=1e-8), 20)
    summary = next(m.value for m in page.markdown if "distinct optima" in m.value)
    best = max(expected, key=lambda r: r.log_likelihood)
    assert f"{best.mean_log_likelihood:.4f} per point (seed {best.seed})" in summary
    optima = next(d.value for d in page.dataframe if "starts" in d.value.columns)
    assert optima["starts"].sum() == 20
    points = figures(page)["compare_starts_plot"][0]
    np.testing.assert_array_equal(points["x"], [r.n_iter for r in expected])

    chosen = expected[4]
    page.selectbox(key="compare_open_seed").set_value(chosen.seed).run()
    click(page, "Open in explorer")
    assert not page.exception
    em = page.session_state["em"]
    assert page.session_state["run_dataset"].name == "Iris"
    assert (em.n_components, em.covariance_type, em.tol) == (3, "full", 1e-8)
    em.run(500)
    assert em.log_likelihood == chosen.log_likelihood
    assert em.n_iter == chosen.n_iter


def test_starts_that_ran_to_the_end_leave_no_bar_stop_button_or_stopped_note(page):
    page.slider(key="compare_starts_n").set_value(10).run()
    click(page, "Run the starts")
    assert not page.exception
    assert not page.get("progress")
    assert all(b.label != "Stop the starts" for b in page.button)
    assert not any("Stopped" in i.value for i in page.info)
    summary = next(m.value for m in page.markdown if "distinct optim" in m.value)
    assert "in 10 starts" in summary


def test_a_collapsed_best_optimum_is_flagged(page):
    page.selectbox(key="preset").set_value("Iris").run()
    page.selectbox(key="Iris:features:x").set_value("sepal length (cm)").run()
    page.selectbox(key="Iris:features:y").set_value("sepal width (cm)").run()
    page.slider(key="compare_starts_n").set_value(10).run()
    click(page, "Run the starts")
    summary = next(m.value for m in page.markdown if "distinct optima" in m.value)
    assert "(seed 0)" in summary and "Beware: Component" in summary and "collapsed" in summary
    optima = next(d.value for d in page.dataframe if "starts" in d.value.columns)
    assert optima["warning"].iloc[0].startswith("Component")


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"data": "Three Gaussians", "spread": "100"}, "spread"),
        ({"data": "Three Gaussians", "spread": "nan"}, "spread"),
        ({"data": "Two moons", "noise": "-1"}, "noise"),
        ({"data": "Atlantis"}, "data"),
        ({"data": "Two moons", "k": "99"}, "k"),
    ],
)
def test_a_link_to_this_page_is_read_and_what_it_cannot_use_is_named(params, name):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at._page_hash = calc_hash("compare")
    at.query_params.update(params)
    at.run()
    assert not at.exception
    assert any(f"value for {name} was not understood" in t.value for t in at.toast)
    preset = PRESETS.get(params["data"], PRESETS["Three Gaussians"])
    np.testing.assert_array_equal(runs(at)[0].X, preset.make().X)
    click(at, "Step")
    assert group_heading(at) == "Iteration 1 · after M-step"


def test_the_explorer_keeps_its_run_and_data_across_a_visit_to_compare():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.selectbox(key="preset").set_value("Iris").run()
    at.number_input(key="n_components").set_value(2).run()
    click(at, "Step", 2)
    em = at.session_state["em"]
    open_page(at, "compare")
    open_page(at, "")  # the explorer, the default page
    assert not at.exception
    assert at.session_state["em"] is em
    assert (em.n_iter, em.n_components) == (2, 2)
    assert at.session_state["preset"] == "Iris"
    assert not any("New data" in t.value for t in at.toast)


def test_a_half_step_is_worded_as_in_the_explorer(page):
    click(page, "E-step")
    compare_words = group_heading(page)
    open_page(page, "")
    click(page, "E-step")
    assert compare_words == heading(page) == "Iteration 1 · after E-step"


def test_run_animates_half_step_by_half_step_with_a_history_slider(page):
    click(page, "Run")
    assert page.session_state["compare_running"]
    assert button(page, "Stop")
    played = player(page, "slider")  # computed ahead, played from the start
    assert played["playing"] and played["position"] == 0
    assert len(played["labels"]) == max(len(em.history) for em in runs(page)) > 4
    assert played_texts(page)["compare_heading"]["texts"][1] == "Iteration 1 · after E-step"
    click(page, "Stop")
    assert not player(page, "slider")["playing"]
    click(page, "Step", 2)  # from the half-step shown: the start
    slider = player(page, "slider")
    assert slider["labels"][-1] == "Iteration 2 · M-step" and slider["position"] == 4
    slide(page, 1)
    assert group_heading(page) == (
        "Viewing Iteration 1 · after E-step (latest: Iteration 2 · after M-step)"
    )
    assert list(table(page)["iterations"]) == [0, 0]
    click(page, "M-step")  # from the half-step viewed: the later ones are dropped
    assert [len(em.history) for em in runs(page)] == [3, 3]
    assert group_heading(page) == "Iteration 1 · after M-step"
    click(page, "Back")
    assert [len(em.history) for em in runs(page)] == [2, 2]
    assert not button(page, "Back").disabled


STEP_BUTTONS = ("E-step", "M-step", "Step", "Run", "Back", "Reset")


def disabled(at: AppTest) -> dict[str, bool]:
    return {name: button(at, name).disabled for name in STEP_BUTTONS}


def test_after_convergence_the_same_buttons_are_disabled_as_in_the_explorer(page):
    run_instantly(page)
    assert all(em.finished for em in runs(page))
    in_compare = disabled(page)
    open_page(page, "")
    page.button_group(key="speed").set_value("Instant").run()
    click(page, "Run")
    assert page.session_state["em"].finished
    assert disabled(page) == in_compare
    assert in_compare == dict.fromkeys(STEP_BUTTONS[:4], True) | {"Back": False, "Reset": False}


def test_k_means_disables_the_covariance_type_here_and_in_the_explorer(page):
    page.selectbox(key="compare_0_algorithm").set_value("kmeans").run()
    assert page.selectbox(key="compare_0_covariance_type").disabled
    assert not page.selectbox(key="compare_1_covariance_type").disabled
    open_page(page, "")
    page.selectbox(key="algorithm").set_value("kmeans").run()
    assert page.selectbox(key="covariance_type").disabled


def test_a_start_on_an_uploaded_file_opens_in_the_explorer_on_that_file():
    from test_app_explorer import upload

    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    rows = "\n".join(f"{e},{w}" for e, w in PRESETS["Old Faithful"].make().X)
    upload(at, "faithful.csv", f"eruptions,waiting\n{rows}\n".encode())
    open_page(at, "compare")
    at.slider(key="compare_starts_n").set_value(10).run()
    click(at, "Run the starts")
    at.selectbox(key="compare_open_seed").set_value(3).run()
    click(at, "Open in explorer")
    assert not at.exception
    em = at.session_state["em"]
    assert at.session_state["run_key"]["model"]["random_state"] == 3
    np.testing.assert_array_equal(em.X, PRESETS["Old Faithful"].make().X)
    assert at.session_state["run_dataset"].name == "faithful.csv"


def frames_sent(at: AppTest) -> dict[str, dict]:
    """The frames each graph on the runs' timeline was sent, by its key."""
    payloads = [json.loads(e.proto.json) for e in at.get("bidi_component")]
    return {p["name"]: p["frames"] for p in payloads if "frames" in p}


def test_the_browser_gets_every_half_step_of_every_run_and_a_finished_run_stays_at_its_end(
    page,
):
    page.number_input(key="compare_1_random_state").set_value(7).run()
    page.selectbox(key="compare_1_init").set_value("random-points").run()
    run_instantly(page)
    lengths = [len(em.history) for em in runs(page)]
    assert lengths[0] != lengths[1]  # one run finishes before the other
    longest, texts = max(lengths), played_texts(page)
    for number, length in enumerate(lengths):
        lines = texts[f"compare_run_heading_{number}"]["texts"]
        assert len(lines) == longest
        assert not any(line.endswith(" · converged") for line in lines[: length - 1])
        assert set(lines[length - 1 :]) == {headings(page)[number]}  # its last record's
    revision = player(page, "slider")["revision"]
    sent = frames_sent(page)
    assert set(sent) == {"compare_mixture_0", "compare_mixture_1", "compare_curves"}
    for frames in sent.values():
        assert frames["revision"] == revision and len(frames["patches"]) == longest
    # A run's curve grows at each of its M-steps (an E-step changes no objective), and
    # not once it has finished.
    grown = [set(patch["data"]) for patch in sent["compare_curves"]["patches"][1:]]
    for index, changed in enumerate(grown, start=1):
        assert changed == {
            str(number)
            for number, em in enumerate(runs(page))
            if index < len(em.history) and em.history[index].phase == "M"
        }


def test_runs_on_four_features_are_played_on_their_principal_components(page):
    page.selectbox(key="preset").set_value("Iris, four measurements").run()
    assert not page.exception
    run_instantly(page)
    lengths = [len(em.history) for em in runs(page)]
    sent = frames_sent(page)
    assert set(sent) == {"compare_mixture_0", "compare_mixture_1", "compare_curves"}
    revision = player(page, "slider")["revision"]
    for name in ("compare_mixture_0", "compare_mixture_1"):
        frames = sent[name]
        assert frames["revision"] == revision and len(frames["patches"]) == max(lengths)
    # The panels' pictures are on the principal components: their axes say so.
    layouts = [json.loads(e.proto.json) for e in page.get("bidi_component")]
    (panel,) = [p for p in layouts if p.get("name") == "compare_mixture_0"]
    title = json.loads(panel["figure"])["layout"]["xaxis"]["title"]["text"]
    assert title.startswith("PC1 (")
