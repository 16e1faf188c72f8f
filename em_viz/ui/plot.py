"""A Plotly view that stays mounted across reruns, so figures update in place; and the
player: a run's frames played, scrubbed and stepped in the browser.

``st.plotly_chart`` gives every new figure a new element, which the browser remounts:
a blank flash, a full WebGL set-up per step, and no motion between states. This small
Streamlit component (``plot.js``) keeps one Plotly graph per key and hands each new
figure to ``Plotly.react``, which animates the ellipses and means with
``layout.transition``. Clicks on points come back as ``click`` (x, y) for placing
initial means.

Given a run's frames (:class:`Frames`), a graph is a view of the run's *timeline*:
:func:`timeline_slider` (the history slider) moves it, plays Run at its speed with
glides between frames, and takes the step keys, all in the browser;
:func:`timeline_text` is a line per frame (the heading). The server learns where the
slider stopped (``moved``, ``stopped``), so the rest of the page follows; the figure it
sends is always that of the half-step it knows, so the history stays the one source of
truth. Frames go to the browser once: after a new half-step, only its patch
(:class:`~em_viz.figures.frames.FrameSeries`).

plotly.js itself is the copy shipped in the plotly package, served from the app's
``static/`` folder (``server.enableStaticServing``) and copied there on first use.
"""

import os
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import plotly
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

from em_viz.figures.frames import FrameSeries, Parts, key_id
from em_viz.figures.style import for_presenter
from em_viz.ui.present import presenting

STATIC_DIR = Path(__file__).resolve().parents[2] / "static"
PLOTLY_JS = STATIC_DIR / "plotly.min.js"

_JS = "\n".join(
    (Path(__file__).parent / name).read_text(encoding="utf-8")
    for name in ("frames.js", "drag.js", "player.js", "plot.js")  # one module, plot.js's export
)
_CSS = """
.em-viz-plot { width: 100%; }
.em-viz-layered { background: white; }
.em-viz-layered .gl-container { z-index: 0; }
.em-viz-layered .main-svg { z-index: 1; }
.em-viz-heading { font-size: 1.75rem; font-weight: 600; line-height: 1.2; padding: 0.4rem 0; }
.em-viz-heading-small { font-size: 1.25rem; font-weight: 600; padding: 0.2rem 0; }
.em-viz-caption { font-size: 0.875rem; color: rgba(49, 51, 63, 0.6); }
.em-viz-slider { font-size: 0.875rem; padding: 0.25rem 0.5rem 0.5rem 0; }
.em-viz-slider-head { display: flex; justify-content: space-between; gap: 1rem; }
.em-viz-slider-label { font-weight: 600; color: #31333f; }
.em-viz-range { width: 100%; accent-color: #ff4b4b; height: 1.6rem; cursor: pointer; }
"""


def ensure_plotly_js() -> Path:
    """Copy the plotly package's plotly.min.js into the app's static folder if missing:
    whole or not at all (a copy under another name, then renamed), so that a browser or
    another process never reads half of it."""
    source = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not PLOTLY_JS.exists() or PLOTLY_JS.stat().st_size != source.stat().st_size:
        STATIC_DIR.mkdir(exist_ok=True)
        partial = PLOTLY_JS.with_name(f"{PLOTLY_JS.name}.{os.getpid()}")
        shutil.copyfile(source, partial)
        partial.replace(PLOTLY_JS)
    return PLOTLY_JS


_component = st.components.v2.component("em_viz_plot", js=_JS, css=_CSS, isolate_styles=False)


@dataclass(frozen=True)
class Timeline:
    """A run's half-steps as the browser plays them: ``revision`` names the history (a
    new run or a changed history is a new revision), ``position`` is the half-step the
    server shows, ``playing`` whether Run plays from there, ``answered`` the number of
    the latest message from the browser (a key, a move, a stop) that the server has
    taken in: until it answers a key, the browser keeps its keys waiting.

    ``ahead``: the step buttons (by key) whose half-steps the frames hold past the
    latest one, with how many half-steps each makes: pressed, the browser shows them at
    once, and the next key shows the first; it keeps showing them until the server has
    acted on more than ``presses`` presses of step buttons."""

    name: str
    revision: str
    position: int
    playing: bool = False
    answered: int = 0
    presses: int = 0
    ahead: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class FrameList:
    """A graph's figure at each frame of a timeline. ``keys``, one per frame, name what
    each shows (the same key, the same figure: a record, or a tuple of the records and
    numbers the figure depends on); ``parts(index)`` makes the figure's traces and
    layout at a frame, called only for keys the graph has not seen."""

    keys: Sequence[object]
    parts: Callable[[int], Parts]


