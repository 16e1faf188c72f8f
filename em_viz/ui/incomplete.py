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
from dataclasses import dataclass
from typing import Any

import streamlit as st

from em_viz import GeneticLinkageEM
from em_viz.engine.linkage_em import DLR_COUNTS, maximum_likelihood, rate_of_convergence
from em_viz.figures.incomplete import figure_linkage, linkage_table
from em_viz.ui import link
from em_viz.ui.labels import (
    HOW_LINKAGE_EM_WORKS,
    LINKAGE_CELLS,
    LINKAGE_CHANGED,
    LINKAGE_STEP_HELP,
)
from em_viz.ui.plot import plot
from em_viz.ui.run import RunSlot, RunView, history_slider, how_em_works, replace_run, run_fragment

LINKAGE = RunSlot("linkage_")

FIGURE_HEIGHT = 430
LINKED = {"bind": "query-params", "persist_state": "session"}
"""Every setting of the page is in its URL and kept for the session."""
MAX_COUNT = 100_000
THETA_RANGE = (0.001, 0.999)
"""The starts the page offers: at 0 or 1 EM could never move."""


@dataclass(frozen=True)
class Demo:
    """One demo: its run's slot, its intro, its sidebar (returning the run's key, a
    builder and what its view needs) and its view of the run."""

    slot: RunSlot
    intro: str
    panel: Callable[[], tuple[Any, Callable[[], Any], Any]]
    show: Callable[[RunView, Any], None]
    step_help: dict[str, str]
    how: tuple[str, ...]


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


def _show_linkage(view: RunView, counts: tuple[int, ...]) -> None:
    left, right = st.columns([3, 2])
    with right:
        zoom = st.toggle(
            "Zoom in on the shown θ",
            key="linkage_zoom",
            help="Late iterations move θ by less than a pixel of the whole view.",
            persist_state="session",
        )
    with left:
        figure = figure_linkage(view.em.history, view.index, counts, zoom=zoom)
        plot(figure.update_layout(height=FIGURE_HEIGHT), key="linkage_figure", revision=view.index)
        history_slider(LINKAGE, view)
    with right:
        st.markdown(_linkage_caption(view, counts))
        best = maximum_likelihood(counts)
        rate = rate_of_convergence(counts)
        st.markdown(
            f"The maximum is **θ\\* = {best:.7f}**. Each error θ_t - θ\\* is about "
            f"**{rate:.4f}** times the one before: the fraction of the information about "
            "θ that the hidden split of the first cell takes away."
        )
        table = linkage_table(view.em.history[: view.index + 1], counts)
        st.dataframe(
            table,
            column_config={
                "θ_t": st.column_config.NumberColumn(format="%.7f"),
                "error θ_t - θ*": st.column_config.NumberColumn(format="%.2e"),
                "ratio of errors": st.column_config.NumberColumn(format="%.4f"),
            },
            height=min(38 + 35 * len(table), 390),
        )


# The page ----------------------------------------------------------------------------

DEMOS = {
    "Genetic linkage (Dempster, Laird & Rubin 1977)": Demo(
        LINKAGE,
        "197 animals in four cells with probabilities 1/2 + θ/4, (1 - θ)/4, (1 - θ)/4 and "
        "θ/4. The first cell mixes two kinds of animal whose counts are not seen: EM "
        "guesses the split (E-step), then estimates θ as if it had seen it (M-step).",
        _linkage_panel,
        _show_linkage,
        LINKAGE_STEP_HELP,
        HOW_LINKAGE_EM_WORKS,
    ),
}


def incomplete_page() -> None:
    """Incomplete data: choose a demo, its settings in the sidebar, then step."""
    state = st.session_state
    linked = link.bound_values()
    name = st.segmented_control(
        "Demo",
        list(DEMOS),
        default=next(iter(DEMOS)),
        key="incomplete_demo",
        required=True,
        **LINKED,
    )
    demo = DEMOS[name]
    st.caption(demo.intro)
    with st.sidebar:
        st.header(name)
        key, build, data = demo.panel()
    link.check_bound(
        linked, lambda key: key == "incomplete_demo" or key.startswith(demo.slot.prefix)
    )
    if replace_run(demo.slot, key, build):
        state[demo.slot.data] = data
    if state.get(demo.slot.em) is None:
        st.stop()
    data = state[demo.slot.data]
    run_fragment(demo.slot, lambda view: demo.show(view, data), demo.step_help)
    how_em_works(demo.how)
