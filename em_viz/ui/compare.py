"""The compare page: 2 to 4 runs on the same data side by side, and many starts of one.

State, all under ``compare_*`` keys so that the explorer's run is never touched: the
runs' settings in their widgets (kept for the session), the runs themselves as one
:class:`~em_viz.engine.runs.Lockstep` in the :data:`COMPARE` slot with the data they run
on, and the multi-start's results. The side-by-side view is one fragment: a step redraws
only it.
"""

import re
from dataclasses import asdict, replace

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from em_viz import EMVizError, MixtureEM, Record
from em_viz.data import Dataset
from em_viz.engine.gaussian_em import GaussianSettings
from em_viz.engine.runs import (
    Lockstep,
    StartResult,
    build_runs,
    distinct_optima,
    match_components,
    multi_start,
    shared_objective_name,
)
from em_viz.figures.compare import figure_multi_start, figure_objective_curves
from em_viz.figures.frames import Parts
from em_viz.figures.mixture import mixture_traces
from em_viz.figures.principal import principal_parts
from em_viz.ui import link, url_values
from em_viz.ui.explorer import explorer_page
from em_viz.ui.labels import (
    COMPARE_UPLOAD_NOT_LINKED,
    GROUP_RUN_HELP,
    objectives_note,
    plain,
    run_description,
    run_model,
    run_start,
)
from em_viz.ui.plot import FrameList, Frames, plot, timeline_text
from em_viz.ui.present import main_picture, presenting
from em_viz.ui.run import (
    CLEAR_OF_HEADER,
    SADDLE_BADGE,
    GroupView,
    history_slider,
    mixture_figure,
    run_fragment,
)
from em_viz.ui.sidebar import KEPT, DataChoice, chosen_data, model_widgets
from em_viz.ui.stepping import RunSlot

MAX_RUNS = link.RUN_COUNTS[-1]
PANEL_HEIGHT = 330
ROWS_PANEL_HEIGHT = 200
WRAPPED_HEADING = 22
"""The height in px of a panel heading's second line."""
CURVE_HEIGHT = 225
STARTS_HEIGHT = 300
MULTI_START_TOL = 1e-8
"""Starts run to this tolerance, so that starts at one optimum agree to about 1e-8
relative and can be counted as one (see :func:`~em_viz.engine.runs.distinct_optima`)."""
PANEL_HEADING = "compare_run_heading_"
"""The key of a run's panel heading (with the run's number) where the browser plays Run."""
PANEL_HEADING_STYLE = (
    f"<style>.em-viz-text[data-name^='{PANEL_HEADING}'] {{ font-size: 1rem; padding: 0; }}</style>"
)
"""A panel heading played in the browser as small as the Markdown one (four share a
screen)."""


COMPARE = RunSlot("compare_", stepper="group")
"""The compare page's runs, one :class:`~em_viz.engine.runs.Lockstep`, and their data."""


def _default_specs() -> list[GaussianSettings]:
    """Runs differing only in their seed: the classic "same model, other start"."""
    return [GaussianSettings(random_state=number) for number in range(MAX_RUNS)]


def _run_settings(number: int, default: GaussianSettings) -> GaussianSettings:
    """One run's settings, in an expander of the sidebar, starting from ``default``
    (reg_covar and tol stay at their defaults)."""
    with st.expander(f"Run {number + 1}", expanded=number < 2):
        return model_widgets(default, link.run_prefix(number), manual_init=False, tolerances=False)


def _settings_panel() -> list[GaussianSettings]:
    """How many runs and each run's settings; returns the settings of the runs shown."""
    st.header("Runs")
    count = st.segmented_control(
        "Number of runs",
        link.RUN_COUNTS,
        default=link.RUN_COUNTS[0],
        key=link.RUNS_FIELD["runs"].key,
        required=True,
        persist_state=KEPT,
    )
    return [_run_settings(number, _default_specs()[number]) for number in range(count)]


