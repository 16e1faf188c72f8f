"""Large data drawn as a density shading against a marker per point.

For Three Gaussians at about 50,000 and 200,000 points, after one EM iteration, prints:

- the time of ``mixture_traces`` (every trace of one half-step's figure) with the points
  as WebGL markers and as the shading, each as a ratio to building the plain WebGL
  points trace alone, in this process;
- how much of the shading's time is binning the points (what caching the cells once
  per data set would save) and how much the PNG;
- the JSON size of the figure the page is sent (``plotly.io.to_json``, as the plot
  component sends it) and of the frames a six-half-step run sends the browser
  (``frame_patches``), markers against shading.

Run with ``.venv/bin/python benchmarks/bench_density.py``.
"""

import json
import sys
from pathlib import Path
from unittest import mock

import numpy as np
import plotly.io as pio
from bench_engine import best_of

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from em_viz import GaussianMixtureEM  # noqa: E402
from em_viz.data.presets import three_gaussians  # noqa: E402
from em_viz.figures import density, mixture  # noqa: E402
from em_viz.figures.frames import frame_patches  # noqa: E402
from em_viz.figures.points import comparable_spans, feature_ranges, points_trace  # noqa: E402

PER_CLUSTER = (16_667, 66_667)
REPEATS = 5
HALF_STEPS = 6


def as_markers():
    """``mixture`` drawing a marker per point whatever N (as before the shading)."""
    return mock.patch.object(mixture, "DENSITY_ABOVE", np.inf)


def kilobytes(text: str) -> float:
    return len(text.encode()) / 1024


def case(per_cluster: int) -> None:
    X = three_gaussians(per_cluster, seed=0).X
    em = GaussianMixtureEM(X, 3, init="random-points", random_state=0)
    for _ in range(HALF_STEPS - 1):
        if em.phase == "E":
            em.m_step()
        else:
            em.e_step()
    resp, params = em.responsibilities_at(len(em.history) - 1), em.params
    _, palette_rgb = mixture._palette(3, None)
    names = ["x1", "x2"]

    points = best_of(REPEATS, lambda: points_trace(X, resp, palette_rgb, names))
    shaded = best_of(REPEATS, lambda: mixture.mixture_traces(X, params, resp))
    with as_markers():
        marked = best_of(REPEATS, lambda: mixture.mixture_traces(X, params, resp))
    ranges = feature_ranges(X).tolist()
    grid = density.density_grid(*ranges, comparable_spans(*ranges))
    binning = best_of(REPEATS, lambda: density.cell_of(X, grid))
    cells = density.cell_of(X, grid)
    rgba = density.density_rgba(cells, grid, resp, palette_rgb)
    colouring = best_of(REPEATS, lambda: density.density_rgba(cells, grid, resp, palette_rgb))
    png = best_of(REPEATS, lambda: density.png_uri(rgba))

    def sizes() -> tuple[float, float]:
        figure = mixture.figure_mixture(X, params, resp)
        frames = [
            (mixture.mixture_traces(X, em.history[at].params, em.responsibilities_at(at)), {})
            for at in range(len(em.history))
        ]
        patches = json.dumps(frame_patches(frames))
        return kilobytes(pio.to_json(figure, validate=False)), kilobytes(patches)

    figure_after, frames_after = sizes()
    with as_markers():
        figure_before, frames_before = sizes()

    print(f"N = {len(X):,}")
    print(f"  points trace alone (the reference)   {1e3 * points:8.1f} ms   1.00")
    print(f"  mixture_traces, markers              {1e3 * marked:8.1f} ms {marked / points:6.2f}")
    print(f"  mixture_traces, shading              {1e3 * shaded:8.1f} ms {shaded / points:6.2f}")
    print(
        f"    of which binning the points        {1e3 * binning:8.1f} ms {binning / points:6.2f}"
    )
    print(f"    colouring the cells                {1e3 * colouring:8.1f} ms")
    print(f"    the PNG                            {1e3 * png:8.1f} ms")
    print(
        f"  figure JSON   markers {figure_before:8.0f} kB   shading {figure_after:6.0f} kB"
        f"   ratio {figure_after / figure_before:.3f}"
    )
    print(
        f"  {len(em.history)} frames   markers {frames_before:8.0f} kB   shading"
        f" {frames_after:6.0f} kB   ratio {frames_after / frames_before:.3f}"
    )


if __name__ == "__main__":
    for per_cluster in PER_CLUSTER:
        case(per_cluster)
