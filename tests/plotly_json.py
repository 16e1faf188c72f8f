"""Read Plotly figures back as plain data, from a figure or from its JSON.

Plotly >= 6 writes NumPy arrays into JSON as ``{"dtype": "f8", "bdata": <base64>,
"shape": "N, K"}``; ``decode`` turns those back into arrays. ``figure_data`` accepts a
``go.Figure``, a dict, or the JSON text from ``fig.to_json()`` or Streamlit's AppTest
(``element.proto.spec``), so tests check what the browser would receive.
``shown_colours`` reads back the colours of markers given as indices into a colorscale.
"""

import base64
import json
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.colors import hex_to_rgb


def decode(value: Any) -> Any:
    """A typed-array dict as an ndarray; other dicts decoded key by key; anything else
    (lists included) unchanged."""
    if not isinstance(value, dict):
        return value
    if isinstance(value.get("bdata"), str) and isinstance(value.get("dtype"), str):
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype="<" + value["dtype"])
        shape = value.get("shape")
        if shape:
            dims = shape if isinstance(shape, list) else str(shape).split(",")
            array = array.reshape([int(dim) for dim in dims])
        return array
    return {key: decode(item) for key, item in value.items()}


def figure_data(fig_or_json: go.Figure | dict | str) -> list[dict]:
    """The figure's traces as dicts, with every typed array decoded."""
    if isinstance(fig_or_json, go.Figure):
        fig_or_json = fig_or_json.to_json()
    if isinstance(fig_or_json, str):
        fig_or_json = json.loads(fig_or_json)
    return [decode(trace) for trace in fig_or_json["data"]]


def colorscale_colours(colorscale: list, t: np.ndarray) -> np.ndarray:
    """The RGB colours a colorscale of ``"#rrggbb"`` stops gives at normalised values
    ``t``: linear between the stops around each value, as plotly.js interpolates."""
    positions = np.array([stop[0] for stop in colorscale])
    rgb = np.array([hex_to_rgb(stop[1]) for stop in colorscale])
    j = np.clip(np.searchsorted(positions, t, side="right") - 1, 0, len(positions) - 2)
    width = positions[j + 1] - positions[j]
    weight = np.where(width > 0, (t - positions[j]) / np.where(width > 0, width, 1), 0.0)
    return (1 - weight)[:, None] * rgb[j] + weight[:, None] * rgb[j + 1]


def shown_colours(index: np.ndarray, colorscale: list) -> np.ndarray:
    """The colours of markers with numeric ``color=index`` under ``colorscale`` with
    ``cmin=-0.5`` and ``cmax=n_colours - 0.5`` (two stops per colour)."""
    return colorscale_colours(colorscale, (np.asarray(index) + 0.5) / (len(colorscale) // 2))
