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
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

Parts = tuple[list[dict], dict]
"""A figure as its traces and its layout (Plotly's JSON)."""

HOVER_ONLY = frozenset({"customdata", "hovertemplate", "hoverinfo"})

TYPED = {"f": ("f4", np.float32), "u": ("u1", np.uint8), "i": ("i4", np.int32)}


def leaves(part: dict, prefix: str = "") -> dict[str, Any]:
    """The attribute paths of a trace or a layout and their values (dicts flattened),
    as the browser patches them: what only the hover reads left out."""
    found = {}
    for name, value in part.items():
        if name in HOVER_ONLY:
            continue
        if isinstance(value, dict) and "bdata" in value:
            found[prefix + name] = _array(value)  # one value, whatever it was before
        elif isinstance(value, dict):
            found.update(leaves(value, f"{prefix}{name}."))
        else:
            found[prefix + name] = value
    return found


def _array(typed: dict) -> np.ndarray:
    """A typed array as plotly writes one (``{"dtype", "bdata"}``, and ``shape``)."""
    flat = np.frombuffer(base64.b64decode(typed["bdata"]), dtype=typed["dtype"])
    shape = typed.get("shape")
    return flat.reshape([int(n) for n in str(shape).split(",")]) if shape else flat


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape or a.dtype.kind != b.dtype.kind:
            return False
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    return a == b


def encode(value: Any) -> Any:
    """A value for the browser: a numeric array as ``{"dtype", "bdata"}`` (float32,
    uint8 or int32, as plotly.js's typed arrays; with its ``shape`` if it has rows, as a
    contour's ``z``), anything else as it is."""
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "fiub":
        return value.tolist() if isinstance(value, np.ndarray) else value
    kind = value.dtype.kind
    if kind in "iub":
        small = value.size == 0 or (value.min() >= 0 and value.max() < 256)
        kind = "u" if small else "i"
    dtype, numpy_type = TYPED[kind]
    data = np.ascontiguousarray(value, dtype=numpy_type)
    encoded = {"dtype": dtype, "bdata": base64.b64encode(data.tobytes()).decode("ascii")}
    return encoded | ({"shape": list(value.shape)} if value.ndim > 1 else {})


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
    series = FrameSeries()
    series.update(range(len(frames)), frames.__getitem__)
    return series.patches()


def key_id(key: Any) -> Any:
    """A frame's key as a dict key: by identity (a record), element-wise for a tuple,
    by value for a whole number."""
    if isinstance(key, tuple):
        return tuple(key_id(part) for part in key)
    return ("index", key) if isinstance(key, int) else id(key)


class FrameSeries:
    """A graph's frames kept across reruns, so that a new half-step costs one frame and
    one patch: each frame's attributes are read once per key, each patch made once per
    pair of keys (the frame before, the frame).

    A key names what a frame shows: the same key, the same figure (a record, or the
    records the figure depends on). The series keeps the keys it was given, so that
    no other object takes their place (identity) while it holds them.
    """

    def __init__(self) -> None:
        self.keys: tuple = ()
        self._leaves: dict[Any, tuple[Any, tuple]] = {}
        self._changes: dict[tuple, tuple[dict, dict]] = {}

    def update(self, keys: Sequence[Any], parts: Callable[[int], Parts]) -> None:
        """Take the frames named by ``keys``; ``parts(index)`` makes those not seen."""
        ids = [key_id(key) for key in keys]
        self._leaves = {
            key_id: self._leaves.get(key_id) or (key, _frame_leaves(parts(index)))
            for index, (key, key_id) in enumerate(zip(keys, ids, strict=True))
        }
        self._changes = {
            pair: self._changes.get(pair)
            or _changes(self._leaves[pair[0]][1], self._leaves[pair[1]][1])
            for pair in itertools.pairwise(ids)
        }
        self.keys = tuple(keys)

    @property
    def _ids(self) -> list:
        return [key_id(key) for key in self.keys]

    def live(self) -> frozenset:
        """Every attribute that changes somewhere in the frames: the first patch's."""
        live = set()
        for data, layout in self._changes.values():
            live.update((trace, path) for trace, paths in data.items() for path in paths)
            live.update(("layout", path) for path in layout)
        return frozenset(live)

    def patches(self, start: int = 0) -> list[dict]:
        """The patches of the frames from ``start`` on (see :func:`frame_patches`): the
        first the frame itself with every live attribute, or from ``start`` > 0 the
        changes since the frame before (which the browser has)."""
        ids = self._ids
        if not ids:
            return []
        changes = [self._changes[pair] for pair in itertools.pairwise(ids)]
        if start > 0:
            return [_encoded(*change) for change in changes[start - 1 :]]
        live = self.live()
        data, layout = self._leaves[ids[0]][1]
        first = (
            {
                i: {p: v for p, v in trace.items() if (i, p) in live}
                for i, trace in enumerate(data)
            },
            {p: v for p, v in layout.items() if ("layout", p) in live},
        )
        return [_encoded(*first), *(_encoded(*change) for change in changes)]


def _frame_leaves(parts: Parts) -> tuple[list[dict], dict]:
    traces, layout = parts
    return [leaves(trace) for trace in traces], leaves(layout)


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
