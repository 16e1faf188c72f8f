"""Figures as image files: the PNG decodes at twice the figure's size, the GIF has one
frame per half-step given (each as rendered, the last held longer), and a missing
browser is said in words. Kaleido costs seconds per start, so each picture is rendered
once for the module."""

import io
import json

import numpy as np
import pytest
from PIL import Image
from plotly.utils import PlotlyJSONEncoder

from em_viz import EMVizError
from em_viz.engine.gaussian_em import GaussianSettings
from em_viz.figures.export import (
    FRAME_MS,
    LAST_FRAME_MS,
    ExportError,
    gif_bytes,
    one_renderer,
    png_bytes,
    with_heading,
)
from em_viz.figures.mixture import figure_mixture

SIZE = (480, 320)


def as_json(part) -> str:
    return json.dumps(part.to_plotly_json(), cls=PlotlyJSONEncoder, sort_keys=True)


@pytest.fixture(scope="module")
def frames() -> list:
    """A small run's first five half-steps as the page draws them, with their headings."""
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(size=(60, 2)) + c for c in ([0, 0], [4, 0], [0, 4])])
    em = GaussianSettings(n_components=3, init="random-points").build(X)
    for _ in range(2):
        em.step()
    return [
        with_heading(
            figure_mixture(X, record.params, em.responsibilities_at(index)),
            f"Half-step {index}",
        ).update_layout(width=SIZE[0], height=SIZE[1])
        for index, record in enumerate(em.history)
    ]


@pytest.fixture(scope="module")
def gif(frames) -> tuple[bytes, list]:
    calls = []
    return gif_bytes(frames, progress=lambda done, total: calls.append((done, total))), calls


def test_png_is_twice_the_figure_size(frames):
    image = Image.open(io.BytesIO(png_bytes(frames[2])))
    assert image.format == "PNG"
    assert image.size == (2 * SIZE[0], 2 * SIZE[1])
    colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    assert len(colours) > 50  # points, ellipses and text, not a blank page


def test_gif_has_one_frame_per_half_step(frames, gif):
    data, calls = gif
    image = Image.open(io.BytesIO(data))
    assert image.format == "GIF"
    assert image.n_frames == len(frames) == 5
    assert image.size == SIZE
    assert calls == [(done, 5) for done in range(1, 6)]
    durations = []
    pictures = []
    for number in range(image.n_frames):
        image.seek(number)
        durations.append(image.info["duration"])
        pictures.append(np.asarray(image.convert("RGB")))
    assert durations == [FRAME_MS] * 4 + [LAST_FRAME_MS]
    # The start (grey points) differs from the E-step after it (coloured points).
    assert not np.array_equal(pictures[0], pictures[1])


def test_a_heading_goes_above_the_figure():
    figure = with_heading(figure_mixture(np.eye(2), None, None), "Iteration 3 · after E-step")
    assert figure.layout.title.text == "Iteration 3 · after E-step"
    assert figure.layout.margin.t > 30


def test_a_missing_browser_is_said_in_words(monkeypatch, frames):
    monkeypatch.setenv("BROWSER_PATH", "/nowhere/chromium")
    with pytest.raises(ExportError, match="not installed at /nowhere/chromium"):
        png_bytes(frames[0])
    assert issubclass(ExportError, EMVizError)


def test_a_file_draws_all_traces_with_one_renderer_in_their_order():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(1_500, 2))
    em = GaussianSettings(n_components=2).build(X)
    em.e_step()
    figure = figure_mixture(X, em.params, em.responsibilities)
    assert {trace.type for trace in figure.data} == {"scattergl", "scatter"}
    svg = one_renderer(figure)
    assert {trace.type for trace in svg.data} == {"scatter"}  # few points: SVG, faster here
    for before, after in zip(figure.data, svg.data, strict=True):
        np.testing.assert_array_equal(before.x, after.x)
        assert as_json(before.marker) == as_json(after.marker)
    assert svg.layout == figure.layout
    many = figure_mixture(np.tile(X, (15, 1)), em.params, np.tile(em.responsibilities, (15, 1)))
    webgl = one_renderer(many)
    # Else WebGL, which would draw above every SVG trace: the ellipses stay over the points.
    assert {trace.type for trace in webgl.data} == {"scattergl"}
    assert [t.name for t in webgl.data] == [t.name for t in many.data]
    np.testing.assert_array_equal(webgl.data[-1].x, many.data[-1].x)
