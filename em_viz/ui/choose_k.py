"""The page "How many components?": BIC, AIC or ICL over K and covariance type.

State, all under ``choose_k_*`` keys: the sweep's settings in their widgets (in the URL
and kept for the session), and the last sweep's table with the data and settings it was
run on (``choose_k_result``). The sweep runs only on its button, and Stop (any click
interrupts a running script) keeps the table shown before; a change of criterion
re-chooses from the same table. A click on a model in the figure, or the button under
the table, opens that model in the explorer.
"""

from dataclasses import asdict

import pandas as pd
import streamlit as st

from em_viz import EMVizError, bic_table
from em_viz.engine.gaussian_em import GaussianSettings
from em_viz.engine.selection import (
    CRITERIA,
    REG_COVAR,
    SWEEP_INIT,
    SWEEP_TOL,
    best_model,
)
from em_viz.figures.selection import figure_criterion, type_name
from em_viz.ui import link
from em_viz.ui.explorer import explorer_page
from em_viz.ui.labels import (
    CHOOSE_K_INTRO,
    CHOOSE_K_TRADE_OFF,
    CHOOSE_K_UPLOAD_NOT_LINKED,
    CRITERION_HELP,
    CV_HELP,
    DEGENERATE_NOTE,
    SWEEP_STARTS_HELP,
    plain,
)
from em_viz.ui.plot import plot
from em_viz.ui.sidebar import DataChoice, chosen_data
from em_viz.ui.url_values import LINKED, bound_values, check_bound, publish_flag

PREFIX = "choose_k_"
RESULT = f"{PREFIX}result"
MAX_K = 15
SWEEP_TYPES = ("spherical", "diag", "tied", "full")
"""The covariance types in the order of the figure's legend (simplest first)."""
FIGURE_HEIGHT = 430
CV_FOLDS = 5
PLOT_KEY = f"{PREFIX}plot"
STOPPED = f"{PREFIX}stopped"
SWEEP_URL = "sweep"
"""In the URL while the sweep of the page's settings is shown: a link runs it again."""


def _settings_panel() -> tuple[str, tuple]:
    """The sweep's widgets in the sidebar; returns the criterion and the sweep's settings
    (K range, covariance types, starts)."""
    st.header("Models")
    criterion = st.segmented_control(
        "Criterion",
        list(CRITERIA),
        default="bic",
        format_func=CRITERIA.get,
        key=f"{PREFIX}criterion",
        required=True,
        help=CRITERION_HELP,
        **LINKED,
    )
    k_range = st.slider("Components K from … to", 1, MAX_K, (1, 9), key=f"{PREFIX}k", **LINKED)
    types = st.pills(
        "Covariance types",
        SWEEP_TYPES,
        selection_mode="multi",
        default=SWEEP_TYPES,
        format_func=type_name,
        key=f"{PREFIX}types",
        **LINKED,
    )
    n_init = st.number_input(
        "Starts per model", 1, 20, 5, key=f"{PREFIX}n_init", help=SWEEP_STARTS_HELP, **LINKED
    )
    cross_validate = st.toggle(
        f"Also cross-validate ({CV_FOLDS} folds)",
        False,
        key=f"{PREFIX}cv",
        help=CV_HELP,
        **LINKED,
    )
    ordered = tuple(t for t in SWEEP_TYPES if t in types)
    return criterion, (tuple(k_range), ordered, int(n_init), CV_FOLDS if cross_validate else 0)


def _stop() -> None:
    """Stop's callback: its click has already interrupted the sweep; say so once."""
    st.session_state[STOPPED] = True


