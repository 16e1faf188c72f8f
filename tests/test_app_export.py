"""The "Export" menu driven through Streamlit's AppTest on a run view of its own: the four
buttons, a saved run opened at its half-step, and a bad file refused in words with the
run shown kept."""

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from test_app_explorer import heading

from em_viz.engine.gaussian_em import GaussianSettings
from em_viz.engine.run_file import run_to_dict, run_to_json

TIMEOUT = 60


def page() -> None:
    """A run view with the menu: a run of three components, three half-steps in."""
    import numpy as np
    import streamlit as st

    from em_viz.data import Dataset
    from em_viz.engine.gaussian_em import GaussianSettings
    from em_viz.ui.export import export_menu, run_settings
    from em_viz.ui.run import RunView, phase_text
    from em_viz.ui.stepping import EXPLORER

    state = st.session_state
    settings = GaussianSettings(n_components=3, random_state=4)
    if EXPLORER.em not in state:
        rng = np.random.default_rng(1)
        X = np.concatenate([rng.normal(size=(50, 2)) + c for c in ([0, 0], [5, 0], [0, 5])])
        state[EXPLORER.data] = Dataset(X, None, "three blobs", ("width", "height"))
        em = settings.build(X)
        em.step()
        em.e_step()
        state[EXPLORER.em] = em
        state[EXPLORER.view] = 3
    em = state[EXPLORER.em]
    view = RunView.at(em, state[EXPLORER.view])
    st.markdown(f"### {phase_text(view.record)}")
    st.markdown(f"half-steps: {len(em.history)}; K: {em.n_components}")
    st.markdown(f"settings: {run_settings(EXPLORER, settings).n_components}")
    export_menu(EXPLORER, view, settings)


@pytest.fixture
def app() -> AppTest:
    return AppTest.from_function(page, default_timeout=TIMEOUT).run()


def texts(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def saved_run(n_components: int = 2, half_steps: int = 7, position: int = 4) -> dict:
    rng = np.random.default_rng(7)
    X = np.concatenate([rng.normal(size=(40, 2)) + c for c in ([0, 0], [6, 1])])
    settings = GaussianSettings(n_components=n_components, covariance_type="diag")
    em = settings.build(X)
    for _ in range(half_steps):
        (em.e_step if em.phase != "E" else em.m_step)()
    return run_to_dict(em, settings, position=position, name="two blobs")


def test_the_menu_offers_each_format(app):
    assert not app.exception
    downloads = {button.label for button in app.download_button}
    assert {"PNG", "JSON", "CSV"} <= downloads
    assert "GIF" in [button.label for button in app.button]
    assert app.file_uploader[0].label == "Open a saved run (JSON)"
    csv = next(button for button in app.download_button if button.label == "CSV")
    assert not csv.disabled


def test_a_saved_run_opens_at_its_half_step(app):
    content = saved_run()
    app.file_uploader[0].set_value(
        ("run.json", json.dumps(content).encode(), "application/json")
    ).run()
    assert not app.exception
    assert not app.error
    assert texts(app)[0] == "### Iteration 2 · after M-step"
    assert texts(app)[1] == "half-steps: 8; K: 2"
    assert texts(app)[2] == "settings: 2"  # the saved run's own settings, not the page's
    em = app.session_state["em"]
    np.testing.assert_array_equal(em.history[4].means, content["history"][4]["means"])
    assert app.session_state["run_dataset"].feature_names == ("x1", "x2")
    assert app.session_state["run_dataset"].name == "two blobs"
    assert any("opened from a file (run.json)" in c.value for c in app.caption)


def test_a_bad_file_is_refused_and_the_run_kept(app):
    content = saved_run()
    content["history"][3]["means"][0][0] += 1.0
    app.file_uploader[0].set_value(
        ("edited.json", json.dumps(content).encode(), "application/json")
    )
    app.run()
    assert not app.exception
    (error,) = app.error
    assert "edited.json" in error.value
    assert "was edited" in error.value
    assert "run shown is kept" in error.value
    assert texts(app)[0] == "### Iteration 2 · after E-step"
    assert texts(app)[1] == "half-steps: 4; K: 3"
    assert not any("opened from a file" in c.value for c in app.caption)


def test_other_bad_files_are_refused_in_words(app):
    app.file_uploader[0].set_value(("notes.json", b"my notes", "application/json")).run()
    (error,) = app.error
    assert "notes.json" in error.value
    assert "not JSON" in error.value
    assert texts(app)[1] == "half-steps: 4; K: 3"

    rng = np.random.default_rng(0)
    settings = GaussianSettings(n_components=2)
    em = settings.build(rng.normal(size=(30, 3)))
    em.step()
    wide = run_to_json(em, settings).encode()
    app.file_uploader[0].set_value(("wide.json", wide, "application/json")).run()
    (error,) = app.error
    assert "3 columns" in error.value
    assert texts(app)[1] == "half-steps: 4; K: 3"


def test_without_a_browser_the_pictures_say_why(monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", "/nowhere/chromium")
    app = AppTest.from_function(page, default_timeout=TIMEOUT).run()
    assert "GIF" not in [button.label for button in app.button]
    png = next(button for button in app.download_button if button.label == "PNG")
    assert png.disabled
    assert any("not installed at /nowhere/chromium" in c.value for c in app.caption)
    json_button = next(button for button in app.download_button if button.label == "JSON")
    assert not json_button.disabled


def test_a_gif_is_made_on_click_of_at_most_its_frames(monkeypatch):
    from em_viz.ui import export

    monkeypatch.setattr(export, "MAX_GIF_FRAMES", 2)
    app = AppTest.from_function(page, default_timeout=TIMEOUT).run()
    assert not [b for b in app.download_button if b.label.startswith("Save the GIF")]
    next(button for button in app.button if button.label == "GIF").click().run()
    assert not app.exception
    (save,) = [b for b in app.download_button if b.label.startswith("Save the GIF")]
    assert save.label.endswith("MB, first 2 of 4)")


APP = str(Path(__file__).resolve().parent.parent / "app.py")


def test_the_explorer_offers_the_menu_and_opens_a_saved_run():
    app = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not app.exception
    downloads = {button.label: button for button in app.download_button}
    assert {"PNG", "JSON", "CSV"} <= set(downloads)
    assert downloads["CSV"].disabled  # no responsibilities before the first E-step
    content = saved_run()
    upload = app.file_uploader(key="export_upload")
    upload.set_value(("run.json", json.dumps(content).encode(), "application/json")).run()
    assert not app.exception
    assert not app.error
    assert heading(app) == (
        "Viewing Iteration 2 · after M-step (latest: Iteration 4 · after E-step)"
    )
    assert len(app.session_state["em"].history) == 8
