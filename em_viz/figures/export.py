"""Figures as image files for slides: a PNG at twice the resolution and a GIF of a run,
one frame per half-step.

Kaleido renders each figure with Plotly.js in Chromium, the system's (``BROWSER_PATH``
or :data:`CHROMIUM`), never a downloaded one; its server starts once per process (3 to
5 s) and stays up, and then renders a frame of 2,000 points in about 0.5 to 1 s on two
busy cores (``benchmarks/bench_export.py``). Pillow joins the frames into a GIF of one
palette per frame (fast octree quantisation), each frame stored as its change from the
one before.
"""

import io
import os
import threading
from collections.abc import Callable, Iterable, Sequence

import kaleido
import plotly.graph_objects as go
from PIL import Image

from em_viz.engine.validation import EMVizError

CHROMIUM = "/usr/bin/chromium"
FRAME_MS = 700
"""How long a GIF shows each half-step, in milliseconds."""
LAST_FRAME_MS = 2500
"""How long the last frame stays before the GIF starts again."""
DEFAULT_SIZE = (960, 600)
"""Width and height in px of a figure that sets none."""
HEADING_SIZE = 26
"""The heading's font size in px, about the page's heading above the figure."""
HEADING_ROOM = 40
"""Px added above a figure's own top margin for the heading of a frame."""
SVG_UP_TO = 20_000
"""Up to this many points a picture file draws WebGL traces as SVG, about twice as fast
in Chromium without a GPU (and the same picture)."""
_RENDER = threading.Lock()
"""One render at a time: the kaleido server answers calls in order, on one queue."""


class ExportError(EMVizError):
    """A picture that cannot be rendered here (no browser to render it with)."""


def browser_problem() -> str | None:
    """Why pictures cannot be rendered here, in words; None when they can."""
    path = os.environ.get("BROWSER_PATH", CHROMIUM)
    if os.access(path, os.X_OK):
        return None
    return (
        f"Pictures are rendered with Chromium, which is not installed at {path}; install "
        "it (apt-get install chromium) or set BROWSER_PATH to it."
    )


def _browser() -> str:
    problem = browser_problem()
    if problem is not None:
        raise ExportError(problem)
    return os.environ.get("BROWSER_PATH", CHROMIUM)


def one_renderer(figure: go.Figure) -> go.Figure:
    """The figure with all its scatter traces drawn by one renderer, so that they stack
    in their order: SVG when its WebGL traces have few enough points (see
    :data:`SVG_UP_TO`), else WebGL (which a file would otherwise draw above every SVG
    trace, hiding the ellipses under the points)."""
    webgl = [trace for trace in figure.data if trace.type == "scattergl"]
    if not webgl:
        return figure
    svg = sum(len(trace.x) for trace in webgl if trace.x is not None) <= SVG_UP_TO
    kind, other = (go.Scatter, "scattergl") if svg else (go.Scattergl, "scatter")
    traces = [
        kind({k: v for k, v in t.to_plotly_json().items() if k != "type"}, skip_invalid=True)
        if t.type == other
        else t
        for t in figure.data
    ]
    return go.Figure(traces, figure.layout)


def _render(figure: go.Figure, scale: float) -> bytes:
    """The figure as PNG bytes, at its own size (else :data:`DEFAULT_SIZE`) times
    ``scale``."""
    width = figure.layout.width or DEFAULT_SIZE[0]
    height = figure.layout.height or DEFAULT_SIZE[1]
    options = {"format": "png", "width": width, "height": height, "scale": scale}
    with _RENDER:
        # Kaleido renders the figure's own size: without one, it would use its 700 x 500.
        kaleido.start_sync_server(path=_browser(), mathjax=False, silence_warnings=True)
        return kaleido.calc_fig_sync(one_renderer(figure), opts=options)


def with_heading(figure: go.Figure, heading: str) -> go.Figure:
    """The figure with ``heading`` at its top right, above its own margin (the legend
    keeps the left), as the page shows it above the figure: so that a frame says which
    half-step it is."""
    top = (figure.layout.margin.t or 0) + HEADING_ROOM
    return figure.update_layout(
        title={
            "text": heading,
            "font": {"size": HEADING_SIZE},
            "x": 0.99,
            "xanchor": "right",
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": 14},
        },
        margin={"t": top},
    )


def png_bytes(figure: go.Figure, scale: float = 2) -> bytes:
    """The figure as a PNG file's bytes, ``scale`` times its size in px (2: for slides).

    Raises
    ------
    ExportError
        If there is no Chromium to render with.
    """
    return _render(figure, scale)


def gif_bytes(
    figures: Iterable[go.Figure] | Sequence[go.Figure],
    progress: Callable[[int, int], None] | None = None,
    duration_ms: int = FRAME_MS,
    *,
    last_ms: int = LAST_FRAME_MS,
) -> bytes:
    """The figures as the frames of a looping GIF, each at its own size.

    Parameters
    ----------
    figures : sequence of go.Figure
        One per frame, in order (the same size, for frames that line up).
    progress : callable, optional
        ``progress(done, total)`` after each frame is rendered.
    duration_ms : int, default=FRAME_MS
        How long each frame shows.
    last_ms : int, default=LAST_FRAME_MS
        How long the last frame shows before the GIF starts again.

    Raises
    ------
    ExportError
        If there is no Chromium to render with.
    """
    figures = list(figures)
    frames = []
    for done, figure in enumerate(figures, start=1):
        rendered = Image.open(io.BytesIO(_render(figure, 1))).convert("RGB")
        frames.append(rendered.quantize(colors=255, method=Image.Quantize.FASTOCTREE))
        if progress is not None:
            progress(done, len(figures))
    durations = [duration_ms] * (len(frames) - 1) + [last_ms]
    output = io.BytesIO()
    frames[0].save(
        output,
        format="GIF",
        save_all=True,
        append_images=frames[1:],
        duration=durations,
        loop=0,
        optimize=True,
    )
    return output.getvalue()