def _ensure_runs(choice: DataChoice | None, specs: list[GaussianSettings]) -> None:
    """New runs when the data or a setting changed; on impossible settings say why and
    keep the runs that were there."""
    state = st.session_state
    if choice is None:
        return
    key = (choice.key, tuple(map(asdict, specs)))  # plain values: equal across reloads
    if state.get(COMPARE.run_key) == key:
        return
    try:
        runs = build_runs(choice.dataset.X, specs)
    except EMVizError as error:
        kept = " The previous runs are kept." if COMPARE.em in state else ""
        st.error(plain(f"{error}{kept}"), icon=":material/error:")
        return
    state.update(
        {
            COMPARE.em: Lockstep(runs),
            COMPARE.run_key: key,
            COMPARE.data: choice.dataset,
            COMPARE.view: 0,
            COMPARE.running: False,
            "compare_built": tuple(specs),
        }
    )


def finished_at(record: Record) -> bool:
    """Converged there, and not at a saddle point (a run's ``finished``, of a record)."""
    return record.converged and not record.saddle


def run_heading(number: int, spec: GaussianSettings, record: Record, with_model: bool) -> str:
    """'Run 2 · seed 7 · k-means++ · converged' at ``record``, with the model ('K=3 full
    · EM') after the start when the runs' models differ; the half-step shown, in the
    explorer's words, heads all the panels."""
    described = run_description(spec) if with_model else run_start(spec)
    parts = [f"Run {number + 1}", described]
    if finished_at(record):
        parts.append("converged")
    elif record.converged:
        parts.append(SADDLE_BADGE.lower())
    return " · ".join(parts)


def iterations_done(record: Record) -> int:
    """Completed iterations (M-steps) at ``record``."""
    return record.iteration - 1 if record.phase == "E" else record.iteration


def results_table(view: GroupView, specs: tuple[GaussianSettings, ...]) -> pd.DataFrame:
    """Per run, at the half-step shown: iterations, converged, log-likelihood (total and
    per point), the objective when it is not the log-likelihood, and the time taken in
    ms (all half-steps so far)."""
    rows = []
    for number, (spec, run) in enumerate(zip(specs, view.runs, strict=True)):
        record = run.record
        row = {
            "run": f"Run {number + 1}",
            "iterations": iterations_done(record),
            "converged": finished_at(record),
            "log-likelihood": record.log_likelihood,
            "per point": record.log_likelihood / len(run.em.X),
        }
        if spec.algorithm != "soft":
            row["objective"] = record.objective
        row["ms"] = view.group.seconds(number) * 1000
        rows.append(row)
    return pd.DataFrame(rows).set_index("run")


def panel_height(n_runs: int, with_model: bool) -> int:
    """Two runs in one row get room; three or four in two rows share the screen's
    height, so that every panel fits a 1280x720 screen whole (headings naming the
    models take two lines)."""
    if n_runs <= 2:
        return PANEL_HEIGHT
    return ROWS_PANEL_HEIGHT - (WRAPPED_HEADING if with_model else 0)


def at_index(em: MixtureEM, index: int) -> int:
    """Where a run is at the group's half-step ``index``: there, or at its last record
    if it finished before."""
    return min(index, len(em.history) - 1)


def _mixture_frames(view: GroupView, number: int, dataset: Dataset) -> Frames:
    """Run ``number``'s picture at each of the group's half-steps, coloured as its
    panel is (matched to Run 1 at that half-step)."""
    first, em = view.group.runs[0], view.group.runs[number]

    def parts(index: int) -> Parts:
        record = em.history[at_index(em, index)]
        reference = first.history[at_index(first, index)].means
        resp = em.responsibilities_at(at_index(em, index))
        colours = match_components(reference, record.means)
        if dataset.X.shape[1] > 2:  # on the principal components, as its panel
            return principal_parts(dataset.X, record.params, resp, colour_order=colours)
        names = dataset.feature_names
        traces = mixture_traces(
            dataset.X, record.params, resp, feature_names=names, colour_order=colours
        )
        return traces, {}

    keys = [
        (em.history[at_index(em, index)], first.history[at_index(first, index)])
        for index in range(len(view.history))
    ]
    return Frames(view.timeline, FrameList(keys, parts))


