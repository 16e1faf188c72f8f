"""Tests for em_viz.figures, read back through the figures' JSON as the browser gets it."""

import json

import numpy as np
import pandas as pd
import pytest
from plotly_json import decode, figure_data, shown_colours

from em_viz.data import PRESETS, old_faithful
from em_viz.engine.families.gaussian import GaussianParams
from em_viz.engine.gaussian_em import GaussianMixtureEM
from em_viz.figures.curves import figure_log_likelihood
from em_viz.figures.geometry import mix_colours
from em_viz.figures.mixture import figure_mixture, figure_placing
from em_viz.figures.points import WEBGL_ABOVE
from em_viz.figures.style import FONT_SIZE, OUTLINE, PALETTE
from em_viz.figures.tables import parameters_table

CENTRES = np.array([[0.0, 0.0], [6.0, 1.0], [2.0, 6.0]])
K = 3


def mahalanobis_squared(points: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
    diff = points - mean
    return np.einsum("ni,ni->n", diff, np.linalg.solve(cov, diff.T).T)


def three_blobs(n_per_blob: int = 60, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    scales = np.array([[1.0, 0.5], [0.6, 1.2], [0.8, 0.8]])
    return np.vstack(
        [
            c + s * rng.standard_normal((n_per_blob, 2))
            for c, s in zip(CENTRES, scales, strict=True)
        ]
    )


@pytest.fixture
def engine() -> GaussianMixtureEM:
    return GaussianMixtureEM(three_blobs(), K, random_state=0)


def draw(engine: GaussianMixtureEM, **options) -> list[dict]:
    figure = figure_mixture(engine.X, engine.params, engine.responsibilities, **options)
    return figure_data(figure.to_json())


def layout(engine: GaussianMixtureEM, **options) -> dict:
    figure = figure_mixture(engine.X, engine.params, engine.responsibilities, **options)
    return json.loads(figure.to_json())["layout"]


def points(data: list[dict]) -> dict:
    (trace,) = [t for t in data if t.get("name") == "Data points"]
    return trace


def component(data: list[dict], k: int) -> tuple[dict, dict, dict]:
    """Component k's (2- and 3-sigma ellipses, 1-sigma ellipse, mean) traces."""
    outer, inner, mean = [t for t in data if t.get("legendgroup") == f"Component {k + 1}"]
    return outer, inner, mean


def same(a, b) -> bool:
    """Equal decoded trace values (arrays compared element by element, NaN equal to NaN)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[key], b[key]) for key in a)
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
    return a == b


def point_colours(trace: dict) -> np.ndarray:
    marker = trace["marker"]
    assert marker["cmin"] == -0.5
    assert marker["cmax"] == len(marker["colorscale"]) // 2 - 0.5
    return shown_colours(marker["color"], marker["colorscale"])


def test_trace_count_and_order_do_not_depend_on_the_state(engine):
    states = [draw(engine)]
    engine.e_step()
    states.append(draw(engine))
    engine.m_step()
    states.append(draw(engine))
    engine.step()
    states.append(draw(engine))
    layouts = [[(t["type"], t.get("name")) for t in data] for data in states]
    assert len(layouts[0]) == 2 + 3 * K + 3
    assert all(entry == layouts[0] for entry in layouts)
    assert layouts[0][0] == ("scatter", "Data points")  # SVG: the means stay on top
    assert layouts[0][1] == ("scatter", "halo")
    assert {kind for kind, _ in layouts[0][1:]} == {"scatter"}


def test_large_data_is_drawn_with_webgl():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(WEBGL_ABOVE + 1, 2))
    em = GaussianMixtureEM(X, 2, random_state=0)
    em.e_step()
    data = figure_data(figure_mixture(X, em.params, em.responsibilities).to_json())
    assert data[0]["type"] == "scattergl"
    small = figure_data(figure_mixture(X[:WEBGL_ABOVE], em.params, None).to_json())
    assert small[0]["type"] == "scatter"


def test_points_are_one_grey_before_the_first_e_step_and_mixed_after(engine):
    before = points(draw(engine))
    assert len(before["marker"]["colorscale"]) == 2
    grey = point_colours(before)
    assert np.all(grey == grey[0])
    assert grey[0][0] == grey[0][1] == grey[0][2]
    assert before["customdata"].shape == (len(engine.X), 1)

    engine.e_step()
    after = point_colours(points(draw(engine)))
    assert len(np.unique(after, axis=0)) > K


def test_point_colours_are_the_responsibility_mix_within_quantisation(engine):
    engine.e_step()
    colours = point_colours(points(draw(engine)))
    expected = mix_colours(engine.responsibilities, PALETTE[:K].astype(float))
    assert np.abs(colours - expected).max() <= 255 / 15 / 2


def test_e_step_changes_only_the_points_and_m_step_only_the_components(engine):
    before = draw(engine)
    engine.e_step()
    after_e = draw(engine)
    engine.m_step()
    after_m = draw(engine)

    assert not same(points(before), points(after_e))
    np.testing.assert_array_equal(points(before)["x"], points(after_e)["x"])
    np.testing.assert_array_equal(points(before)["y"], points(after_e)["y"])
    assert all(same(a, b) for a, b in zip(before[1:], after_e[1:], strict=True))

    assert same(points(after_e), points(after_m))
    for k in range(K):
        for a, b in zip(component(after_e, k), component(after_m, k), strict=True):
            assert not np.array_equal(a["x"], b["x"], equal_nan=True)


def test_ellipses_lie_at_mahalanobis_radius_one_two_and_three(engine):
    engine.step()
    data = draw(engine)
    for k in range(K):
        mean, cov = engine.means[k], engine.covariances[k]
        outer, inner, centre = component(data, k)
        assert "dash" not in inner["line"]
        assert outer["line"]["dash"] == "dash"
        assert inner["line"]["width"] > outer["line"]["width"]
        one = np.column_stack([inner["x"], inner["y"]])
        assert np.isnan(one[-1]).all()
        np.testing.assert_allclose(mahalanobis_squared(one[:-1], mean, cov), 1.0, rtol=1e-10)
        np.testing.assert_array_equal(one[0], one[-2])
        two_three = np.column_stack([outer["x"], outer["y"]])
        segments = np.split(two_three, np.flatnonzero(np.isnan(two_three[:, 0])) + 1)
        for radius, segment in zip((2.0, 3.0), segments[:2], strict=True):
            distances = mahalanobis_squared(segment[:-1], mean, cov)
            np.testing.assert_allclose(distances, radius**2, rtol=1e-10)
        np.testing.assert_array_equal(np.column_stack([centre["x"], centre["y"]]), [mean])


def test_components_are_named_coloured_and_in_the_legend_once(engine):
    data = draw(engine)
    for k in range(K):
        colour = "#{:02x}{:02x}{:02x}".format(*PALETTE[k])
        outer, inner, mean = component(data, k)
        assert inner["name"] == f"Component {k + 1}"
        assert f"Component {k + 1}" in mean["hovertemplate"]
        assert {outer["showlegend"], inner["showlegend"], mean["showlegend"]} == {False}
        assert mean["text"] == [str(k + 1)] and "text" in mean["mode"]
        assert {outer["line"]["color"].lower(), inner["line"]["color"].lower()} == {colour}
        assert mean["marker"]["color"].lower() == colour
        assert mean["marker"]["symbol"] == "x"
        assert mean["customdata"] == [[pytest.approx(engine.weights[k])]]
    assert points(data)["showlegend"] is False


def test_hover_customdata_is_index_and_responsibilities(engine):
    engine.step()
    engine.e_step()
    trace = points(draw(engine))
    customdata = trace["customdata"]
    np.testing.assert_array_equal(customdata[:, 0], np.arange(len(engine.X)))
    assert customdata.dtype == np.float32
    np.testing.assert_array_equal(customdata[:, 1:], engine.responsibilities.astype(np.float32))
    for k in range(K):
        assert f"customdata[{k + 1}]" in trace["hovertemplate"]
    assert "hovertext" not in trace and "text" not in trace


def test_large_data_is_sent_as_typed_arrays(engine):
    X = np.random.default_rng(3).normal(size=(20_000, 2))
    big = GaussianMixtureEM(X, 2, random_state=0)
    big.e_step()
    figure = figure_mixture(big.X, big.params, big.responsibilities)
    traces = json.loads(figure.to_json())["data"]
    trace = traces[0]
    # The points WebGL, the ellipses and means SVG: they glide (the page layers them on top).
    assert trace["type"] == "scattergl" and {t["type"] for t in traces[1:]} == {"scatter"}
    for value in (trace["x"], trace["y"], trace["marker"]["color"], trace["customdata"]):
        assert set(value) >= {"dtype", "bdata"}
    assert decode(trace["customdata"]).shape == (20_000, 3)
    assert decode(trace["marker"]["color"]).dtype == np.uint8  # a byte per point


def test_click_grid_exists_only_when_asked_and_lies_under_the_data(engine):
    plain = draw(engine)
    clickable = draw(engine, clickable=True)
    assert len(clickable) == len(plain) + 1
    assert not any(t.get("name") == "click grid" for t in plain)
    grid = clickable[0]
    assert grid["name"] == "click grid"
    assert grid["marker"]["opacity"] == 0
    assert grid["hoverinfo"] == "none"
    assert grid["x"].size == 40 * 40
    x_range, y_range = (layout(engine)[axis]["range"] for axis in ("xaxis", "yaxis"))
    assert [grid["x"].min(), grid["x"].max()] == pytest.approx(x_range)
    assert [grid["y"].min(), grid["y"].max()] == pytest.approx(y_range)
    assert all(same(a, b) for a, b in zip(plain, clickable[1:], strict=True))
    assert "dragmode" not in layout(engine, clickable=True)


def test_axes_are_equal_fixed_padded_and_readable(engine):
    before = layout(engine, feature_names=("length", "width"), uirevision="run-7")
    engine.step()
    engine.step()
    after = layout(engine, feature_names=("length", "width"), uirevision="run-7")
    assert before["xaxis"]["range"] == after["xaxis"]["range"]
    assert before["yaxis"]["range"] == after["yaxis"]["range"]
    low, high = engine.X.min(axis=0), engine.X.max(axis=0)
    for axis, i in (("xaxis", 0), ("yaxis", 1)):
        start, end = before[axis]["range"]
        assert start < low[i] and end > high[i]
        assert before[axis]["autorange"] is False
    assert before["yaxis"]["scaleanchor"] == "x"
    assert before["xaxis"]["title"]["text"] == "length"
    assert before["yaxis"]["title"]["text"] == "width"
    assert before["font"]["size"] >= 16
    assert before["uirevision"] == "run-7"
    assert before["paper_bgcolor"] == before["plot_bgcolor"] == "white"
    assert before.get("dragmode") is None


def test_axes_in_different_units_get_a_scale_each():
    X = old_faithful().X  # eruptions span 3.5 minutes, waiting times 53 minutes
    data = figure_mixture(X, None, None).to_plotly_json()["layout"]
    assert "scaleanchor" not in data["yaxis"]
    for axis, column in (("xaxis", X[:, 0]), ("yaxis", X[:, 1])):
        start, end = data[axis]["range"]
        extent = np.ptp(column)
        assert start == pytest.approx(column.min() - 0.08 * extent)
        assert end == pytest.approx(column.max() + 0.08 * extent)


def test_feature_names_are_escaped_in_titles_and_hover(engine):
    data = draw(engine, feature_names=("<b>a</b>", "b&c"))
    assert "&lt;b&gt;a&lt;/b&gt; = %{x" in points(data)["hovertemplate"]
    assert layout(engine, feature_names=("<b>a</b>", "b&c"))["yaxis"]["title"]["text"] == "b&amp;c"


def run(engine: GaussianMixtureEM, iterations: int = 4) -> GaussianMixtureEM:
    for _ in range(iterations):
        engine.e_step()
        engine.m_step()
    engine.e_step()
    return engine


@pytest.mark.parametrize("current_index", [0, 3, -1])
def test_log_likelihood_has_every_half_step_and_rings_the_current_one(engine, current_index):
    history = run(engine).history
    figure = figure_log_likelihood(history, current_index, len(engine.X))
    line, start, e_steps, m_steps, _, ring = figure_data(figure.to_json())
    np.testing.assert_array_equal(line["y"], [r.log_likelihood for r in history])
    assert line["x"].size == len(history) == 10
    np.testing.assert_array_equal(line["x"], [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5])
    assert start["x"].size == 1 and e_steps["x"].size == 5 and m_steps["x"].size == 4
    assert start["marker"]["symbol"] != e_steps["marker"]["symbol"] != m_steps["marker"]["symbol"]
    assert {start["name"], e_steps["name"], m_steps["name"]} == {"Start", "E-step", "M-step"}
    np.testing.assert_array_equal(
        e_steps["y"], [r.log_likelihood for r in history if r.phase == "E"]
    )
    current = history[current_index]
    assert ring["y"] == [current.log_likelihood]
    assert ring["x"] == [line["x"][current_index]]
    assert ring["marker"]["size"] > m_steps["marker"]["size"]


def test_log_likelihood_hover_and_title_give_the_mean_per_point(engine):
    history = run(engine, 2).history
    n = len(engine.X)
    figure = figure_log_likelihood(history, 4, n)
    _, _, e_steps, m_steps, _, _ = figure_data(figure.to_json())
    m_records = [r for r in history if r.phase == "M"]
    np.testing.assert_array_equal(m_steps["customdata"][:, 0], [r.iteration for r in m_records])
    np.testing.assert_allclose(
        m_steps["customdata"][:, 1], [r.log_likelihood / n for r in m_records]
    )
    assert "per point" in m_steps["hovertemplate"] and "E-step" in e_steps["hovertemplate"]
    title = figure.layout.title.text
    assert f"{abs(history[4].log_likelihood):,.1f}" in title
    assert f"{abs(history[4].log_likelihood) / n:.4f} per point" in title
    assert "\N{MINUS SIGN}" in title
    assert figure.layout.yaxis.title.text == "log-likelihood"
    assert figure.layout.title.font.size == FONT_SIZE >= 16


def test_log_likelihood_works_with_only_the_start(engine):
    figure = figure_log_likelihood(engine.history, 0, len(engine.X))
    line, start, e_steps, m_steps, _, ring = figure_data(figure.to_json())
    np.testing.assert_array_equal(line["y"], [engine.log_likelihood])
    np.testing.assert_array_equal(start["y"], [engine.log_likelihood])
    assert np.size(e_steps["x"]) == np.size(m_steps["x"]) == 0
    assert ring["x"] == [0.0]
    assert f"{abs(engine.log_likelihood):,.1f}" in figure.layout.title.text


def test_log_likelihood_ticks_are_whole_iterations(engine):
    figure = figure_log_likelihood(run(engine, 3).history, -1, len(engine.X))
    assert figure.layout.xaxis.dtick == 1 and figure.layout.xaxis.tick0 == 0
    assert "iteration" in figure.layout.xaxis.title.text
    long_run = run(GaussianMixtureEM(three_blobs(), K, random_state=1), 40).history
    dtick = figure_log_likelihood(long_run, -1, 180).layout.xaxis.dtick
    assert dtick == 5


def test_parameters_table_matches_the_engine(engine):
    engine.step()
    table = parameters_table(engine.params)
    assert list(table.index) == ["Component 1", "Component 2", "Component 3"]
    assert list(table.columns) == [
        "weight",
        "mean x1",
        "mean x2",
        "var x1",
        "var x2",
        "cov x1,x2",
    ]
    assert all(np.issubdtype(dtype, np.floating) for dtype in table.dtypes)
    expected = np.column_stack(
        [
            engine.weights,
            engine.means,
            engine.covariances[:, 0, 0],
            engine.covariances[:, 1, 1],
            engine.covariances[:, 0, 1],
        ]
    )
    np.testing.assert_array_equal(table.to_numpy(), expected)
    assert isinstance(table, pd.DataFrame)
    named = parameters_table(engine.params, feature_names=("length", "width"))
    assert "cov length,width" in named.columns


def test_mixture_figure_draws_the_data_alone_before_any_mean_is_placed():
    X = three_blobs()
    nothing = GaussianParams(np.zeros(0), np.zeros((0, 2)), np.zeros((0, 2, 2)))
    data = figure_data(figure_mixture(X, nothing, None, clickable=True).to_json())
    assert [t["name"] for t in data] == ["click grid", "Data points"]
    np.testing.assert_array_equal(data[1]["x"], X[:, 0])


def test_axis_ranges_follow_the_data_not_the_components(engine):
    far = GaussianParams(np.ones(1), np.array([[100.0, -80.0]]), 50.0 * np.eye(2)[None])
    near = json.loads(figure_mixture(engine.X, engine.params, None).to_json())["layout"]
    away = json.loads(figure_mixture(engine.X, far, None).to_json())["layout"]
    for axis in ("xaxis", "yaxis"):
        assert away[axis]["range"] == near[axis]["range"]
        assert max(np.abs(near[axis]["range"])) < 20


def legend_entries(data: list[dict]) -> list[str]:
    return [t["name"] for t in data if t.get("showlegend", True)]


@pytest.mark.parametrize("n_components", [3, 10])
def test_the_legend_is_a_key_to_the_lines_in_one_row_whatever_k(n_components):
    em = GaussianMixtureEM(three_blobs(), n_components, random_state=0)
    figure = json.loads(figure_mixture(em.X, em.params, None).to_json())
    data = figure_data(figure)
    sigma = "\N{GREEK SMALL LETTER SIGMA}"
    assert legend_entries(data) == [f"1{sigma} ellipse", f"2{sigma}, 3{sigma}", "mean"]
    solid, dashed, mean = data[-3:]
    assert "dash" not in solid["line"] and dashed["line"]["dash"] == "dash"
    assert solid["line"]["width"] == component(data, 0)[1]["line"]["width"]
    assert mean["marker"]["symbol"] == "x"
    legend = figure["layout"]["legend"]
    assert legend["orientation"] == "h" and legend["itemclick"] is False


def test_a_white_halo_lies_under_every_one_sigma_ellipse(engine):
    engine.step()
    data = draw(engine)
    halo = data[1]
    assert halo["name"] == "halo" and halo["line"]["color"] == "white"
    inner = [component(data, k)[1] for k in range(K)]
    np.testing.assert_array_equal(halo["x"], np.concatenate([t["x"] for t in inner]))
    np.testing.assert_array_equal(halo["y"], np.concatenate([t["y"] for t in inner]))
    assert halo["line"]["width"] >= inner[0]["line"]["width"] + 4
    assert data.index(halo) > data.index(points(data))
    assert all(data.index(halo) < data.index(t) for t in inner)


def test_at_thirty_thousand_points_ellipses_and_means_are_drawn_over_the_points():
    rng = np.random.default_rng(0)
    X = np.vstack([c + 0.6 * rng.standard_normal((10_000, 2)) for c in CENTRES])
    em = GaussianMixtureEM(X, K, random_state=0)
    em.step()
    em.e_step()
    data = draw(em)
    cloud = points(data)
    assert data.index(cloud) == 0
    assert cloud["type"] == "scattergl" and {t["type"] for t in data[1:]} == {"scatter"}
    assert cloud["marker"]["size"] <= 4 and cloud["marker"]["opacity"] <= 0.3
    small = points(draw(GaussianMixtureEM(X[:500], K, random_state=0)))
    assert small["marker"]["opacity"] > cloud["marker"]["opacity"]
    for k in range(K):
        _, inner, mean = component(data, k)
        assert mean["marker"]["line"]["color"] == OUTLINE
        assert inner["line"]["width"] >= 3
    assert data[1]["name"] == "halo"


def test_a_mean_leaves_a_tight_clusters_one_sigma_ellipse_in_view():
    """Four tight blobs (std 0.6) at the explorer's 500 px: the cross covers less than a
    third of the smallest 1-sigma ellipse's width, so the ellipse shows around it."""
    dataset = PRESETS["Four tight blobs"].make()
    em = GaussianMixtureEM(dataset.X, 4, random_state=0)
    em.run()
    figure = json.loads(figure_mixture(dataset.X, em.params, None).to_json())
    y_range = figure["layout"]["yaxis"]["range"]
    margin = figure["layout"]["margin"]
    px_per_unit = (500 - margin["t"] - margin["b"]) / (y_range[1] - y_range[0])
    narrowest = 2 * np.sqrt(np.linalg.eigvalsh(em.covariances).min()) * px_per_unit
    (mean_size,) = {component(figure_data(figure), k)[2]["marker"]["size"] for k in range(4)}
    assert 3 * mean_size <= narrowest


def test_the_view_for_placing_means_shows_the_run_views_ranges(engine):
    run = layout(engine)
    placing = json.loads(figure_placing(engine.X, np.zeros((0, 2))).to_json())["layout"]
    for name in ("xaxis", "yaxis"):
        assert placing[name] == run[name]
    assert run["yaxis"]["scaleanchor"] == "x"