@dataclass(frozen=True)
class Frames:
    """A graph's frames on a timeline: ``browse`` for the history slider's half-steps
    (and ``run``, if Run shows them otherwise, e.g. a curve that grows)."""

    timeline: Timeline
    browse: FrameList
    run: FrameList | None = None
    variant: str = ""
    """What else shapes the figure (an overlay shown, ...): new frames when it changes."""


@dataclass
class _GraphFrames:
    """A graph's frames kept in the session: each made once, and sent to the browser
    once; after a new half-step, only its patch (the browser keeps the others)."""

    variant: str
    series: dict[str, FrameSeries] = field(default_factory=dict)
    sent: tuple[str, dict[str, tuple]] | None = None
    """The revision last sent, and per list its keys and live attributes then."""

    def start(self) -> int:
        """From which frame the browser needs patches: after those it has (the same
        keys, and the same live attributes, so the same first patch), else all."""
        if self.sent is None:
            return 0
        kept = self.sent[1]
        return min(
            _shared_prefix(kept[name][0], series.keys)
            if name in kept and kept[name][1] == series.live()
            else 0
            for name, series in self.series.items()
        )


def _shared_prefix(old: Sequence[object], new: Sequence[object]) -> int:
    count = 0
    for a, b in zip(old, new, strict=False):
        if key_id(a) != key_id(b):
            break
        count += 1
    return count


_FRAMES = "plot_frames"
"""Each graph's :class:`_GraphFrames`, by key."""


def _frames_payload(key: str, frames: Frames) -> dict:
    kept = st.session_state.setdefault(_FRAMES, {})
    graph = kept.get(key)
    if graph is None or graph.variant != frames.variant:
        graph = kept[key] = _GraphFrames(frames.variant)
    lists = {"patches": frames.browse, "run_patches": frames.run}
    for name, frame_list in lists.items():
        if frame_list is not None:
            graph.series.setdefault(name, FrameSeries()).update(frame_list.keys, frame_list.parts)
    revision = frames.timeline.revision
    payload = {"revision": revision}
    if graph.sent is not None and graph.sent[0] == revision:
        return payload
    start = graph.start()
    payload |= {"base": graph.sent[0] if start else None, "start": start}
    payload |= {name: series.patches(start) for name, series in graph.series.items()}
    graph.sent = (revision, {n: (s.keys, s.live()) for n, s in graph.series.items()})
    return payload


def _send_again(key: str) -> None:
    graph = st.session_state.setdefault(_FRAMES, {}).get(key)
    if graph is not None:
        graph.sent = None


