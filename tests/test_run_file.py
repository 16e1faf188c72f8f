"""A run as a file: the JSON round trip is exact at a middle step for every algorithm and
covariance type (and with missing entries), every bad file is refused in words, and the
CSV holds the points with the responsibilities shown."""

import io
import json
import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from em_viz import DataError
from em_viz.engine.gaussian_em import GaussianSettings
from em_viz.engine.run_file import (
    FORMAT_VERSION,
    MAX_POINTS,
    responsibilities_csv,
    run_from_json,
    run_to_dict,
    run_to_json,
)

RECORD_FIELDS = ("weights", "means", "covariances", "log_likelihood", "objective")


@pytest.fixture(scope="module")
def X() -> np.ndarray:
    rng = np.random.default_rng(3)
    centres = np.array([[0.0, 0.0], [4.0, 1.0], [1.0, 5.0]])
    return np.concatenate([rng.normal(size=(80, 2)) * [1.0, 0.6] + c for c in centres])


def stepped(X: np.ndarray, settings: GaussianSettings, half_steps: int = 9):
    em = settings.build(X)
    for _ in range(half_steps):
        (em.e_step if em.phase != "E" else em.m_step)()
    return em


def same_runs(a, b) -> None:
    assert len(a.history) == len(b.history)
    for saved, restored in zip(a.history, b.history, strict=True):
        assert (saved.iteration, saved.phase) == (restored.iteration, restored.phase)
        for name in RECORD_FIELDS:
            np.testing.assert_array_equal(getattr(saved, name), getattr(restored, name))
        assert saved.converged == restored.converged
        assert saved.warnings == restored.warnings


@pytest.mark.parametrize("algorithm", ["soft", "hard", "kmeans", "fixed-eps"])
@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_round_trip_is_exact_at_a_middle_step(X, algorithm, covariance_type):
    settings = GaussianSettings(
        n_components=3, covariance_type=covariance_type, algorithm=algorithm, random_state=5
    )
    em = stepped(X, settings)
    restored = run_from_json(run_to_json(em, settings, position=4, name="three blobs"))
    assert restored.position == 4
    assert restored.settings == settings
    assert restored.name == "three blobs"
    np.testing.assert_array_equal(restored.X, X)
    same_runs(em, restored.em)
    # The restored run goes on exactly as the original does.
    em.step()
    restored.em.step()
    same_runs(em, restored.em)
    np.testing.assert_array_equal(em.responsibilities, restored.em.responsibilities)


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_round_trip_of_variational_bayes(X, covariance_type):
    settings = GaussianSettings(
        n_components=4, covariance_type=covariance_type, algorithm="variational-bayes"
    )
    em = stepped(X, settings)
    restored = run_from_json(run_to_json(em, settings, position=5))
    assert type(restored.em) is type(em)
    assert restored.position == 5
    same_runs(em, restored.em)


def test_round_trip_with_missing_entries(X):
    holes = X.copy()
    holes[::7, 1] = np.nan
    holes[3::7, 0] = np.nan
    settings = GaussianSettings(missing="em", random_state=2)
    em = stepped(holes, settings, 6)
    text = run_to_json(em, settings, position=5)
    content = json.loads(text, parse_constant=pytest.fail)  # strict JSON: no NaN
    assert content["data"]["X"][0][1] is None
    restored = run_from_json(text)
    np.testing.assert_array_equal(np.isnan(restored.X), np.isnan(holes))
    same_runs(em, restored.em)


def test_the_file_has_one_record_per_half_step(X):
    settings = GaussianSettings(n_components=2)
    em = stepped(X, settings, 5)
    content = run_to_dict(em, settings, feature_names=("width", "height"))
    assert content["version"] == FORMAT_VERSION
    assert content["position"] == 5
    assert content["data"]["feature_names"] == ["width", "height"]
    history = content["history"]
    assert [(r["iteration"], r["phase"]) for r in history] == [
        (0, "init"),
        (1, "E"),
        (1, "M"),
        (2, "E"),
        (2, "M"),
        (3, "E"),
    ]
    last = history[-1]
    assert np.array(last["covariances"]).shape == (2, 2, 2)
    assert last["log_likelihood"] == em.log_likelihood
    assert last["objective"] == em.objective
    np.testing.assert_array_equal(last["weights"], em.weights)


@pytest.fixture(scope="module")
def saved(X) -> dict:
    settings = GaussianSettings(n_components=3, random_state=1)
    return run_to_dict(stepped(X, settings, 6), settings, position=3)


def edited(content: dict, change) -> str:
    copy = json.loads(json.dumps(content))
    change(copy)
    return json.dumps(copy)


def _set(path, value):
    def change(content):
        *parents, last = path
        for part in parents:
            content = content[part]
        content[last] = value

    return change


