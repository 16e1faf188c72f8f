"""Tests for em_viz.figures.bernoulli, read back through the figures' JSON as the browser
gets it. Records are built by hand: the figures need only weights and probabilities."""

import itertools
import json
import types

import numpy as np
import pytest
from plotly_json import figure_data

from em_viz.engine.stepper import Record
from em_viz.figures.bernoulli import figure_coins, figure_probability_paths, figure_weights
from em_viz.figures.images import figure_digit_responsibilities, figure_prototypes
from em_viz.figures.style import CURVE_FONT_SIZE, component_colours


def layout_of(figure) -> dict:
    return json.loads(figure.to_json())["layout"]


def random_state(n_components: int, n_features: int = 64, seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.uniform(0.01, 0.99, (n_components, n_features)), rng.dirichlet(
        np.ones(n_components)
    )


def image_extent(trace: dict) -> tuple[float, float, float, float]:
    """(left, right, top, bottom) edges of a heatmap offset by x0, y0 (unit pixels)."""
    rows, columns = np.shape(trace["z"])
    return (
        trace["x0"] - 0.5,
        trace["x0"] + columns - 0.5,
        trace["y0"] - 0.5,
        trace["y0"] + rows - 0.5,
    )


# --- prototypes ------------------------------------------------------------------------


def test_prototype_images_are_the_reshaped_probabilities_row_0_on_top():
    probabilities, weights = random_state(3)
    figure = figure_prototypes(probabilities, weights)
    traces = figure_data(figure)
    assert [t["type"] for t in traces] == ["heatmap"] * 3
    for k, trace in enumerate(traces):
        np.testing.assert_array_equal(trace["z"], probabilities[k].reshape(8, 8))
        assert trace["dx"] == trace["dy"] == 1
    y_axis = layout_of(figure)["yaxis"]
    start, end = y_axis["range"]
    assert start > end  # reversed: z[0] (at y0, the smallest y) is drawn at the top
    for trace in traces:
        _, _, top, bottom = image_extent(trace)
        assert end <= top and bottom <= start


def test_prototype_pixels_are_square_grey_and_share_one_colour_bar():
    probabilities, weights = random_state(4)
    figure = figure_prototypes(probabilities, weights)
    layout = layout_of(figure)
    assert layout["yaxis"]["scaleanchor"] == "x"
    assert (
        layout["xaxis"]["showticklabels"] is False and layout["yaxis"]["showticklabels"] is False
    )
    colour_axis = layout["coloraxis"]
    assert (colour_axis["cmin"], colour_axis["cmax"]) == (0, 1)
    assert colour_axis["colorscale"][0][1].upper() == "#FFFFFF"
    assert colour_axis["colorscale"][-1][1].upper() == "#000000"
    assert colour_axis["colorbar"]["title"]["text"] == "P(pixel = 1)"
    assert all(t["coloraxis"] == "coloraxis" for t in figure_data(figure))
    assert all("showscale" not in t for t in figure_data(figure))


def test_prototype_frames_and_titles_are_in_component_colours_with_the_weight():
    probabilities, weights = random_state(10, seed=1)
    layout = layout_of(figure_prototypes(probabilities, weights))
    traces = figure_data(figure_prototypes(probabilities, weights))
    hex_colours, _ = component_colours(10)
    assert len(layout["shapes"]) == len(layout["annotations"]) == 10
    for k, (trace, frame, caption) in enumerate(
        zip(traces, layout["shapes"], layout["annotations"], strict=True)
    ):
        assert frame["line"]["color"] == hex_colours[k]
        left, right, top, bottom = image_extent(trace)
        assert (frame["x0"], frame["x1"], frame["y0"], frame["y1"]) == (left, right, top, bottom)
        assert f"Component {k + 1}</b>" in caption["text"]
        assert hex_colours[k] in caption["text"]
        assert f"π = {weights[k]:.2f}" in caption["text"]
        assert caption["y"] == top and caption["yanchor"] == "bottom"  # just above the image
        assert left < caption["x"] < right


def test_prototype_frames_are_not_clipped_by_the_axes():
    probabilities, weights = random_state(7)
    layout = layout_of(figure_prototypes(probabilities, weights))
    (x_low, x_high), (y_high, y_low) = layout["xaxis"]["range"], layout["yaxis"]["range"]
    for frame in layout["shapes"]:
        assert x_low < frame["x0"] and frame["x1"] < x_high
        assert y_low < frame["y0"] and frame["y1"] < y_high


@pytest.mark.parametrize(
    ("n_components", "rows", "columns"), [(1, 1, 1), (3, 1, 3), (6, 1, 6), (7, 2, 4), (12, 2, 6)]
)
def test_prototypes_wrap_onto_two_rows_above_six(n_components, rows, columns):
    probabilities, weights = random_state(n_components)
    traces = figure_data(figure_prototypes(probabilities, weights))
    assert len(traces) == n_components
    assert len({t["y0"] for t in traces}) == rows
    assert len({t["x0"] for t in traces}) == columns
    for earlier, later in itertools.pairwise(traces):  # reading order
        assert (earlier["y0"], earlier["x0"]) < (later["y0"], later["x0"])
    for a in traces:  # no two images overlap
        for b in traces:
            if a is not b:
                la, ra, ta, ba = image_extent(a)
                lb, rb, tb, bb = image_extent(b)
                assert ra <= lb or rb <= la or ba <= tb or bb <= ta


def test_prototype_traces_stay_the_same_across_states():
    first = figure_prototypes(*random_state(5, seed=2))
    second = figure_prototypes(*random_state(5, seed=3), title="Iteration 4")
    described = [
        [(t["type"], t["name"], t["x0"], t["y0"]) for t in figure_data(figure)]
        for figure in (first, second)
    ]
    assert described[0] == described[1]
    assert len(layout_of(first)["shapes"]) == len(layout_of(second)["shapes"])
    assert layout_of(second)["title"]["text"] == "Iteration 4"


def test_prototypes_of_other_shapes_keep_their_rows():
    probabilities = np.arange(2 * 12, dtype=float).reshape(2, 12) / 24
    (trace, _) = figure_data(figure_prototypes(probabilities, [0.5, 0.5], (3, 4)))
    np.testing.assert_array_equal(trace["z"], probabilities[0].reshape(3, 4))
    assert image_extent(trace)[1] - image_extent(trace)[0] == 4


# --- weights ---------------------------------------------------------------------------


@pytest.mark.parametrize("n_components", [1, 3, 12])
def test_weights_are_labelled_bars_in_component_colours(n_components):
    _, weights = random_state(n_components)
    figure = figure_weights(weights)
    (bars,) = figure_data(figure)
    assert bars["type"] == "bar"
    np.testing.assert_allclose(bars["y"], weights)
    assert list(bars["x"]) == [str(k + 1) for k in range(n_components)]
    assert bars["marker"]["color"] == component_colours(n_components)[0]
    assert list(bars["text"]) == [f"{w:.2f}" for w in weights]
    assert list(figure.layout.yaxis.range) == [0, 1]
    assert figure.layout.font.size == CURVE_FONT_SIZE  # a narrow column beside the prototypes


# --- digits ----------------------------------------------------------------------------


@pytest.fixture
def digits() -> np.ndarray:
    return (np.random.default_rng(4).random((8, 64)) > 0.6).astype(float)


def test_digit_images_and_responsibility_bars_match_the_inputs(digits):
    resp = np.random.default_rng(5).dirichlet(np.ones(10), size=8)
    traces = figure_data(figure_digit_responsibilities(digits, resp, labels=range(8)))
    assert [t["type"] for t in traces] == ["heatmap"] * 8 + ["bar"]
    for i, image in enumerate(traces[:8]):
        np.testing.assert_array_equal(image["z"], digits[i].reshape(8, 8))
    bars = traces[-1]
    np.testing.assert_array_equal(bars["y"], resp.ravel())
    hex_colours, _ = component_colours(10)
    assert bars["marker"]["color"] == hex_colours * 8
    np.testing.assert_array_equal(
        bars["customdata"][:12], [[1, k] for k in range(1, 11)] + [[2, 1], [2, 2]]
    )
    # sample i's bars stand under its image, in component order
    x = bars["x"].reshape(8, 10)
    for i, image in enumerate(traces[:8]):
        left, right, _, _ = image_extent(image)
        assert np.all((left < x[i]) & (x[i] < right))
        assert np.all(np.diff(x[i]) > 0)


def test_digit_bars_are_probabilities_and_images_binary_grey(digits):
    figure = figure_digit_responsibilities(digits, np.full((8, 3), 1 / 3))
    layout = layout_of(figure)
    assert figure_data(figure)[-1]["yaxis"] == "y2"
    assert layout["yaxis2"]["range"] == [0, 1]
    assert layout["yaxis"]["range"][0] > layout["yaxis"]["range"][1]
    assert layout["coloraxis"]["showscale"] is False
    assert (layout["coloraxis"]["cmin"], layout["coloraxis"]["cmax"]) == (0, 1)


def test_digits_before_the_first_e_step_have_empty_bars_and_say_so(digits):
    before = figure_digit_responsibilities(digits, None, labels=range(8))
    after = figure_digit_responsibilities(digits, np.full((8, 4), 0.25), labels=range(8))
    shape = [[(t["type"], t["name"]) for t in figure_data(f)] for f in (before, after)]
    assert shape[0] == shape[1]
    assert np.size(figure_data(before)[-1]["y"]) == 0
    texts_before = [a["text"] for a in layout_of(before)["annotations"]]
    texts_after = [a["text"] for a in layout_of(after)["annotations"]]
    assert "no E-step yet" in texts_before
    assert "no E-step yet" not in texts_after


def test_digit_labels_title_the_images_and_are_escaped(digits):
    labels = [3, 1, 4, 1, 5, 9, 2, "<6>"]
    layout = layout_of(figure_digit_responsibilities(digits, None, labels=labels))
    texts = [a["text"] for a in layout["annotations"]]
    assert texts[:8] == ["a 3", "a 1", "a 4", "a 1", "a 5", "a 9", "a 2", "a &lt;6&gt;"]
    plain = layout_of(figure_digit_responsibilities(digits, np.ones((8, 1))))
    assert plain.get("annotations", []) == []


@pytest.mark.parametrize("n_components", [1, 12])
def test_digits_work_with_one_and_twelve_components(digits, n_components):
    resp = np.random.default_rng(6).dirichlet(np.ones(n_components), size=6)
    traces = figure_data(figure_digit_responsibilities(digits[:6], resp))
    assert len(traces) == 7
    assert traces[-1]["y"].size == 6 * n_components


# --- probability paths -----------------------------------------------------------------


def record(iteration: int, phase: str, probabilities, weights=(0.5, 0.5)) -> Record:
    params = types.SimpleNamespace(
        weights=np.asarray(weights, dtype=float),
        probabilities=np.asarray(probabilities, dtype=float),
    )
    return Record(iteration, phase, -10.0 * iteration, -10.0 * iteration, params)


@pytest.fixture
def coin_history() -> list[Record]:
    a, b = 0.6, 0.5
    history = [record(0, "init", [[a], [b]])]
    for iteration in range(1, 5):
        history.append(record(iteration, "E", [[a], [b]]))
        a, b = a + 0.5 * (0.8 - a), b + 0.5 * (0.45 - b)
        history.append(record(iteration, "M", [[a], [b]]))
    return history


@pytest.mark.parametrize("current_index", [0, 3, -1])
def test_paths_follow_every_record_and_ring_the_current_one(coin_history, current_index):
    figure = figure_probability_paths(coin_history, current_index, names=["coin A", "coin B"])
    line_a, line_b, ring = figure_data(figure)
    x = [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4]
    for k, line in enumerate((line_a, line_b)):
        np.testing.assert_array_equal(line["x"], x)
        np.testing.assert_array_equal(line["y"], [r.probabilities[k, 0] for r in coin_history])
    assert [line_a["name"], line_b["name"]] == ["coin A", "coin B"]
    assert list(line_a["marker"]["symbol"][:3]) == ["square", "diamond", "circle"]
    current = coin_history[current_index]
    np.testing.assert_array_equal(ring["x"], [x[current_index]] * 2)
    np.testing.assert_array_equal(ring["y"], current.probabilities[:, 0])
    assert ring["marker"]["symbol"] == "circle-open"
    assert list(figure.layout.yaxis.range) == [0, 1]


def test_paths_keep_their_traces_from_the_start_on(coin_history):
    start = figure_data(figure_probability_paths(coin_history[:1], 0))
    later = figure_data(figure_probability_paths(coin_history, -1))
    assert [(t["type"], t["name"]) for t in start] == [(t["type"], t["name"]) for t in later]
    assert [t["name"] for t in start[:2]] == ["Component 1", "Component 2"]
    hex_colours, _ = component_colours(2)
    assert [t["line"]["color"] for t in later[:2]] == hex_colours
    assert [t["marker"]["color"] for t in later[:2]] == hex_colours
    np.testing.assert_array_equal(start[0]["x"], [0])


def test_paths_draw_the_chosen_feature():
    history = [
        record(0, "init", [[0.1, 0.9], [0.2, 0.7]]),
        record(1, "E", [[0.1, 0.9], [0.2, 0.7]]),
    ]
    line_a, line_b, ring = figure_data(figure_probability_paths(history, 1, feature=1))
    np.testing.assert_array_equal(line_a["y"], [0.9, 0.9])
    np.testing.assert_array_equal(line_b["y"], [0.7, 0.7])
    np.testing.assert_array_equal(ring["y"], [0.9, 0.7])


# --- coins -----------------------------------------------------------------------------


def test_coins_show_biases_weights_and_both_rates():
    p, w = np.array([[0.3], [0.6], [0.9]]), np.array([0.2, 0.5, 0.3])
    figure = figure_coins(p, w, 0.55, names=["coin A", "coin B", "coin C"])
    bars, model, observed = figure_data(figure)
    np.testing.assert_array_equal(bars["y"], [0.3, 0.6, 0.9])
    assert list(bars["text"]) == ["p = 0.30", "p = 0.60", "p = 0.90"]
    assert bars["marker"]["color"] == component_colours(3)[0]
    ticks = list(figure.layout.xaxis.ticktext)
    assert ticks == ["coin A<br>π = 0.20", "coin B<br>π = 0.50", "coin C<br>π = 0.30"]
    np.testing.assert_allclose(model["y"], [0.63, 0.63])
    np.testing.assert_array_equal(observed["y"], [0.55, 0.55])
    assert "dash" not in model["line"] and observed["line"]["dash"] == "dash"
    assert list(model["x"]) == list(observed["x"]) == [-0.5, 2.5]  # across all bars
    assert "0.630" in model["name"] and "0.550" in observed["name"]
    assert list(figure.layout.yaxis.range) == [0, 1]


def test_coinciding_rates_stay_readable():
    p, w = np.array([0.3, 0.6, 0.9]), np.array([0.2, 0.5, 0.3])
    _, model, observed = figure_data(figure_coins(p, w, float(w @ p)))
    np.testing.assert_array_equal(model["y"], observed["y"])
    # the dashed observed line is drawn last, narrower, on top of the model's band
    assert observed["line"]["width"] < model["line"]["width"]
    assert observed["line"]["color"] != model["line"]["color"]
    assert model.get("showlegend", True) and observed.get("showlegend", True)
    assert "0.630" in model["name"] and "0.630" in observed["name"]


def test_coins_keep_their_traces_and_take_one_coin():
    one = figure_data(figure_coins(np.array([[0.4]]), np.array([1.0]), 0.4))
    two = figure_data(figure_coins(np.array([[0.4], [0.7]]), np.array([0.5, 0.5]), 0.5))
    assert [(t["type"], len(t["x"])) for t in one][1:] == [(t["type"], len(t["x"])) for t in two][
        1:
    ]
    assert [t["type"] for t in one] == ["bar", "scatter", "scatter"]
    with pytest.raises(ValueError):
        figure_coins(np.ones((2, 3)) / 2, np.array([0.5, 0.5]), 0.5)
