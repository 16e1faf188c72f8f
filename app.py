"""em-viz: the Streamlit entry point. Run with ``make run``."""

from pathlib import Path

import streamlit as st

from em_viz.ui.explorer import explorer_page

LOGO = Path(__file__).parent / "assets" / "logo.svg"


def main() -> None:
    st.set_page_config(page_title="em-viz", page_icon=str(LOGO), layout="wide")
    st.logo(str(LOGO))
    page = st.navigation(
        [st.Page(explorer_page, title="Explorer", icon=":material/scatter_plot:")]
    )
    page.run()


main()
