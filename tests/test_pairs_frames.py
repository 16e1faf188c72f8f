"""The views of data with more than two features as frames for the browser to play: each
frame rebuilt from the patches over the figure served equals its half-step's figure, in
the pairs grid and on the principal components, with complete and incomplete data."""

import json
import re
from dataclasses import replace

import numpy as np
import pytest
from plotly_json import decode, figure_data
from test_frames import replayed

from em_viz.data import iris_measurements, wine
from em_viz.data.missingness import Hiding, hide_in
from em_viz.engine.gaussian_em import GaussianSettings
from em_viz.figures.frames import frame_patches, leaves
from em_viz.figures.pairs import figure_for, parts_for

STEPS = 5


def assert_same(value, expected, where) -> None:
    expected = np.asarray(expected)
    if expected.dtype.kind == "f":  # sent as float32
        np.testing.assert_allclose(value, expected, rtol=1e-6, atol=1e-5, err_msg=str(where))
    elif expected.dtype.kind == "O":
        assert list(value) == list(expected), where
    else:
        np.testing.assert_array_equal(value, expected, err_msg=str(where))


def figure_leaves(figure) -> dict:
    """Every attribute of a go.Figure as the browser gets it, keyed as the replayed
    states are."""
    data = json.loads(figure.to_json())
    found = {("layout", path): v for path, v in leaves(decode(data["layout"])).items()}
    for i, trace in enumerate(figure_data(data)):
        found |= {(i, path): v for path, v in leaves(trace).items()}
    return found


def run_on(dataset):
    em = GaussianSettings(
        n_components=3,
        random_state=0,
        missing="em" if np.isnan(dataset.X).any() else "refuse",
    ).build(dataset.X)
    for _ in range(STEPS):
        em.step()
    return em


def shown_at(dataset, em, index):
    """The data as the explorer draws them at ``history[index]``: missing entries at
    their expectations then."""
    if not np.isnan(dataset.X).any():
        return dataset
    return replace(dataset, X=em.imputed_at(index)[0])


CASES = {
    "iris pairs": (iris_measurements(), {"view": "pairs"}),
    "iris pca": (iris_measurements(), {"view": "pca"}),
    "wine pairs of three": (wine(), {"view": "pairs", "features": [12, 6, 9]}),
    "wine pca, a faded component": (wine(), {"view": "pca", "fade_below": 0.3}),
    "incomplete iris pairs": (hide_in(iris_measurements(), Hiding(0.3)), {"view": "pairs"}),
    "incomplete iris pca": (hide_in(iris_measurements(), Hiding(0.3)), {"view": "pca"}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_frame_rebuilt_from_the_patches_over_the_served_figure_is_its_figure(case):
    dataset, options = CASES[case]
    em = run_on(dataset)
    indices = range(len(em.history))
    args = [
        (shown_at(dataset, em, i), em.history[i].params, em.responsibilities_at(i))
        for i in indices
    ]
    states = replayed(frame_patches([parts_for(*a, **options) for a in args]))
    figures = [figure_leaves(figure_for(*a, **options)) for a in args]
    served = figures[-1]  # the browser gets the figure of one half-step, then frames
    live = set(states[0])
    assert live and set(states[-1]) == live
    for index, (state, figure) in enumerate(zip(states, figures, strict=True)):
        assert set(figure) == set(served), index  # the same traces, the same attributes
        for where, expected in figure.items():
            shown = state[where] if where in live else served[where]
            assert_same(shown, expected, (index, where))


def test_an_e_step_patches_the_colours_and_an_m_step_the_ellipses_and_densities():
    dataset = iris_measurements()
    em = run_on(dataset)
    frames = [
        parts_for(dataset, record.params, em.responsibilities_at(i))
        for i, record in enumerate(em.history)
    ]
    traces = frames[0][0]
    patches = frame_patches(frames)
    points = {str(i) for i, t in enumerate(traces) if t["name"] == "Data points"}
    moving = {str(i) for i, t in enumerate(traces) if t.get("line", {}).get("simplify") is False}
    assert len(points) == 6 and moving  # six cells of points; halos, ellipses, densities
    for record, patch in zip(em.history[1:], patches[1:], strict=True):
        changed = {path for values in patch["data"].values() for path in values}
        if record.phase == "E":
            assert set(patch["data"]) == points and "marker.color" in changed
            assert not patch["layout"]
        else:
            assert set(patch["data"]) >= moving - points and not set(patch["data"]) & points
            # In the layout, only a density axis's top, where the densities rose above it.
            assert all(re.fullmatch(r"yaxis\d*\.range", path) for path in patch["layout"])
    # The ellipses and means are SVG, as the 2-D picture's, so that they glide.
    assert {t["type"] for t in traces if t["name"] != "Data points"} == {"scatter"}