def _run_sweep(choice: DataChoice, settings: tuple) -> None:
    """The sweep with a progress bar; its table is kept, or the error said and the table
    already shown kept."""
    k_range, types, n_init, cv_folds = settings
    bar = st.progress(0.0, text="Fitting the models …")
    stop = st.empty()
    stop.button("Stop the sweep", icon=":material/stop:", on_click=_stop, key=f"{PREFIX}stop")
    try:
        table = bic_table(
            choice.dataset.X,
            range(k_range[0], k_range[1] + 1),
            types,
            n_init=n_init,
            progress=lambda done, total: bar.progress(
                done / total, text=f"{done} of {total} models fitted"
            ),
            cv_folds=cv_folds,
        )
    except EMVizError as error:
        shown = st.session_state.get(RESULT, {}).get("data") == choice.key
        kept = " The table already shown stays." if shown else ""
        st.error(plain(f"{error}{kept}"), icon=":material/error:")
        return
    finally:
        bar.empty()
        stop.empty()
    st.session_state[RESULT] = {"table": table, "data": choice.key, "settings": settings}


def _model(row: pd.Series) -> str:
    return f"{type_name(row['covariance_type'])} with K = {row['n_components']}"


def chosen_sentence(table: pd.DataFrame, criterion: str, chosen: pd.Series | None) -> str:
    """The chosen model in a sentence, and the lower degenerate fit it was preferred to."""
    label = CRITERIA[criterion]
    lowest = table.loc[table[criterion].idxmin()] if table[criterion].notna().any() else None
    if chosen is None:
        return (
            f"Every fit is degenerate, so {label} chooses none: try fewer components or "
            "other covariance types."
        )
    text = (
        f"By {label}, the chosen model is **{_model(chosen)}**: {label} "
        f"{chosen[criterion]:,.2f}, log-likelihood {chosen['log_likelihood']:,.2f} with "
        f"{chosen['n_parameters']} parameters."
    )
    if lowest is not None and lowest.name != chosen.name:
        text += (
            f" The lowest {label} of all, {lowest[criterion]:,.2f} for {_model(lowest)}, "
            "is degenerate and left out."
        )
    return text


def shown_table(table: pd.DataFrame, chosen: pd.Series | None) -> pd.DataFrame:
    """The table as the page shows it: a model name with mclust's, the numbers, and the
    chosen row starred."""
    shown = pd.DataFrame(
        {
            "model": table["covariance_type"].map(type_name),
            "K": table["n_components"],
            "log-likelihood": table["log_likelihood"],
            "parameters": table["n_parameters"],
            **{label: table[column] for column, label in CRITERIA.items()},
            "iterations": table["n_iter"],
            "converged": table["converged"],
            "degenerate": table["degenerate"],
            "chosen": table.index == (None if chosen is None else chosen.name),
        }
    )
    return shown


def _degenerate_list(table: pd.DataFrame) -> None:
    """Each degenerate fit with its reason in words."""
    degenerate = table[table["degenerate"]]
    if degenerate.empty:
        st.caption("No fit is degenerate: every model is in the choice.")
        return
    count = len(degenerate)
    lines = [f"- **{_model(row)}**: {row['reason']}" for _, row in degenerate.iterrows()]
    st.markdown(
        f"**{count} degenerate {'fit' if count == 1 else 'fits'}.** "
        f"{DEGENERATE_NOTE}\n\n" + "\n".join(lines)
    )


def _uploaded() -> bool:
    """Whether the data is an uploaded file, which the explorer cannot be given."""
    return st.session_state.get("source") == "Upload CSV"


def _clicked_model() -> None:
    """The figure's click callback: open the model whose marker was clicked (the one at
    that K whose score is nearest the click)."""
    state = st.session_state
    if _uploaded():
        return
    click, table = state[PLOT_KEY].click, state[RESULT]["table"]
    criterion = state[f"{PREFIX}criterion"]
    if criterion == "cv" and table["cv"].isna().all():
        criterion = "bic"
    at_k = table[table["n_components"] == click["x"]]
    if at_k.empty:
        return
    _open_in_explorer(at_k.loc[(at_k[criterion] - click["y"]).abs().idxmin()])


def _open_in_explorer(row: pd.Series) -> None:
    """The button's callback: set the explorer's model widgets to this model's best start
    (the data panel is the same); the page then switches to the explorer."""
    settings = GaussianSettings(
        n_components=int(row["n_components"]),
        covariance_type=row["covariance_type"],
        init=SWEEP_INIT,
        random_state=int(row["random_state"]),
        reg_covar=REG_COVAR,
        tol=SWEEP_TOL,
    )
    st.session_state.update(asdict(settings), **{f"{PREFIX}open": True})