def _curves(view: GroupView, index: int, n_samples: int) -> go.Figure:
    """The runs' curves up to the group's half-step ``index``."""
    return figure_objective_curves(
        [em.history[: at_index(em, index) + 1] for em in view.group.runs],
        [f"Run {number + 1}" for number in range(len(view.group.runs))],
        n_samples,
        shared_objective_name(view.group.runs),
    )


def _curve_parts(view: GroupView, index: int, n_samples: int) -> Parts:
    shown = _curves(view, index, n_samples).to_plotly_json()
    return shown["data"], shown["layout"]


def _panel_heading(view: GroupView, number: int, spec: GaussianSettings, with_model: bool) -> None:
    """Run ``number``'s heading: played with the runs in the browser where they are."""
    em = view.group.runs[number]
    if view.timeline is None:
        record = em.history[at_index(em, view.index)]
        st.markdown(f"###### {run_heading(number, spec, record, with_model)}")
        return
    texts = [
        run_heading(number, spec, em.history[at_index(em, index)], with_model)
        for index in range(len(view.history))
    ]
    timeline_text(
        view.timeline, key=f"{PANEL_HEADING}{number}", texts=texts, style="heading-small"
    )


def _show_runs(view: GroupView) -> None:
    """Below the controls: one panel per run at the half-step shown, then the shared
    curve with the history slider, and the table."""
    state = st.session_state
    specs, dataset = state.compare_built, state[COMPARE.data]
    runs = view.runs
    reference = runs[0].record.means
    with_model = len({run_model(spec) for spec in specs}) > 1
    height = panel_height(len(runs), with_model)
    if view.timeline is not None:
        st.html(PANEL_HEADING_STYLE)
    per_row = len(runs) if presenting() else 2  # presenter mode: one row, as high as fits
    main_picture(*(f"compare_mixture_{number}" for number in range(len(runs))), share=None)
    columns = st.columns(per_row)
    for number, run in enumerate(runs):
        with columns[number % per_row]:
            _panel_heading(view, number, specs[number], with_model)
            figure = mixture_figure(
                dataset,
                run.record.params,
                run.resp,
                colour_order=match_components(reference, run.record.means),
            )
            figure.update_layout(height=height, showlegend=False, margin={"t": 6, "b": 44})
            frames = view.timeline and _mixture_frames(view, number, dataset)
            plot(figure, key=f"compare_mixture_{number}", revision=run.index, frames=frames)
    left, right = st.columns([9, 11])
    with left:
        n_samples = len(dataset.X)
        curve = _curves(view, view.index, n_samples).update_layout(height=CURVE_HEIGHT)
        frames = view.timeline and Frames(
            view.timeline,
            FrameList(
                [
                    tuple(em.history[at_index(em, index)] for em in view.group.runs)
                    for index in range(len(view.history))
                ],
                lambda index: _curve_parts(view, index, n_samples),
            ),
        )
        plot(curve, key="compare_curves", revision=view.index, frames=frames)
        history_slider(COMPARE, view)
    with right:
        shown = results_table(view, specs)
        st.table(
            shown.style.format(
                {
                    "converged": lambda yes: "yes" if yes else "no",
                    "log-likelihood": "{:,.3f}",
                    "per point": "{:.4f}",
                    "objective": "{:,.3f}",
                    "ms": "{:.1f}",
                },
                na_rep="",
            )
        )
        objectives = {
            f"Run {number + 1}": run.em.objective_name
            for number, (spec, run) in enumerate(zip(specs, view.runs, strict=True))
            if spec.algorithm != "soft"
        }
        if objectives:  # named below the table: a column of them would be cut
            st.caption(objectives_note(objectives))
        st.caption(
            "Colours are matched to Run 1's components by their means, so the same colour "
            "is the same cluster in every panel."
        )
        if not link.data_linked():
            st.caption(COMPARE_UPLOAD_NOT_LINKED)


