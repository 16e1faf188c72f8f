"""Tests of the views of data in more than two dimensions (em_viz.engine.projection,
em_viz.figures.pairs) and of the four- and thirteen-feature presets, read back through
the figures' JSON as the browser gets them."""

import json

import numpy as np
import pytest
from plotly_json import figure_data, shown_colours
from scipy.stats import norm
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

from em_viz import BayesianGaussianMixtureEM, GaussianMixtureEM
from em_viz.data import IRIS_FEATURES, WINE_FEATURES, Dataset, iris_measurements, wine
from em_viz.engine.families.gaussian import GaussianParams
from em_viz.engine.projection import component_densities, marginal, principal_components
from em_viz.figures.grid import ROW_TITLE_WIDTH, TITLE_WIDTH
from em_viz.figures.mixture import FADED_OPACITY, figure_mixture
from em_viz.figures.pairs import (
    HISTOGRAM_NAME,
    MAX_GRID_FEATURES,
    TOTAL_NAME,
    figure_for,
    figure_pairs,
)
from em_viz.figures.style import CURVE_FONT_SIZE
from em_viz.figures.tables import parameters_table

D, K = 4, 3


def random_params(seed: int = 0, n_features: int = D, n_components: int = K) -> GaussianParams:
    """Components with correlated covariances, well inside [-10, 10] on every axis."""
    rng = np.random.default_rng(seed)
    weights = rng.dirichlet(np.ones(n_components) * 3)
    means = rng.uniform(-2, 2, (n_components, n_features))
    factors = rng.normal(size=(n_components, n_features, n_features)) * 0.4
    covariances = factors @ np.swapaxes(factors, 1, 2) + 0.2 * np.eye(n_features)
    return GaussianParams(weights, means, covariances)


def spread_data(seed: int = 1, n: int = 200, n_features: int = D) -> np.ndarray:
    """Points spanning [-10, 10] or wider on every axis, so every plotted range covers
    the components of :func:`random_params` with room to spare."""
    X = np.random.default_rng(seed).uniform(-10, 10, (n, n_features))
    X[0], X[1] = -10, 10
    return X * (1 + 0.1 * np.arange(n_features))  # ranges told apart by their width


def responsibilities(n: int, seed: int = 2) -> np.ndarray:
    return np.random.default_rng(seed).dirichlet(np.ones(K), size=n)


def split_curves(x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    """A NaN-separated path as its (n, 2) pieces."""
    points = np.column_stack([x, y]).astype(float)
    breaks = np.flatnonzero(np.isnan(points[:, 0]))
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [len(points)]])
    return [points[a:b] for a, b in zip(starts, ends, strict=True) if b > a]


