"""A run's pictures as frames for the browser to play: per half-step, only what changed
since the half-step before, numbers as typed arrays in base64.

A figure's frames are made from the same traces and layout (Plotly's JSON, as dicts)
that the figure itself is built from, so the played picture and the served one are one
description. Each attribute is a dotted path (``"marker.color"``, ``"xaxis.range"``), as
``Plotly.update`` takes them. What only the hover reads (``customdata``) is left out: the
figure the server sends for the half-step shown brings it.
"""

import base64
import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

Parts = tuple[list[dict], dict]
"""A figure as its traces and its layout (Plotly's JSON)."""

HOVER_ONLY = frozenset({"customdata", "hovertemplate", "hoverinfo"})

TYPED = {"f": ("f4", np.float32), "u": ("u1", np.uint8), "i": ("i4", np.int32)}


def _leaves(part: dict, prefix: str = "") -> dict[str, Any]:
    """The attribute paths of a trace or a layout and their values (dicts flattened)."""
    leaves = {}
    for name, value in part.items():
        if name in HOVER_ONLY:
            continue
        if isinstance(value, dict):
            leaves.update(_leaves(value, f"{prefix}{name}."))
        else:
            leaves[prefix + name] = value
    return leaves


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape or a.dtype.kind != b.dtype.kind:
            return False
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    return a == b


def encode(value: Any) -> Any:
    """A value for the browser: a numeric array as ``{"dtype", "bdata"}`` (float32,
    uint8 or int32, as plotly.js's typed arrays), anything else as it is."""
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "fiub":
        return value.tolist() if isinstance(value, np.ndarray) else value
    kind = value.dtype.kind
    if kind in "iub":
        small = value.size == 0 or (value.min() >= 0 and value.max() < 256)
        kind = "u" if small else "i"
    dtype, numpy_type = TYPED[kind]
    data = np.ascontiguousarray(value, dtype=numpy_type).ravel()
    return {"dtype": dtype, "bdata": base64.b64encode(data.tobytes()).decode("ascii")}


def frame_patches(frames: Sequence[Parts]) -> list[dict]:
    """What the browser needs to show each of a run's frames over any one of them.

    Parameters
    ----------
    frames : sequence of (traces, layout)
        The figure at each half-step; every frame has the same traces in the same order.

    Returns
    -------
    patches : list of dict
        One per frame: ``{"data": {trace index: {path: value}}, "layout": {path:
        value}}`` (values :func:`encode`-d). The first holds every attribute that changes
        somewhere in the run, each later one what changed since the frame before.
    """
    leaves = [([_leaves(trace) for trace in traces], _leaves(layout)) for traces, layout in frames]
    changes = [_changes(before, after) for before, after in itertools.pairwise(leaves)]
    live_data = {(i, path) for data, _ in changes for i, paths in data.items() for path in paths}
    live_layout = {path for _, layout in changes for path in layout}
    first_data, first_layout = leaves[0]
    first = (
        {
            i: {p: v for p, v in trace.items() if (i, p) in live_data}
            for i, trace in enumerate(first_data)
        },
        {p: v for p, v in first_layout.items() if p in live_layout},
    )
    return [_encoded(*patch) for patch in (first, *changes)]


def _changes(before: tuple, after: tuple) -> tuple[dict, dict]:
    """The attributes of ``after`` (traces' leaves, layout's leaves) that differ from
    ``before``'s."""
    data = {}
    for i, (old, new) in enumerate(zip(before[0], after[0], strict=True)):
        changed = {p: v for p, v in new.items() if p not in old or not _same(old[p], v)}
        if changed:
            data[i] = changed
    layout = {
        p: v for p, v in after[1].items() if p not in before[1] or not _same(before[1][p], v)
    }
    return data, layout


def _encoded(data: dict, layout: dict) -> dict:
    return {
        "data": {
            str(i): {p: encode(v) for p, v in trace.items()} for i, trace in data.items() if trace
        },
        "layout": {p: encode(v) for p, v in layout.items()},
    }
