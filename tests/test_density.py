"""Large data as a shading: the image lines up with the axes, a cell shows its points'
mixed colour with an opacity growing with their count, empty cells are clear, and the
figure keeps its traces (count, order) across the threshold and across a run."""

import base64
import io

import numpy as np
import pytest
from PIL import Image

from em_viz.engine.gaussian_em import GaussianSettings
from em_viz.figures.density import (
    DENSITY_ABOVE,
    MIN_OPACITY,
    Grid,
    cell_of,
    density_rgba,
)
from em_viz.figures.frames import frame_patches
from em_viz.figures.geometry import oklab, srgb_from_oklab
from em_viz.figures.mixture import figure_mixture, mixture_traces
from em_viz.figures.style import GREY, to_rgb

CENTRES = np.array([[0.0, 0.0], [6.0, 6.0], [0.0, 6.0]])


def three_clusters(n_samples: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return CENTRES[rng.integers(3, size=n_samples)] + rng.normal(size=(n_samples, 2))


@pytest.fixture(scope="module")
def large_run():
    """Soft EM on 50,001 points after an E-step, an M-step and another E-step."""
    X = three_clusters(DENSITY_ABOVE + 1)
    em = GaussianSettings(n_components=3, init="random-points", random_state=0).build(X)
    em.e_step()
    em.m_step()
    em.e_step()
    return X, em


def pixels(trace: dict) -> np.ndarray:
    """The image trace's PNG as an (rows, columns, 4) array, row 0 first (at ``y0``)."""
    header, data = trace["source"].split(",", 1)
    assert header == "data:image/png;base64"
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGBA"))


def histogram(points: np.ndarray, trace: dict, shape: tuple[int, int]) -> np.ndarray:
    """NumPy's own 2-D histogram on the image's cells, (rows along y, columns along x)."""
    rows, columns = shape
    x_edges = trace["x0"] - trace["dx"] / 2 + trace["dx"] * np.arange(columns + 1)
    y_edges = trace["y0"] - trace["dy"] / 2 + trace["dy"] * np.arange(rows + 1)
    counts, _, _ = np.histogram2d(points[:, 1], points[:, 0], bins=[y_edges, x_edges])
    return counts


def test_the_image_covers_the_axes_ranges(large_run):
    X, em = large_run
    figure = figure_mixture(X, em.params, em.responsibilities).to_plotly_json()
    image = figure["data"][0]
    assert image["type"] == "image"
    rows, columns, _ = pixels(image).shape
    assert 200 <= max(rows, columns) <= 300
    x_range, y_range = figure["layout"]["xaxis"]["range"], figure["layout"]["yaxis"]["range"]
    left, bottom = image["x0"] - image["dx"] / 2, image["y0"] - image["dy"] / 2
    assert left == pytest.approx(x_range[0])
    assert left + columns * image["dx"] == pytest.approx(x_range[1])
    assert bottom == pytest.approx(y_range[0])
    assert bottom + rows * image["dy"] == pytest.approx(y_range[1])
    assert image["dx"] == pytest.approx(image["dy"], rel=0.02)  # square cells: one scale


def test_empty_cells_are_clear_and_filled_ones_shaded_by_count(large_run):
    X, em = large_run
    image = mixture_traces(X, em.params, em.responsibilities)[0]
    shown = pixels(image)
    counts = histogram(X, image, shown.shape[:2])
    assert counts.sum() == len(X)
    alpha = shown[..., 3].astype(float)
    assert np.array_equal(alpha > 0, counts > 0)
    fullest = counts.max()
    expected = 255 * (
        MIN_OPACITY + (1 - MIN_OPACITY) * np.log(np.maximum(counts, 1)) / np.log(fullest)
    )
    filled = counts > 0
    assert np.abs(alpha[filled] - expected[filled]).max() <= 0.5
    assert alpha[counts == fullest].min() == 255


def test_a_cells_colour_is_the_mix_of_its_points_colours():
    """Three points in one cell, shared between two components, and one alone in
    another: the cell's colour is the OKLab mean of its points' own mixed colours."""
    palette = to_rgb(["#0072b2", "#e69f00"])
    grid = Grid(x0=0.0, y0=0.0, dx=1.0, dy=1.0, shape=(2, 3))
    points = np.array([[0.2, 0.3], [0.9, 0.1], [0.5, 0.5], [2.5, 1.5], [5.0, 0.5]])
    resp = np.array([[1.0, 0.0], [0.5, 0.5], [0.1, 0.9], [0.0, 1.0], [1.0, 0.0]])
    cells = cell_of(points, grid)
    assert cells.tolist() == [0, 0, 0, 5, -1]  # the last one off the grid
    rgba = density_rgba(cells, grid, resp, palette)

    lab_palette = oklab(palette)
    each = srgb_from_oklab(resp[:3] @ lab_palette)  # the three points' own colours
    mean_lab = oklab(each).mean(axis=0)
    expected = srgb_from_oklab(mean_lab)
    assert np.abs(rgba[0, 0, :3] - expected).max() <= 1
    assert rgba[1, 2, :3].tolist() == [230, 159, 0]  # the one point's component
    alpha_full = 255
    alpha_one = round(255 * MIN_OPACITY)
    assert rgba[0, 0, 3] == alpha_full and rgba[1, 2, 3] == alpha_one
    clear = np.ones((2, 3), dtype=bool)
    clear[0, 0] = clear[1, 2] = False
    assert (rgba[clear] == 0).all()


def test_grey_before_any_e_step():
    X = three_clusters(DENSITY_ABOVE + 1, seed=1)
    em = GaussianSettings(n_components=3, init="random-points", random_state=0).build(X)
    shown = pixels(mixture_traces(X, em.params, None)[0])
    filled = shown[..., 3] > 0
    assert filled.sum() > 1000
    assert (shown[filled][:, :3] == to_rgb([GREY]).astype(np.uint8)).all()


def test_the_traces_stay_the_same_across_the_threshold():
    def kinds(n_samples: int) -> list[tuple[str, str]]:
        X = three_clusters(n_samples, seed=2)
        em = GaussianSettings(n_components=3, init="random-points", random_state=0).build(X)
        em.e_step()
        traces = mixture_traces(X, em.params, em.responsibilities)
        return [(trace["type"], trace.get("name")) for trace in traces]

    below, above = kinds(DENSITY_ABOVE - 1), kinds(DENSITY_ABOVE + 1)
    assert len(below) == len(above)
    assert below[0][0] == "scattergl" and above[0][0] == "image"
    assert below[1:] == above[1:]
    assert {kind for kind, _ in above[1:]} == {"scatter"}  # SVG, drawn above the image


def test_imputed_points_are_shaded_where_em_expects_them():
    X = three_clusters(DENSITY_ABOVE + 1, seed=3)
    imputed = X.copy()
    hidden = np.arange(0, len(X), 7)
    X = X.copy()
    X[hidden, 1] = np.nan
    imputed[hidden, 1] = 3.0  # anywhere in range: the shading must follow it
    image = mixture_traces(X, None, None, imputed=imputed, spread=np.zeros_like(X))[0]
    shown = pixels(image)
    assert np.array_equal(shown[..., 3] > 0, histogram(imputed, image, shown.shape[:2]) > 0)


def test_a_run_changes_only_the_shadings_picture(large_run):
    """The cells depend on the data alone: an E-step sends a new picture and nothing else
    of the image, an M-step leaves it alone."""
    X, em = large_run
    frames = [
        (mixture_traces(X, em.history[at].params, em.responsibilities_at(at)), {})
        for at in range(len(em.history))
    ]
    patches = frame_patches(frames)
    phases = [record.phase for record in em.history]
    assert phases == ["init", "E", "M", "E"]
    assert set(patches[0]["data"]["0"]) == {"source"}
    assert set(patches[1]["data"]["0"]) == {"source"}  # init (grey) to the first E-step
    assert "0" not in patches[2]["data"]
    assert set(patches[3]["data"]["0"]) == {"source"}


def test_the_axes_keep_their_scales_under_the_image():
    """In different units the y axis must not be tied to the x axis's scale, and the
    plot is not shrunk to fit (what Plotly does to axes under an image by default)."""
    rng = np.random.default_rng(4)
    X = rng.normal(size=(DENSITY_ABOVE + 1, 2)) * [1.0, 50.0]
    layout = figure_mixture(X, None, None).to_plotly_json()["layout"]
    assert layout["yaxis"]["scaleanchor"] is False
    assert layout["xaxis"]["constrain"] == layout["yaxis"]["constrain"] == "range"