def quadratic_form(points: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
    gaps = points - mean
    return np.einsum("ni,ni->n", gaps, np.linalg.solve(cov, gaps.T).T)


def cell_of(trace: dict) -> tuple[str, str]:
    return trace.get("xaxis", "x"), trace.get("yaxis", "y")


def cell_features(data: list[dict], X: np.ndarray) -> dict[tuple[str, str], tuple[int, int]]:
    """Each off-diagonal cell's (x feature, y feature), found from its points' values."""
    found = {}
    for trace in data:
        if trace.get("name") != "Data points":
            continue
        x, y = np.asarray(trace["x"]), np.asarray(trace["y"])
        (fx,) = [j for j in range(X.shape[1]) if np.array_equal(X[:, j], x)]
        (fy,) = [j for j in range(X.shape[1]) if np.array_equal(X[:, j], y)]
        found[cell_of(trace)] = (fx, fy)
    return found


# --- the pure computations ---------------------------------------------------------------


def test_marginal_is_the_sub_block_in_the_order_asked():
    params = random_params()
    means, covariances = marginal(params.means, params.covariances, [3, 1])
    assert means.shape == (K, 2) and covariances.shape == (K, 2, 2)
    for k in range(K):
        np.testing.assert_array_equal(means[k], params.means[k, [3, 1]])
        expected = [
            [params.covariances[k, 3, 3], params.covariances[k, 3, 1]],
            [params.covariances[k, 1, 3], params.covariances[k, 1, 1]],
        ]
        np.testing.assert_array_equal(covariances[k], expected)


def test_marginal_of_samples_has_the_sub_block_as_its_covariance():
    """The marginal is the distribution of the chosen coordinates of samples."""
    params = random_params(3)
    rng = np.random.default_rng(0)
    samples = rng.multivariate_normal(params.means[0], params.covariances[0], 400_000)
    means, covariances = marginal(params.means, params.covariances, [2, 0])
    np.testing.assert_allclose(samples[:, [2, 0]].mean(axis=0), means[0], atol=0.01)
    np.testing.assert_allclose(np.cov(samples[:, [2, 0]].T), covariances[0], atol=0.01)


def test_principal_components_equal_scikit_learns_on_the_scaled_data():
    X = wine().X
    projection = principal_components(X)
    scaler = StandardScaler().fit(X)
    pca = PCA(n_components=2).fit(scaler.transform(X))
    np.testing.assert_allclose(projection.explained, pca.explained_variance_ratio_, rtol=1e-10)
    reference = pca.transform(scaler.transform(X))
    ours = projection.points(X)
    signs = np.sign(np.sum(ours * reference, axis=0))
    np.testing.assert_allclose(ours, reference * signs, atol=1e-9)
    np.testing.assert_allclose(projection.axes, signs[:, None] * pca.components_ / scaler.scale_)


def test_principal_components_signs_are_fixed_by_the_largest_loading():
    X = iris_measurements().X
    first = principal_components(X)
    flipped = principal_components(X[::-1].copy())
    np.testing.assert_allclose(first.axes, flipped.axes, atol=1e-12)
    scaled_axes = first.axes * X.std(axis=0)
    for row in scaled_axes:
        assert row[np.argmax(np.abs(row))] > 0


def test_principal_components_of_a_constant_feature_stay_finite():
    X = np.column_stack([np.arange(10.0), np.full(10, 3.0), np.arange(10.0) ** 2])
    projection = principal_components(X)
    assert np.isfinite(projection.axes).all() and np.isfinite(projection.explained).all()
    assert projection.explained.sum() == pytest.approx(1.0)


def test_projected_gaussians_are_a_sigma_a_transposed():
    params = random_params()
    projection = principal_components(spread_data())
    means, covariances = projection.gaussians(params.means, params.covariances)
    A = projection.axes
    for k in range(K):
        np.testing.assert_allclose(means[k], A @ (params.means[k] - projection.centre))
        np.testing.assert_allclose(covariances[k], A @ params.covariances[k] @ A.T)


def test_component_densities_are_weighted_normals_integrating_to_the_weights():
    weights, means, variances = np.array([0.2, 0.8]), np.array([-1.0, 2.0]), np.array([0.5, 2.0])
    grid = np.linspace(-30, 30, 20_001)
    densities = component_densities(grid, weights, means, variances)
    assert densities.shape == (2, grid.size)
    np.testing.assert_allclose(
        densities,
        weights[:, None] * norm.pdf(grid, means[:, None], np.sqrt(variances)[:, None]),
        atol=1e-300,
    )
    np.testing.assert_allclose(np.trapezoid(densities, grid), weights, rtol=1e-9)


# --- the pairs grid ----------------------------------------------------------------------


def test_marginal_ellipses_satisfy_the_sub_blocks_quadratic_form():
    X, params = spread_data(), random_params()
    data = figure_data(
        figure_pairs(X, params, responsibilities(len(X)), feature_names=IRIS_FEATURES)
    )
    cells = cell_features(data, X)
    assert sorted(cells.values()) == sorted((c, r) for r in range(D) for c in range(r))
    checked = 0
    for trace in data:
        if not str(trace.get("name", "")).startswith("Component ") or trace["mode"] != "lines":
            continue
        if cell_of(trace) not in cells:
            continue  # a diagonal density
        k = int(trace["name"].split()[1]) - 1
        fx, fy = cells[cell_of(trace)]
        mean = params.means[k, [fx, fy]]
        cov = params.covariances[k][np.ix_([fx, fy], [fx, fy])]
        radius = 2.0 if trace["line"].get("dash") == "dash" else 1.0
        (curve,) = split_curves(trace["x"], trace["y"])
        np.testing.assert_allclose(quadratic_form(curve, mean, cov), radius**2, rtol=1e-9)
        checked += 1
    assert checked == len(cells) * K * 2


def test_each_cells_means_are_the_marginal_means_with_their_weights():
    X, params = spread_data(), random_params()
    data = figure_data(figure_pairs(X, params, None, feature_names=IRIS_FEATURES))
    cells = cell_features(data, X)
    means = [trace for trace in data if trace.get("name") == "means"]
    assert len(means) == len(cells)
    for trace in means:
        fx, fy = cells[cell_of(trace)]
        np.testing.assert_allclose(
            np.column_stack([trace["x"], trace["y"]]), params.means[:, [fx, fy]]
        )
        np.testing.assert_allclose(np.asarray(trace["customdata"])[:, 1], params.weights)


def test_diagonal_densities_are_the_components_normals_and_integrate_to_the_weights():
    X, params = spread_data(), random_params()
    figure = figure_pairs(X, params, None, feature_names=IRIS_FEATURES)
    data = figure_data(figure)
    diagonal_axes = {cell_of(t) for t in data if t["name"] == HISTOGRAM_NAME}
    assert len(diagonal_axes) == D
    layout = json.loads(figure.to_json())["layout"]
    for cell in diagonal_axes:
        traces = [t for t in data if cell_of(t) == cell and not t.get("showlegend")]
        histogram, lines = traces[0], traces[1:]
        assert histogram["name"] == HISTOGRAM_NAME
        assert [t["name"] for t in lines] == [f"Component {k + 1}" for k in range(K)] + [
            TOTAL_NAME
        ]
        suffix = cell[0][1:]
        title = layout[f"xaxis{suffix}"].get("title")
        grid = np.asarray(lines[0]["x"], dtype=float)
        # which feature: the one whose data range (with margin) the grid spans
        (feature,) = [
            j for j in range(D) if np.isclose(grid[0], X[:, j].min() - 0.08 * np.ptp(X[:, j]))
        ]
        assert title is None or feature == D - 1
        curves = np.array([t["y"] for t in lines], dtype=float)
        sd = np.sqrt(params.covariances[:, feature, feature])
        expected = params.weights[:, None] * norm.pdf(
            grid, params.means[:, feature, None], sd[:, None]
        )
        np.testing.assert_allclose(curves[:K], expected, rtol=1e-12, atol=1e-300)
        np.testing.assert_allclose(curves[K], expected.sum(axis=0), rtol=1e-12)
        np.testing.assert_allclose(np.trapezoid(curves[:K], grid), params.weights, rtol=1e-6)
        np.testing.assert_allclose(np.trapezoid(curves[K], grid), 1.0, rtol=1e-6)
        # A step from each bin's left edge: the last height only closes the line.
        heights = np.asarray(histogram["y"], float)[:-1]
        widths = np.diff(np.asarray(histogram["x"], float))
        assert histogram["line"]["shape"] == "hv" and histogram["fill"] == "tozeroy"
        assert np.sum(heights * widths) == pytest.approx(1.0)
        top = layout[f"yaxis{suffix}"]["range"][1]
        assert top >= max(curves.max(), heights.max())


def test_points_are_coloured_as_the_mixture_figure_colours_them():
    X, params = spread_data(), random_params()
    resp = responsibilities(len(X))
    pairs = figure_data(figure_pairs(X, params, resp, feature_names=IRIS_FEATURES))
    means, covariances = marginal(params.means, params.covariances, [0, 1])
    mixture = figure_data(
        figure_mixture(X[:, :2], GaussianParams(params.weights, means, covariances), resp)
    )
    (reference,) = [t for t in mixture if t.get("name") == "Data points"]
    expected = shown_colours(reference["marker"]["color"], reference["marker"]["colorscale"])
    points = [t for t in pairs if t.get("name") == "Data points"]
    assert len(points) == D * (D - 1) // 2
    for trace in points:
        marker = trace["marker"]
        np.testing.assert_allclose(shown_colours(marker["color"], marker["colorscale"]), expected)
        np.testing.assert_allclose(np.asarray(trace["customdata"])[:, 1:], resp, atol=1e-7)


def test_before_any_e_step_the_points_are_grey_and_without_parameters_only_data_is_drawn():
    X = spread_data()
    data = figure_data(figure_pairs(X, None, None, feature_names=IRIS_FEATURES))
    assert {t["type"] for t in data} == {"scatter"}
    cells = [["Data points"] * row + [HISTOGRAM_NAME] for row in range(D)]  # row by row
    assert [t["name"] for t in data] == [name for cell in cells for name in cell]
    colours = shown_colours(data[1]["marker"]["color"], data[1]["marker"]["colorscale"])
    assert np.ptp(colours, axis=0).max() == 0


def run_states(X: np.ndarray, model=GaussianMixtureEM, **options) -> list[tuple]:
    em = model(X, K, random_state=0, **options)
    for _ in range(4):
        em.step()
    return [(em.history[i].params, em.responsibilities_at(i)) for i in range(len(em.history))]


def signature(figure) -> list[tuple]:
    return [
        (t["type"], t.get("name"), cell_of(t), t.get("mode"), len(t.get("x", [])))
        for t in figure_data(figure)
    ]


@pytest.mark.parametrize("model", [GaussianMixtureEM, BayesianGaussianMixtureEM])
def test_the_same_traces_in_the_same_order_in_every_state(model):
    dataset = iris_measurements()
    states = run_states(dataset.X, model)
    assert states[0][1] is None and states[-1][1] is not None
    for view in ("pairs", "pca"):
        figures = [figure_for(dataset, params, resp, view=view) for params, resp in states]
        first = signature(figures[0])
        assert all(signature(figure) == first for figure in figures[1:])
        layouts = [json.loads(figure.to_json())["layout"] for figure in figures]
        assert len({layout["uirevision"] for layout in layouts}) == 1
        x_axes = {json.dumps(layout["xaxis"], sort_keys=True) for layout in layouts}
        assert len(x_axes) == 1  # the axes do not move between states


def test_features_choose_the_grid_and_beyond_five_the_first_five_are_shown():
    dataset = wine()
    em = GaussianMixtureEM(dataset.X, K, random_state=0)
    em.step()
    default = figure_data(figure_for(dataset, em.params, em.responsibilities))
    assert sorted(set(cell_features(default, dataset.X).values())) == sorted(
        (c, r) for r in range(MAX_GRID_FEATURES) for c in range(r)
    )
    chosen = figure_for(dataset, em.params, em.responsibilities, features=[12, 0, 6])
    assert sorted(cell_features(figure_data(chosen), dataset.X).values()) == [
        (0, 6),
        (12, 0),
        (12, 6),
    ]
    layout = json.loads(chosen.to_json())["layout"]
    titles = [
        layout[name]["title"]["text"]
        for name in layout
        if name.startswith("xaxis") and "title" in layout[name]
    ]
    assert [title.replace("<br>", " ") for title in titles] == [
        "proline",
        "alcohol (% vol)",
        "flavonoids",
    ]
    with pytest.raises(ValueError, match="1 to 5"):
        figure_for(dataset, em.params, None, features=list(range(6)))
    with pytest.raises(ValueError, match="distinct"):
        figure_for(dataset, em.params, None, features=[1, 1])


def test_grid_names_every_feature_under_it_and_beside_its_row_in_short_lines():
    dataset = wine()
    shown = [11, 7, 0, 3, 9]
    figure = figure_pairs(
        dataset.X, None, None, feature_names=dataset.feature_names, features=shown
    )
    layout = json.loads(figure.to_json())["layout"]
    assert layout["font"]["size"] >= CURVE_FONT_SIZE
    x_axes = sorted(
        (name for name in layout if name.startswith("xaxis")), key=lambda n: int(n[5:] or 1)
    )
    under = [layout[name]["title"]["text"] for name in x_axes if "title" in layout[name]]
    beside = [annotation["text"] for annotation in layout["annotations"]]
    assert [title.replace("<br>", " ") for title in under] == [WINE_FEATURES[j] for j in shown]
    assert [title.replace("<br>", " ") for title in beside] == [
        WINE_FEATURES[j] for j in shown[1:]
    ]
    assert not any("title" in layout[name] for name in layout if name.startswith("yaxis"))
    for titles, width in ((under, TITLE_WIDTH), (beside, ROW_TITLE_WIDTH)):
        lines = [line for title in titles for line in title.split("<br>")]
        assert all(len(line) <= width or " " not in line for line in lines)
    assert "non-flavonoid<br>phenols" in beside
    heights = [annotation["y"] for annotation in layout["annotations"]]
    assert heights == sorted(heights, reverse=True)  # one per row, top to bottom
    assert "OD280/OD315 of<br>diluted wine" in under


def test_figure_for_refuses_an_unknown_view():
    with pytest.raises(ValueError, match="view"):
        figure_for(iris_measurements(), None, None, view="three-d")


# --- the presets ---------------------------------------------------------------------------


def test_iris_with_all_four_measurements():
    dataset = iris_measurements()
    assert dataset.X.shape == (150, 4)
    assert (
        dataset.feature_names
        == IRIS_FEATURES
        == (
            "sepal length (cm)",
            "sepal width (cm)",
            "petal length (cm)",
            "petal width (cm)",
        )
    )
    assert np.bincount(dataset.labels).tolist() == [50, 50, 50]
    assert dataset.X[0].tolist() == [5.1, 3.5, 1.4, 0.2]  # Fisher's first flower


def test_wine_with_its_thirteen_measurements_in_plain_words():
    dataset = wine()
    assert dataset.X.shape == (178, 13)
    assert dataset.feature_names == WINE_FEATURES and len(WINE_FEATURES) == 13
    assert all("_" not in name for name in WINE_FEATURES)
    assert dataset.feature_names[0] == "alcohol (% vol)"
    assert dataset.X[:, 0].min() >= 11 and dataset.X[:, 0].max() <= 15  # percent by volume
    assert np.bincount(dataset.labels).tolist() == [59, 71, 48]


def test_a_dataset_needs_one_name_per_feature_and_two_features():
    with pytest.raises(ValueError, match="3 feature names"):
        Dataset(np.zeros((4, 3)), None, "bad", ("a", "b"))
    with pytest.raises(ValueError, match="n_features >= 2"):
        Dataset(np.zeros((4, 1)), None, "bad", ("a",))


def test_the_parameters_table_has_every_feature_and_every_pair():
    params = random_params()
    table = parameters_table(params, feature_names=IRIS_FEATURES)
    assert len(table.columns) == 1 + D + D + D * (D - 1) // 2
    assert table.index.tolist() == [f"Component {k + 1}" for k in range(K)]
    np.testing.assert_array_equal(table["weight"], params.weights)
    for d, name in enumerate(IRIS_FEATURES):
        np.testing.assert_array_equal(table[f"mean {name}"], params.means[:, d])
        np.testing.assert_array_equal(table[f"var {name}"], params.covariances[:, d, d])
    np.testing.assert_array_equal(
        table["cov sepal width (cm),petal width (cm)"], params.covariances[:, 1, 3]
    )


def test_components_below_the_fading_weight_are_drawn_faint_in_both_views():
    X, params = spread_data(), random_params()
    weights = np.array([0.995, 0.004, 0.001])
    params = GaussianParams(weights, params.means, params.covariances)
    data = figure_data(figure_pairs(X, params, None, feature_names=IRIS_FEATURES, fade_below=0.01))
    lines = [t for t in data if str(t.get("name", "")).startswith("Component ")]
    assert lines
    for trace in lines:
        faint = trace["name"] != "Component 1"
        assert trace.get("opacity", 1.0) == (FADED_OPACITY if faint else 1.0)
    for halo in (t for t in data if t.get("name") == "halo"):
        pieces = np.asarray(halo["x"], dtype=float).reshape(K, -1)
        assert np.isfinite(pieces[0, :-1]).all() and np.isnan(pieces[1:]).all()
    for means in (t for t in data if t.get("name") == "means"):
        np.testing.assert_allclose(means["marker"]["opacity"], [1.0, FADED_OPACITY, FADED_OPACITY])
    dataset = Dataset(X, None, "spread", IRIS_FEATURES)
    pca = figure_data(figure_for(dataset, params, None, view="pca", fade_below=0.01))
    opacities = {t.get("opacity", 1.0) for t in pca if t.get("name") == "Component 2"}
    assert opacities == {FADED_OPACITY}