REFUSALS = {
    "edited mean": (_set(("history", 4, "means", 0, 0), 12.5), "edited"),
    "edited log-likelihood": (_set(("history", 2, "log_likelihood"), -1.0), "half-step 2"),
    "edited start": (_set(("history", 0, "weights"), [0.5, 0.25, 0.25]), "edited"),
    "edited phase": (_set(("history", 1, "phase"), "M"), "edited"),
    "unknown phase": (_set(("history", 1, "phase"), "X"), "no E-step, M-step or move"),
    "edited data": (_set(("data", "X", 0), [9.0, 9.0]), "edited"),
    "missing key": (lambda c: c.pop("history"), "lacks the part(s) history"),
    "record key": (lambda c: c["history"][2].pop("means"), "must have iteration"),
    "unknown setting": (_set(("settings", "colour"), "red"), "settings must name exactly"),
    "bad setting": (_set(("settings", "covariance_type"), "round"), "cannot be rebuilt"),
    "bad seed": (_set(("settings", "random_state"), "abc"), "random_state must be"),
    "negative seed": (_set(("settings", "random_state"), -1), "random_state must be"),
    "bad count": (_set(("settings", "n_components"), 2.5), "n_components must be a whole"),
    "ragged data": (_set(("data", "X", 1), [1.0]), "shape"),
    "text in data": (_set(("data", "X", 1), ["a", "b"]), "shape"),
    "wrong shape": (_set(("history", 0, "means"), [[0.0, 0.0]]), "shape (3, 2)"),
    "null start": (_set(("history", 0, "means", 1, 1), None), "null"),
    "position": (_set(("position",), 99), "position"),
    "version": (_set(("version",), 99), "version 99"),
    "format": (_set(("format",), "other"), "not a run saved by em-viz"),
    "no history": (_set(("history",), []), "1 to"),
    "names": (_set(("data", "feature_names"), ["only one"]), "name its 2"),
    "null in data": (_set(("data", "X", 0, 0), None), "NaN"),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_bad_files_are_refused_in_words(saved, case):
    change, words = REFUSALS[case]
    with pytest.raises(DataError, match=re.escape(words)):
        run_from_json(edited(saved, change))


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("not json at all", "not JSON"),
        (b"\xff\xfe\x00", "not JSON"),
        ("[1, 2, 3]", "not a run saved"),
        ('{"format": "em-viz run", "version": 1, "x": NaN}', "NaN"),
    ],
)
def test_text_that_is_no_saved_run_is_refused(text, words):
    with pytest.raises(DataError, match=re.escape(words)):
        run_from_json(text)


def test_too_many_points_are_refused(saved):
    too_many = edited(saved, _set(("data", "X"), [[0.0, 0.0]] * (MAX_POINTS + 1)))
    with pytest.raises(DataError, match="at most 100,000"):
        run_from_json(too_many)


def test_a_run_on_too_many_points_is_not_saved():
    settings = GaussianSettings(n_components=1)
    em = settings.build(np.random.default_rng(0).normal(size=(MAX_POINTS + 1, 2)))
    with pytest.raises(DataError, match="at most 100,000"):
        run_to_dict(em, settings)


def test_csv_holds_the_points_and_the_responsibilities_shown(X):
    em = stepped(X, GaussianSettings(n_components=3), 6)
    table = pd.read_csv(io.StringIO(responsibilities_csv(em, 4, ("a", "b"))))
    assert list(table.columns) == ["a", "b"] + [
        f"responsibility of component {k}" for k in (1, 2, 3)
    ]
    np.testing.assert_allclose(table[["a", "b"]], X, rtol=1e-15)
    np.testing.assert_allclose(table.iloc[:, 2:], em.responsibilities_at(4), rtol=1e-15)
    assert not np.allclose(table.iloc[:, 2:], em.responsibilities)


def test_csv_writes_a_missing_entry_empty_and_needs_an_e_step(X):
    holes = X.copy()
    holes[0, 1] = np.nan
    em = GaussianSettings(missing="em").build(holes)
    with pytest.raises(DataError, match="first E-step"):
        responsibilities_csv(em)
    em.e_step()
    first_row = responsibilities_csv(em).splitlines()[1].split(",")
    assert first_row[1] == ""
    assert len(first_row) == 5


def test_a_run_from_means_placed_by_hand_round_trips(X):
    """The page builds such a run from random points with the clicked means; its settings
    still name the manual start, which the file keeps."""
    settings = GaussianSettings(n_components=2, init="click on the plot")
    means = [[0.0, 0.0], [4.0, 4.0]]
    em = replace(settings, init="random-points").build(X, means_init=means)
    em.step()
    restored = run_from_json(run_to_json(em, settings))
    assert restored.settings.init == "click on the plot"
    same_runs(em, restored.em)