def _run_starts(
    spec: GaussianSettings, n_starts: int, objective_name: str, data_key: tuple
) -> None:
    """Run the starts one by one with a progress bar and a Stop button, keeping the
    results after each: Stop (or any other click) reruns the page, which ends the starts
    and shows those done so far."""
    state = st.session_state
    starts = {
        "spec": spec,
        "results": [],
        "planned": n_starts,
        "objective_name": objective_name,
        "data": data_key,
    }
    state.compare_starts = starts
    running = st.empty()
    with running.container():
        bar = st.progress(0.0, text=f"0 of {n_starts} starts")
        st.button(
            "Stop the starts", key="compare_starts_stop", help="Keep the starts done so far."
        )
    X = state[COMPARE.data].X
    for seed in range(spec.random_state, spec.random_state + n_starts):
        starts["results"] = [*starts["results"], *multi_start(X, spec, 1, seeds=[seed])]
        done = len(starts["results"])
        bar.progress(done / n_starts, text=f"{done} of {n_starts} starts")
    running.empty()


def _gist(warnings: tuple[str, ...]) -> str:
    """The first warning's opening clause ('Component 3 collapsed onto a line')."""
    return re.split(r" \(|;|\.", warnings[0], maxsplit=1)[0] if warnings else ""


def optima_table(results: list[StartResult]) -> pd.DataFrame:
    """The distinct optima the starts reached, best first, with how often each."""
    rows = []
    for optimum in distinct_optima(results):
        first = results[optimum.starts[0]]
        seeds = sorted(results[i].seed for i in optimum.starts)
        rows.append(
            {
                "per point": first.mean_objective,
                "total": optimum.objective,
                "starts": optimum.count,
                "share": optimum.count / len(results),
                "median iterations": float(np.median([results[i].n_iter for i in optimum.starts])),
                "warning": _gist(first.warnings),
                "seeds": ", ".join(map(str, seeds[:8])) + (" …" if len(seeds) > 8 else ""),
            }
        )
    return pd.DataFrame(rows)


def _open_in_explorer(spec: GaussianSettings) -> None:
    """The button's callback: set the explorer's model widgets to this start (the data
    panel is the same); the page then switches to the explorer."""
    st.session_state.update(asdict(spec), compare_open=True)


