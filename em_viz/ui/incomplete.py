"""The "Incomplete data" page: EM where it began, on data with something missing.

- **Genetic linkage** (Dempster, Laird & Rubin 1977): counts in four cells, the first
  one a mix of two hidden parts. One parameter, so the whole picture is exact: the
  log-likelihood, EM's lower bound at each iteration, and the errors shrinking by the
  fraction of missing information.
- **Murray's saddle point**: twelve points with missing coordinates, where EM started at
  correlation 0 stays on a saddle point of the likelihood.

Each demo keeps its own run in its own :class:`~em_viz.ui.run.RunSlot`.
"""

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from em_viz import GaussianMixtureEM, GeneticLinkageEM
from em_viz.data.incomplete import murray_points
from em_viz.engine.linkage_em import DLR_COUNTS, maximum_likelihood, rate_of_convergence
from em_viz.engine.profile import correlation_profile
from em_viz.figures.incomplete import (
    correlation,
    figure_incomplete_points,
    figure_linkage,
    figure_profile,
    linkage_table,
)
from em_viz.ui.demo_labels import (
    LINKAGE_CELLS,
    LINKAGE_CHANGED,
    LINKAGE_RATE,
    LINKAGE_STEP_HELP,
    MURRAY_CHANGED,
    MURRAY_MAXIMUM,
    MURRAY_SADDLE,
    MURRAY_STEP_HELP,
)
from em_viz.ui.demos import Demo, demo_page, played_plot
from em_viz.ui.lessons import HOW_LINKAGE_EM_WORKS, HOW_MURRAY_EM_WORKS
from em_viz.ui.run import RunView, history_slider
from em_viz.ui.stepping import RunSlot
from em_viz.ui.url_values import LINKED

LINKAGE = RunSlot("linkage_")
MURRAY = RunSlot("murray_")

FIGURE_HEIGHT = 390
TABLE_HEIGHT = 215
TABLE_FORMATS = {"θ_t": ".7f", "error θ_t - θ*": ".2e", "ratio of errors": ".4f"}
"""The table's numbers as shown (no ratio where there is no previous error)."""
MAX_COUNT = 100_000
THETA_RANGE = (0.001, 0.999)
"""The starts the page offers: at 0 or 1 EM could never move."""
MURRAY_TOL = 1e-12
"""Murray's run goes on until its limit shows to four decimals (about 130 iterations)."""
PROFILE_GRID = np.linspace(-0.95, 0.95, 191)
MURRAY_HEIGHT = 390


# Genetic linkage ---------------------------------------------------------------------


def _linkage_panel() -> tuple[Any, Callable[[], GeneticLinkageEM], tuple[int, ...]]:
    st.caption("Animals counted in each cell:")
    counts = tuple(
        st.number_input(
            label, 0, MAX_COUNT, default, step=1, key=f"linkage_x{cell}", help=help_text, **LINKED
        )
        for cell, ((label, help_text), default) in enumerate(
            zip(LINKAGE_CELLS, DLR_COUNTS, strict=True), start=1
        )
    )
    theta_init = st.number_input(
        "Starting θ",
        *THETA_RANGE,
        0.5,
        step=0.05,
        format="%.3f",
        key="linkage_theta",
        help="Where EM starts, strictly between 0 and 1.",
        **LINKED,
    )

    def build() -> GeneticLinkageEM:
        return GeneticLinkageEM(counts, theta_init)

    return (counts, theta_init), build, counts


def _linkage_caption(view: RunView, counts: tuple[int, ...]) -> str:
    """What the half-step shown did, with its numbers."""
    record = view.record
    history = view.em.history
    x1, x2, x3, x4 = counts
    if record.phase == "init":
        return LINKAGE_CHANGED["init"].format(theta=record.theta)
    before = history[view.index - 1].theta if record.phase == "M" else record.theta
    credited = x1 * before / (2 + before)
    numbers = {
        "x1": x1,
        "x2": x2,
        "x3": x3,
        "x4": x4,
        "theta_t": before,
        "credited": credited,
        "rest": x1 - credited,
        "top": credited + x4,
        "bottom": credited + x2 + x3 + x4,
        "theta": record.theta,
    }
    return LINKAGE_CHANGED[record.phase].format(**numbers)


def _shown(table: pd.DataFrame) -> pd.DataFrame:
    """The table's numbers as text, blank where there is none (no previous error)."""
    return pd.DataFrame(
        {
            column: [format(value, spec) if np.isfinite(value) else "" for value in table[column]]
            for column, spec in TABLE_FORMATS.items()
        },
        index=table.index,
    )


