"""Time and size of each export of a run: the PNG, the GIF, the JSON and the CSV.

A run of 40 half-steps on 2,000 points (drawn with WebGL, as the page draws them), its
frames as the explorer's figure with the heading at the figure's default size. Kaleido's
first image includes starting its Chromium; each later one is a render of the server that
stays up. The JSON's restore replays every half-step and checks it, so it is printed as a
ratio to stepping the same run from scratch. Prints one line per measure.

Run with ``make bench``.
"""

import io
import time

import numpy as np
from PIL import Image

from em_viz.engine.gaussian_em import GaussianSettings
from em_viz.engine.run_file import responsibilities_csv, run_from_json, run_to_json
from em_viz.figures.export import DEFAULT_SIZE, gif_bytes, png_bytes, with_heading
from em_viz.figures.mixture import figure_mixture

HALF_STEPS = 40


def blobs(n: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [3.0, 2.0], [0.0, 4.0]])
    return (rng.normal(size=(n, 2)) * [1.0, 0.5] + centres[np.arange(n) % 3]).copy()


def stepped(X: np.ndarray, settings: GaussianSettings):
    em = settings.build(X)
    while len(em.history) <= HALF_STEPS:
        (em.e_step if em.phase != "E" else em.m_step)()
    return em


def frame(em, index: int):
    record = em.history[index]
    figure = figure_mixture(em.X, record.params, em.responsibilities_at(index))
    figure.update_layout(width=DEFAULT_SIZE[0], height=DEFAULT_SIZE[1])
    return with_heading(figure, f"Iteration {record.iteration} · {record.phase}")


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def main() -> None:
    settings = GaussianSettings(n_components=3, init="random-points", tol=0)
    X = blobs(2_000)
    em, stepping = timed(stepped, X, settings)
    frames = [frame(em, index) for index in range(1, HALF_STEPS + 1)]

    png, first = timed(png_bytes, frames[0])
    png, later = timed(png_bytes, frames[-1])
    width, height = Image.open(io.BytesIO(png)).size
    print(f"PNG at 2x ({width} x {height}): first {first:.2f} s (starts Chromium), ", end="")
    print(f"then {later:.2f} s, {len(png) / 1e3:.0f} kB")

    gif, rendering = timed(gif_bytes, frames)
    n_frames = Image.open(io.BytesIO(gif)).n_frames
    print(
        f"GIF of {n_frames} half-steps of {len(X):,} points ({DEFAULT_SIZE[0]} x "
        f"{DEFAULT_SIZE[1]}): {rendering:.1f} s, {rendering / n_frames:.2f} s per frame, "
        f"{len(gif) / 1e6:.2f} MB"
    )

    for n in (2_000, 100_000):
        run = em if n == len(X) else stepped(blobs(n), settings)
        text, saving = timed(run_to_json, run, settings)
        _, restoring = timed(run_from_json, text)
        _, stepping = timed(stepped, run.X, settings)
        csv, writing = timed(responsibilities_csv, run)
        print(
            f"JSON of {n:,} points, {HALF_STEPS} half-steps: {len(text) / 1e6:.2f} MB, saved "
            f"in {saving:.2f} s, restored in {restoring:.2f} s = "
            f"{restoring / stepping:.2f} x stepping the run; CSV {len(csv) / 1e6:.2f} MB in "
            f"{writing:.2f} s"
        )


if __name__ == "__main__":
    main()
