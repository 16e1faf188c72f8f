"""The pairs grid's layout: a corner grid of cells (row ``i`` holds columns ``0..i``, the
diagonal last), where each cell sits, its x and y axes, and the features' names along
the bottom row and beside the rows. What is drawn in the cells is
:mod:`em_viz.figures.pairs`'.
"""

from collections.abc import Sequence
from textwrap import wrap

import numpy as np

from em_viz.figures.style import CURVE_FONT_SIZE, axis

CELL_GAP = 0.035
"""The space between cells, as a fraction of the grid's width (and height)."""
TITLE_WIDTH = 16
"""Characters per line of a feature's name under the grid: longer names are wrapped."""
ROW_TITLE_WIDTH = 12
"""Characters per line of a feature's name beside its row, written across (a rotated
title longer than a cell's height would run into the next row's)."""
ROW_TITLE_SHIFT = 42
"""The row names' right edge, in px left of the grid (clear of the tick labels)."""


def _wrapped_title(name: str, width: int = TITLE_WIDTH) -> str:
    """A feature's name as a title, wrapped onto lines of at most ``width`` characters
    (a longer word keeps a line of its own)."""
    lines = wrap(name, width, break_long_words=False, break_on_hyphens=False)
    return "<br>".join(lines) or name


class CornerGrid:
    """The corner grid's cells: their axes (one x and one y axis each) and layout.

    Parameters
    ----------
    n_shown : int
        The features shown, one row and one column each.
    """

    def __init__(self, n_shown: int) -> None:
        self.n_shown = n_shown
        self.cells = [(row, col) for row in range(n_shown) for col in range(row + 1)]

    def refs(self, cell: tuple[int, int]) -> dict[str, str]:
        """The trace's ``xaxis`` and ``yaxis`` for ``cell`` (row, column)."""
        n = self.cells.index(cell) + 1
        suffix = "" if n == 1 else str(n)
        return {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"}

    def domain(self, index: int) -> tuple[list[float], list[float]]:
        """The x and y domains (fractions of the plot area) of cell ``index``, the first
        row at the top."""
        m, half = self.n_shown, CELL_GAP / 2
        row, col = self.cells[index]
        x = [col / m + half, (col + 1) / m - half]
        y = [1 - (row + 1) / m + half, 1 - row / m - half]
        return x, y

    def cell_axes(
        self,
        index: int,
        ranges: np.ndarray,
        shown: Sequence[int],
        names: Sequence[str],
        top: float | None,
    ) -> dict[str, dict]:
        """Cell ``index``'s x and y axes: the features' ``ranges`` (D, 2) (shared by a
        column's x and a row's y, so that zooming one cell zooms its row and column),
        numbers and titles on the bottom row (the rows' names are annotations) and
        numbers on the left column, and on the diagonal a density axis up to ``top``
        without numbers."""
        row, col = self.cells[index]
        n = index + 1
        suffix = "" if n == 1 else str(n)
        x_domain, y_domain = self.domain(index)
        bottom, left = row == self.n_shown - 1, col == 0
        feature_x, feature_y = shown[col], shown[row]
        anchor_x, anchor_y = f"y{suffix}", f"x{suffix}"
        x_axis = axis(
            _wrapped_title(names[feature_x]) if bottom else None,
            domain=x_domain,
            anchor=anchor_x,
            range=list(ranges[feature_x]),
            autorange=False,
            showticklabels=bottom,
            nticks=4,
        )
        bottom_ref = self.refs((self.n_shown - 1, col))["xaxis"]
        if bottom_ref != f"x{suffix}":
            x_axis["matches"] = bottom_ref
        diagonal = row == col  # a density axis, without numbers
        y_axis = axis(
            None,
            domain=y_domain,
            anchor=anchor_y,
            range=[0, 1.08 * top if top else 1.0] if diagonal else list(ranges[feature_y]),
            autorange=False,
            showticklabels=left and not diagonal,
            **({"showgrid": False} if diagonal else {"nticks": 4}),
        )
        left_ref = self.refs((row, 0))["yaxis"]
        if not diagonal and left_ref != f"y{suffix}":
            y_axis["matches"] = left_ref
        return {f"xaxis{suffix}": x_axis, f"yaxis{suffix}": y_axis}

    def row_titles(self, shown: Sequence[int], names: Sequence[str]) -> list[dict]:
        """The names of the features on the rows' y axes (all rows but the first), written
        across at the left of each row, as annotations."""
        titles = []
        for row in range(1, self.n_shown):
            _, (low, high) = self.domain(self.cells.index((row, 0)))
            titles.append(
                {
                    "text": _wrapped_title(names[shown[row]], ROW_TITLE_WIDTH),
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0,
                    "y": (low + high) / 2,
                    "xanchor": "right",
                    "yanchor": "middle",
                    "xshift": -ROW_TITLE_SHIFT,
                    "showarrow": False,
                    "align": "right",
                    "font": {"size": CURVE_FONT_SIZE},
                }
            )
        return titles