def _explorer_link(table: pd.DataFrame, chosen: pd.Series | None, criterion: str) -> None:
    """Pick a model (the chosen one first) and open its best start in the explorer."""
    order = list(table.index)
    if chosen is not None:
        order.remove(chosen.name)
        order.insert(0, chosen.name)
    pick, action = st.columns([3, 1], vertical_alignment="bottom")
    index = pick.selectbox(
        "Model",
        order,
        format_func=lambda i: (
            f"{_model(table.loc[i])} · {CRITERIA[criterion]} {table.loc[i, criterion]:,.2f}"
        ),
        key=f"{PREFIX}open_model",
    )
    uploaded = _uploaded()
    action.button(
        "Open in explorer",
        on_click=_open_in_explorer,
        args=(table.loc[index],),
        disabled=uploaded,
        width="stretch",
        help="An uploaded file cannot be carried over to the explorer: upload it there."
        if uploaded
        else "Step through this model's best start in the explorer, on the same data.",
    )


def _show(result: dict, criterion: str, settings: tuple) -> None:
    """The chosen model, the figure, the degenerate fits, the table and the way out."""
    table = result["table"]
    try:
        chosen = best_model(table, criterion)
    except EMVizError:
        st.info(
            "This sweep did not cross-validate: turn on “Also cross-validate” and run it "
            "again to choose by held-out likelihood. Shown meanwhile: BIC.",
            icon=":material/info:",
        )
        criterion = "bic"
        chosen = best_model(table, criterion)
    if result["settings"] != settings:
        st.caption("The settings changed since this sweep: run it again to see the new models.")
    st.markdown(chosen_sentence(table, criterion, chosen))
    figure = figure_criterion(table, criterion, chosen).update_layout(height=FIGURE_HEIGHT)
    plot(figure, key=PLOT_KEY, on_click=_clicked_model)
    st.caption("Click a model on the plot to step through its best start in the explorer.")
    st.caption(CHOOSE_K_TRADE_OFF)
    _degenerate_list(table)
    st.dataframe(
        shown_table(table, chosen),
        hide_index=True,
        column_config={
            "log-likelihood": st.column_config.NumberColumn(format="%.2f"),
            **{label: st.column_config.NumberColumn(format="%.2f") for label in CRITERIA.values()},
        },
    )
    _explorer_link(table, chosen, criterion)


def choose_k_page() -> None:
    """Score every (K, covariance type) on the data panel's data and choose one."""
    state = st.session_state
    if state.pop(f"{PREFIX}open", False):
        # An empty mapping, not None: clearing the URL of widget-bound values is refused.
        st.switch_page(st.Page(explorer_page), query_params={})
    linked = bound_values()
    with st.sidebar:
        criterion, settings = _settings_panel()
    check_bound(linked, lambda key: key.startswith(PREFIX))
    choice = chosen_data()
    st.markdown("### How many components?")
    intro, action = st.columns([4, 1], vertical_alignment="center")
    intro.caption(CHOOSE_K_INTRO)
    link.publish_data(CHOOSE_K_UPLOAD_NOT_LINKED)
    linked_sweep = not state.get(f"{PREFIX}link_read") and SWEEP_URL in st.query_params
    state[f"{PREFIX}link_read"] = True
    clicked = action.button("Run the sweep", type="primary", width="stretch")
    if (clicked or linked_sweep) and choice:
        _run_sweep(choice, settings)
    if state.pop(STOPPED, False):
        st.info("The sweep was stopped; nothing of it is kept.", icon=":material/stop_circle:")
    result = state.get(RESULT)
    shown = result is not None and choice is not None and result["data"] == choice.key
    publish_flag(SWEEP_URL, shown and result["settings"] == settings)
    if not shown:
        st.info("Run the sweep to score the models on this data.", icon=":material/info:")
        return
    _show(result, criterion, settings)