def plot(
    figure: go.Figure,
    *,
    key: str,
    revision: int | str = 0,
    on_click: Callable[[], None] | None = None,
    frames: Frames | None = None,
    drag: Mapping[str, list] | None = None,
    on_drag: Callable[[int, tuple[float, float], int | None], None] | None = None,
) -> dict | None:
    """Show ``figure`` in a graph that updates in place; return the last click, if any.

    Parameters
    ----------
    figure : plotly.graph_objects.Figure
    key : str
        One graph per key: the same key updates the same graph.
    revision : int or str
        Written to the graph's ``data-revision`` attribute when the figure arrives and
        to ``data-rendered`` once it is drawn (for tests and benchmarks that wait for a
        redraw); the graph's ``data-name`` is its key. A graph on a timeline writes the
        frame it shows to ``data-rendered``.
    on_click : callable, optional
        Called when the user clicks a point; the click is in ``st.session_state[key].click``.
    frames : Frames, optional
        Make the graph a view of a timeline (see :func:`timeline_slider`).
    drag, on_drag : optional
        Means that can be dragged by hand (:func:`~em_viz.figures.mixture.drag_handles`):
        a pressed mean follows the pointer with its ellipses, and where it is let go
        ``on_drag(component, (x, y), shown)`` hears, ``shown`` the frame on screen
        (None off a timeline).
    """
    ensure_plotly_js()
    height = figure.layout.height or 450
    if presenting():
        figure, height = for_presenter(figure), "content"  # its own height, maybe more
    data = {"figure": pio.to_json(figure, validate=False), "revision": str(revision), "name": key}
    if frames is not None:
        data |= {
            "timeline": frames.timeline.name,
            "frames": _frames_payload(key, frames),
            "position": frames.timeline.position,
        }
    if drag is not None and on_drag is not None:
        data["drag"] = dict(drag)

    def dragged() -> None:
        where = st.session_state[key].dragged
        to = (float(where["x"]), float(where["y"]))
        shown = int(where["shown"])
        on_drag(int(where["component"]), to, shown if shown >= 0 else None)

    result = _component(
        key=key,
        data=data,
        height=height,
        on_click_change=on_click or (lambda: None),
        on_missing_change=lambda: _send_again(key),
        on_dragged_change=dragged if on_drag is not None else (lambda: None),
    )
    return result.click


GLIDE_MS = 350
"""The longest glide between two frames; at a faster speed, four fifths of a frame's time."""


def timeline_slider(
    timeline: Timeline,
    *,
    key: str,
    labels: Sequence[str],
    label: str,
    help: str,
    speed: float = 0.0,
    ahead_labels: Sequence[str] = (),
    on_moved: Callable[[int, int | None], None],
    on_stopped: Callable[[int, bool, int | None], None],
) -> None:
    """The history slider of ``timeline``, drawn and moved in the browser: dragging it
    or a step key shows each frame at once (the graphs' frames), and the server hears
    where it stopped, ``on_moved(index, seq)``. While ``timeline.playing`` it plays from
    its ``position`` to the last frame at ``speed`` half-steps per second, gliding
    between them (``ahead_labels``: of the frames past the last, see
    ``Timeline.ahead``), and ``on_stopped(index, finished, seq)`` hears where it stopped: at
    the last frame (``finished``), or at Stop (the R key, or the server's ``playing``
    turned off). ``seq`` numbers the browser's messages in the order sent (keys too):
    see ``Timeline.answered``."""
    state = st.session_state

    def moved() -> None:
        where = state[key].moved
        on_moved(int(where["index"]), where.get("seq"))

    def stopped() -> None:
        where = state[key].stopped
        on_stopped(int(where["index"]), bool(where["finished"]), where.get("seq"))

    _component(
        key=key,
        data={
            "role": "slider",
            "timeline": timeline.name,
            "revision": timeline.revision,
            "labels": list(labels),
            "position": timeline.position,
            "answered": timeline.answered,
            "presses": timeline.presses,
            "ahead": dict(timeline.ahead),
            "ahead_labels": list(ahead_labels),
            "label": label,
            "help": help,
            "playing": timeline.playing,
            "speed": speed,
            "glide_ms": GLIDE_MS,
        },
        height="content",
        on_moved_change=moved,
        on_stopped_change=stopped,
    )


def timeline_text(
    timeline: Timeline,
    *,
    key: str,
    texts: Sequence[str],
    style: str = "heading",
    viewing: str | None = None,
    run_texts: Sequence[str] | None = None,
    ahead_texts: Sequence[str] = (),
) -> None:
    """A line per frame of ``timeline`` (``texts``), shown with the frame in the browser;
    before the last frame, ``viewing`` (with ``{shown}`` and ``{latest}``) if given, and
    while Run plays ``run_texts`` if given; past the last, ``ahead_texts`` (see
    ``Timeline.ahead``). ``style``: "heading", "heading-small" or "caption"."""
    _component(
        key=key,
        data={
            "role": "text",
            "name": key,
            "timeline": timeline.name,
            "revision": timeline.revision,
            "texts": list(texts),
            "run_texts": None if run_texts is None else list(run_texts),
            "ahead_texts": list(ahead_texts),
            "viewing": viewing,
            "position": timeline.position,
            "playing": timeline.playing,
            "style": style,
        },
        height="content",
    )