def _show_linkage(view: RunView, counts: tuple[int, ...]) -> None:
    left, right = st.columns([3, 2])
    with right:
        st.markdown(_linkage_caption(view, counts))
        zoom = st.toggle(
            "Zoom in on the shown θ",
            key="linkage_zoom",
            help="Late iterations move θ by less than a pixel of the whole view.",
            persist_state="session",
        )
        table = linkage_table(view.em.history[: view.index + 1], counts)
        st.dataframe(_shown(table), height=TABLE_HEIGHT)
        st.caption(
            LINKAGE_RATE.format(best=maximum_likelihood(counts), rate=rate_of_convergence(counts))
        )
    with left:
        played_plot(
            LINKAGE,
            view,
            "linkage_figure",
            lambda at: figure_linkage(at.em.history, at.index, counts, zoom=zoom).update_layout(
                height=FIGURE_HEIGHT
            ),
            variant="zoomed" if zoom else "",
        )
        history_slider(LINKAGE, view)


# Murray's saddle point --------------------------------------------------------------


def _murray_panel() -> tuple[Any, Callable[[], GaussianMixtureEM], np.ndarray]:
    rho = st.slider(
        "Starting correlation",
        -0.9,
        0.9,
        0.2,
        step=0.05,
        key="murray_rho",
        help="EM starts from means 0, variances 1 and this correlation. Try exactly 0.",
        **LINKED,
    )
    X = murray_points()

    def build() -> GaussianMixtureEM:
        return GaussianMixtureEM(
            X,
            1,
            missing="em",
            tol=MURRAY_TOL,
            weights_init=[1.0],
            means_init=[[0.0, 0.0]],
            covariances_init=[[[1.0, rho], [rho, 1.0]]],
        )

    return rho, build, X


@st.cache_data(max_entries=2, show_spinner=False)
def _profile(X: np.ndarray) -> np.ndarray:
    """The profile log-likelihood over :data:`PROFILE_GRID`, once per data set."""
    return correlation_profile(X, PROFILE_GRID)


def _show_murray(view: RunView, X: np.ndarray) -> None:
    record = view.record
    covariance = record.covariances[0]
    rho = correlation(covariance)
    numbers = {"rho": rho, "v1": covariance[0, 0], "v2": covariance[1, 1]}
    if view.em.converged and view.index == len(view.em.history) - 1:
        saddle = abs(rho) < 1e-9
        message = (MURRAY_SADDLE if saddle else MURRAY_MAXIMUM).format(**numbers)
        (st.warning if saddle else st.success)(message)
    else:
        st.markdown(MURRAY_CHANGED[record.phase].format(**numbers))
    left, right = st.columns([1, 1])
    with left:

        def points_at(at: RunView) -> Any:
            imputed, spread = at.em.imputed_at(at.index)
            means, covariance = at.record.means[0], at.record.covariances[0]
            points = figure_incomplete_points(X, imputed, spread, means, covariance)
            return points.update_layout(height=MURRAY_HEIGHT)

        played_plot(MURRAY, view, "murray_points", points_at)
    with right:
        profile = _profile(X)
        played_plot(
            MURRAY,
            view,
            "murray_profile",
            lambda at: figure_profile(
                PROFILE_GRID, profile, at.em.history, at.index
            ).update_layout(height=MURRAY_HEIGHT),
        )
    history_slider(MURRAY, view)


# The page ----------------------------------------------------------------------------

DEMOS = {
    "Genetic linkage (Dempster, Laird & Rubin 1977)": Demo(
        LINKAGE,
        "197 animals in four cells; the first mixes two kinds whose counts are not seen. "
        "EM guesses the split (E-step), then estimates θ as if it had seen it (M-step).",
        _linkage_panel,
        _show_linkage,
        LINKAGE_STEP_HELP,
        HOW_LINKAGE_EM_WORKS,
        main=("linkage_figure",),
    ),
    "Murray's saddle point": Demo(
        MURRAY,
        "Twelve points from one Gaussian, eight of them with a coordinate missing (Murray "
        "1977). The likelihood has two maxima and a saddle point between them.",
        _murray_panel,
        _show_murray,
        MURRAY_STEP_HELP,
        HOW_MURRAY_EM_WORKS,
        main=("murray_points", "murray_profile"),
        share=None,
    ),
}


def incomplete_page() -> None:
    """Incomplete data: choose a demo, its settings in the sidebar, then step."""
    demo_page(DEMOS, "incomplete_demo")