def _multi_start(data_key: tuple, tab: str) -> None:
    """Many starts of one run's setting: the spread of optima, the best, and a way out
    to the explorer with any start; its setting, the ``tab`` open and whether its results
    are shown go into the URL."""
    state = st.session_state
    specs = state.compare_built
    of_key, n_key = (field.key for field in link.STARTS_FIELDS.values())
    if state.get(of_key, 1) > len(specs):  # a link's run that is not shown
        url_values.say_ignored(["ms_of"])
        state[of_key] = 1
    left, middle, right = st.columns([2, 2, 1], vertical_alignment="bottom")
    of = left.selectbox(
        "Setting",
        range(1, len(specs) + 1),
        format_func=lambda n: f"Run {n}: {run_description(specs[n - 1])}",
        key=of_key,
        persist_state=KEPT,
    )
    counts = link.STARTS_COUNTS
    n_starts = middle.slider(
        "Starts M",
        counts[0],
        counts[-1],
        link.STARTS_DEFAULT,
        step=counts.step,
        key=n_key,
        persist_state=KEPT,
    )
    number = of - 1
    spec = replace(specs[number], tol=MULTI_START_TOL)
    last = spec.random_state + n_starts - 1
    st.caption(
        f"Seeds {spec.random_state} to {last}, each run to convergence with tolerance "
        f"{MULTI_START_TOL:g}, so that starts reaching the same optimum agree to about "
        "1e-8 and are counted together."
    )
    pressed = right.button("Run the starts", type="primary", width="stretch")
    if pressed or state.pop(link.STARTS_PENDING, False):  # or a link's results
        objective_name = state[COMPARE.em].runs[number].objective_name
        _run_starts(spec, n_starts, objective_name, data_key)
    starts = state.get("compare_starts")
    shown = starts is not None and starts["data"] == data_key
    complete = shown and starts["spec"] == spec and len(starts["results"]) == n_starts
    link.publish_starts(tab, of, n_starts, complete)
    if not shown:
        return
    results, spec, name = starts["results"], starts["spec"], starts["objective_name"]
    if len(results) < starts["planned"]:
        st.info(
            f"Stopped after {len(results)} of {starts['planned']} starts"
            + (": what follows is of these starts only." if results else "."),
            icon=":material/stop_circle:",
        )
    if not results:
        return
    optima = distinct_optima(results)
    best = results[optima[0].starts[0]]
    st.markdown(
        f"**{len(optima)} distinct {'optimum' if len(optima) == 1 else 'optima'}** in "
        f"{len(results)} starts of "
        f"{run_model(spec)} from {spec.init}. Best: {name} {best.mean_objective:.4f} per "
        f"point (seed {best.seed}), found by {optima[0].count} of {len(results)} starts."
        + (f" Beware: {_gist(best.warnings)} there." if best.warnings else "")
    )
    chart, table = st.columns([9, 11])
    with chart:
        figure = figure_multi_start(results, name)
        plot(figure.update_layout(height=STARTS_HEIGHT), key="compare_starts_plot")
    with table:
        st.dataframe(
            optima_table(results),
            hide_index=True,
            column_config={
                "per point": st.column_config.NumberColumn(format="%.4f"),
                "total": st.column_config.NumberColumn(format="%.3f"),
                "median iterations": st.column_config.NumberColumn("median it.", format="%g"),
                "share": st.column_config.NumberColumn(format="percent"),
                "warning": st.column_config.TextColumn(width="medium"),
            },
        )
        pick, action = st.columns([2, 1], vertical_alignment="bottom")
        seed = pick.selectbox(
            "Start",
            [r.seed for r in sorted(results, key=lambda r: -r.objective)],
            format_func=lambda s: _start_label(results, s),
            key="compare_open_seed",
        )
        action.button(
            "Open in explorer",
            on_click=_open_in_explorer,
            args=(replace(spec, random_state=seed),),
            width="stretch",
            help="Step through this start in the explorer, on the same data (an uploaded "
            "file too: the data panel is the same).",
        )


def _start_label(results: list[StartResult], seed: int) -> str:
    result = next(r for r in results if r.seed == seed)
    return f"seed {seed} · {result.mean_objective:.4f} · {result.n_iter} it."


def compare_page() -> None:
    """Side-by-side runs in lockstep, and multi-start, on the data of the data panel."""
    state = st.session_state
    if state.pop("compare_open", False):
        st.switch_page(st.Page(explorer_page))
    with st.sidebar:
        specs = _settings_panel()
    link.publish_runs(specs, _default_specs())
    _ensure_runs(chosen_data(), specs)
    if COMPARE.em not in state:
        st.stop()
    st.html(CLEAR_OF_HEADER)  # the tabs come first
    side, starts = st.tabs(
        list(link.TABS.values()), key=link.TAB_FIELD["tab"].key, on_change="rerun"
    )
    with side:
        run_fragment(COMPARE, _show_runs, GROUP_RUN_HELP, stop_when_converged=True, played=True)
    with starts:
        _multi_start(state[COMPARE.run_key][0], state[link.TAB_FIELD["tab"].key])
