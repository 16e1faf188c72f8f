"""A run's frames, as the browser gets them: each frame rebuilt from the patches equals
the figure of its half-step, and each patch holds only what changed."""

import base64

import numpy as np
import plotly.graph_objects as go
import pytest

from em_viz.engine.gaussian_em import GaussianSettings
from em_viz.figures.curves import log_likelihood_parts
from em_viz.figures.frames import encode, frame_patches
from em_viz.figures.mixture import mixture_traces

TYPES = {"f4": np.float32, "u1": np.uint8, "i4": np.int32}


def decoded(value):
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=TYPES[value["dtype"]])
    return value


def replayed(patches: list[dict]) -> list[dict]:
    """Every frame's values, patch after patch, as the browser carries them over."""
    states, state = [], {}
    for patch in patches:
        state = dict(state)
        for trace, values in patch["data"].items():
            for path, value in values.items():
                state[(int(trace), path)] = decoded(value)
        for path, value in patch["layout"].items():
            state[("layout", path)] = decoded(value)
        states.append(state)
    return states


def leaf(part: dict, path: str):
    for name in path.split("."):
        part = part[name]
    return part


@pytest.fixture(scope="module")
def run():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(centre, 1.0, (150, 2)) for centre in ((0, 0), (5, 0), (0, 5))])
    em = GaussianSettings(n_components=3, random_state=1).build(X)
    for _ in range(6):
        em.step()
    return X, em


def test_each_frame_rebuilt_from_the_patches_is_its_half_steps_figure(run):
    X, em = run
    frames = [
        (mixture_traces(X, record.params, em.responsibilities_at(index)), {})
        for index, record in enumerate(em.history)
    ]
    states = replayed(frame_patches(frames))
    assert set(states[0]) == set(states[-1])  # the first patch holds every live value
    for (traces, _), state in zip(frames, states, strict=True):
        for (trace, path), value in state.items():
            expected = np.asarray(leaf(traces[trace], path))
            if expected.dtype.kind == "f":
                np.testing.assert_allclose(value, expected, rtol=1e-6, atol=1e-5)
            else:
                np.testing.assert_array_equal(value, expected)


def test_an_e_step_sends_the_colours_and_an_m_step_the_ellipses(run):
    X, em = run
    frames = [
        (mixture_traces(X, record.params, em.responsibilities_at(index)), {})
        for index, record in enumerate(em.history)
    ]
    patches = frame_patches(frames)
    for record, patch in zip(em.history[1:], patches[1:], strict=True):
        changed = {path for values in patch["data"].values() for path in values}
        if record.phase == "E":
            assert set(patch["data"]) == {"0"} and "marker.color" in changed
        else:
            assert "0" not in patch["data"] and changed == {"x", "y"}
    # Never what only the hover reads, nor what stays: the points' positions.
    assert all("customdata" not in values for values in patches[0]["data"].values())
    assert "x" not in patches[0]["data"]["0"]


def test_a_curve_that_grows_changes_its_axis_and_title_in_the_layout(run):
    _, em = run
    history = em.history
    frames = [log_likelihood_parts(history[: i + 1], i, 450) for i in range(len(history))]
    states = replayed(frame_patches(frames))
    for (_, layout), state in zip(frames, states, strict=True):
        assert state[("layout", "title.text")] == layout["title"]["text"]
        assert state[("layout", "xaxis.range")] == layout["xaxis"]["range"]


@pytest.mark.parametrize(
    ("array", "dtype"),
    [
        (np.array([0.5, np.nan]), "f4"),
        (np.array([0, 255]), "u1"),
        (np.array([-1, 300]), "i4"),
        (np.array([True, False]), "u1"),
    ],
)
def test_numbers_go_as_the_smallest_typed_array_that_holds_them(array, dtype):
    encoded = encode(array)
    assert encoded["dtype"] == dtype
    np.testing.assert_array_equal(decoded(encoded), array.astype(TYPES[dtype]))
    assert encode(["1", "2"]) == ["1", "2"] and encode(np.array(["a"])) == ["a"]


def test_a_typed_array_from_plotly_is_one_value_even_where_a_frame_has_a_list():
    # A trace empty at the start (a list), an array later: plotly writes the array as
    # {"dtype", "bdata"}; the browser must set "x" whole, never "x" and "x.dtype".
    figures = [
        go.Figure(go.Scatter(x=x, y=x)).to_plotly_json()
        for x in ([], np.array([0.5, 1.5]), np.array([[1.0, 2.0], [3.0, 4.0]]).ravel())
    ]
    patches = frame_patches([(f["data"], f["layout"]) for f in figures])
    assert all(set(patch["data"].get("0", {})) <= {"x", "y"} for patch in patches)
    states = replayed(patches)
    np.testing.assert_array_equal(states[1][(0, "x")], [0.5, 1.5])
    np.testing.assert_array_equal(states[2][(0, "y")], [1.0, 2.0, 3.0, 4.0])
    assert list(states[0][(0, "x")]) == []
