"""em-viz: the Streamlit entry point. Run with ``make run``."""

from pathlib import Path

import streamlit as st

from em_viz.ui import link
from em_viz.ui.bernoulli import bernoulli_page
from em_viz.ui.bound import bound_page
from em_viz.ui.choose_k import choose_k_page
from em_viz.ui.compare import compare_page
from em_viz.ui.explorer import explorer_page
from em_viz.ui.hmm import hmm_page
from em_viz.ui.incomplete import incomplete_page
from em_viz.ui.present import presenter_mode
from em_viz.ui.sidebar import DATA_CHOICE, data_panel

LOGO = Path(__file__).parent / "assets" / "logo.svg"

# Less empty space above the controls, so that a 1280x720 projector shows the whole view.
COMPACT_TOP = "<style>[data-testid='stMainBlockContainer'] { padding-top: 2.5rem; }</style>"


def main() -> None:
    st.set_page_config(page_title="em-viz", page_icon=str(LOGO), layout="wide")
    st.logo(str(LOGO))
    st.html(COMPACT_TOP)
    presenter_mode()
    explorer = st.Page(
        explorer_page, title="Explorer", icon=":material/scatter_plot:", default=True
    )
    compare = st.Page(
        compare_page, title="Compare runs", icon=":material/compare:", url_path="compare"
    )
    choose_k = st.Page(
        choose_k_page,
        title="How many components?",
        icon=":material/stacked_line_chart:",
        url_path="choose-k",
    )
    pages = [
        explorer,
        compare,
        choose_k,
        st.Page(bound_page, title="Why EM works", icon=":material/school:", url_path="bound"),
        st.Page(
            bernoulli_page,
            title="Bernoulli mixtures",
            icon=":material/casino:",
            url_path="bernoulli",
        ),
        st.Page(
            incomplete_page,
            title="Incomplete data",
            icon=":material/grid_off:",
            url_path="incomplete",
        ),
        st.Page(
            hmm_page, title="Hidden Markov models", icon=":material/timeline:", url_path="hmm"
        ),
    ]
    page = st.navigation(pages)
    if page in (explorer, compare, choose_k):
        link.restore_once()  # a link's values go into the widgets before they are drawn
    if page in (explorer, compare, choose_k):
        # Drawn here, outside the pages, the data panel's widgets are one set for all.
        with st.sidebar:
            st.session_state[DATA_CHOICE] = data_panel()
    page.run()


main()
