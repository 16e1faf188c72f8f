"""The "Why EM works" page: the lower bound (ELBO) under the log-likelihood, the bound
along one parameter (Bishop's figure 9.14) and the two half-steps written out with
their numbers.

It steps the explorer's run (the :data:`~em_viz.ui.run.EXPLORER` slot), so both pages
show one run.
"""

from collections.abc import Sequence

import numpy as np
import streamlit as st

from em_viz import BayesianGaussianMixtureEM, GaussianMixtureEM
from em_viz.engine.equations import EStepTerms, MStepTerms, e_step_terms, m_step_terms
from em_viz.engine.gaussian_em import GaussianSettings
from em_viz.figures.bound import figure_bound, figure_bound_along, figure_point_and_spread
from em_viz.ui import link
from em_viz.ui.explorer import ensure_run, explorer_page
from em_viz.ui.hidden import has_missing, incomplete_settings, is_incomplete, with_hidden
from em_viz.ui.labels import (
    BOUND_ALONG_COMPLETE,
    BOUND_PAGE_VARIATIONAL,
    BOUND_UPLOAD_NOT_LINKED,
    HARD_SEEING,
    MISSING_E_STEP,
    MISSING_M_STEP,
    POINT_ESTIMATE,
    SEEING,
    WHY,
)
from em_viz.ui.plot import plot
from em_viz.ui.present import main_picture
from em_viz.ui.run import CLEAR_OF_HEADER, RunView, history_slider, run_fragment
from em_viz.ui.stepping import EXPLORER

BOUND_HEIGHT = 420
POINT_HEIGHT = 340
TITLE = "Why EM works: the bound under the log-likelihood"


def _number(value: float) -> str:
    """A number for LaTeX: four significant digits, powers of ten written out."""
    text = f"{value:.4g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


def _vector(values: np.ndarray) -> str:
    rows = r" \\ ".join(_number(v) for v in values)
    return rf"\begin{{pmatrix}} {rows} \end{{pmatrix}}"


def _matrix(values: np.ndarray) -> str:
    rows = r" \\ ".join(" & ".join(_number(v) for v in row) for row in values)
    return rf"\begin{{pmatrix}} {rows} \end{{pmatrix}}"


def e_step_latex(terms: EStepTerms, index: int) -> str:
    """The E-step of point ``index`` as one aligned block: every ``pi_k N(x_i | ...)``,
    their sum and every ``r_ik``."""
    i = index
    point = r",\ ".join("?" if np.isnan(v) else _number(v) for v in terms.point)
    lines = [rf"x_{{{i}}} &= \left({point}\right)"]
    # a point with a missing coordinate: the density of its observed ones (o)
    seen, o, oo = (rf"x_{{{i},o}}", ",o", ",oo") if terms.missing.any() else (f"x_{{{i}}}", "", "")
    for k, (w, d, p) in enumerate(
        zip(terms.weights, terms.densities, terms.products, strict=True), start=1
    ):
        lines.append(
            rf"\pi_{k}\,\mathcal{{N}}({seen} \mid \mu_{{{k}{o}}}, \Sigma_{{{k}{oo}}}) "
            rf"&= {_number(w)} \times {_number(d)} = {_number(p)}"
        )
    lines.append(
        rf"\textstyle\sum_j \pi_j\,\mathcal{{N}}({seen} \mid \mu_{{j{o}}}, \Sigma_{{j{oo}}}) "
        rf"&= {_number(terms.total)}"
    )
    for k, (p, r) in enumerate(zip(terms.products, terms.resp, strict=True), start=1):
        ratio = rf"{_number(p)} / {_number(terms.total)}"
        if terms.total == 0:  # every product underflows; the engine works in logarithms
            ratio = r"\text{(in logarithms)}"
        lines.append(rf"r_{{{i},{k}}} &= {ratio} = {_number(r)}")
    lines += _completion_lines(terms, i)
    return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"


def _completion_lines(terms: EStepTerms, i: int) -> list[str]:
    """For a point with missing coordinates: per component the conditional mean and sd
    of each missing one given the observed, and the mixture's expectation."""
    if terms.completions is None:
        return []
    lines = []
    for d in np.flatnonzero(terms.missing):
        x = rf"x_{{{i},{d + 1}}}"
        for k, (mean, sd) in enumerate(
            zip(terms.completions[:, d], terms.spreads[:, d], strict=True), start=1
        ):
            lines.append(
                rf"\mathrm{{E}}[{x} \mid x_{{{i},o}}, z_{{{i}}} = {k}] "
                rf"&= {_number(mean)} \pm {_number(sd)}"
            )
        lines.append(
            rf"\mathrm{{E}}[{x} \mid x_{{{i},o}}] = \textstyle\sum_k r_{{{i},k}}\,"
            rf"\mathrm{{E}}[{x} \mid x_{{{i},o}}, k] &= {_number(terms.expected[d])}"
        )
    return lines


def m_step_latex(terms: MStepTerms, component: int, reg_covar: float) -> str:
    """The M-step of ``component`` (numbered from 1) as one aligned block: ``N_k``, the
    new weight, the weighted mean and covariance."""
    k = component
    lines = [
        rf"N_{k} &= \textstyle\sum_i r_{{i{k}}} = {_number(terms.mass)}",
        rf"\pi_{k} &= N_{k} / N = {_number(terms.mass)} / {terms.n_samples} "
        rf"= {_number(terms.weight)}",
        rf"\mu_{k} &= \frac{{1}}{{N_{k}}} \textstyle\sum_i r_{{i{k}}}\, x_i "
        rf"= {_vector(terms.mean)}",
        rf"\Sigma_{k} &= \frac{{1}}{{N_{k}}} \textstyle\sum_i r_{{i{k}}} (x_i - \mu_{k})"
        rf"(x_i - \mu_{k})^\top + {_number(reg_covar)}\, I = {_matrix(terms.covariance)}",
    ]
    return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"


def _bound_panel(view: RunView) -> None:
    """The stairs of the log-likelihood and the bound, with words beside them and the
    history slider."""
    em, record = view.em, view.record
    main_picture("bound")
    left, right = st.columns([3, 2])
    with left:
        figure = figure_bound(em.history, view.index, len(em.X))
        plot(figure.update_layout(height=BOUND_HEIGHT), key="bound", revision=view.index)
    with right:
        seeing = HARD_SEEING if em.variant.hard else SEEING
        kl = "" if record.kl is None else f"{record.kl:,.3f}"
        st.markdown(seeing[record.phase].format(kl=kl))
        if record.elbo is not None:
            st.markdown(
                f"log-likelihood **{record.log_likelihood:,.3f}** · "
                f"bound **{record.elbo:,.3f}** · gap **{record.kl:,.3f}**"
            )
        history_slider(EXPLORER, view)
        st.caption(WHY)


def _parameter_choices(em: GaussianMixtureEM, feature_names: Sequence[str]) -> dict:
    """The parameters a slice can vary: each mean coordinate, and the weight when the
    algorithm fits weights and there is more than one."""
    choices = {f"mean, {name}": d for d, name in enumerate(feature_names)}
    if em.n_components > 1 and em.variant.learns_weights:
        choices["weight"] = None
    return choices


def _along_panel(view: RunView, feature_names: Sequence[str]) -> None:
    """Bishop's figure 9.14 for a chosen parameter of a chosen component."""
    em = view.em
    st.subheader("The bound along one parameter")
    if view.resp is None:
        st.info("Press E-step: the bound needs the responsibilities q of an E-step.")
        return
    if has_missing(em):
        st.info(BOUND_ALONG_COMPLETE, icon=":material/info:")
        return
    choices = _parameter_choices(em, feature_names)
    left, right = st.columns([3, 2])
    with right:
        component = st.selectbox(
            "Component",
            range(em.n_components),
            format_func=lambda k: f"Component {k + 1}",
            key="bound_component",
        )
        parameter = st.selectbox("Parameter", list(choices), key="bound_parameter")
        st.markdown(
            "The blue curve is the log-likelihood as this one parameter moves, every other "
            "held; the orange curve is the bound L(q, θ) for the q of the last E-step. "
            "The bound never crosses the log-likelihood. After an **E-step** it touches it "
            "at the current value (the black dots); the **M-step** moves the parameters to "
            "the top of the bound (the star), and the log-likelihood rises with them. After "
            "an M-step the current value sits at the star."
        )
    with left:
        figure = figure_bound_along(
            em.X,
            view.record.params,
            view.resp,
            component,
            choices[parameter],
            feature_names=feature_names,
        )
        plot(
            figure.update_layout(height=BOUND_HEIGHT),
            key="bound_along",
            revision=view.index,
        )


def _equations_panel(view: RunView) -> None:
    """The E-step of a chosen point and the M-step of a chosen component, with numbers."""
    em, record = view.em, view.record
    st.subheader("The equations with their numbers")
    left, right = st.columns(2)
    index = left.number_input("Point i", 0, len(em.X) - 1, step=1, key="bound_point")
    component = right.selectbox(
        "Component k",
        range(em.n_components),
        format_func=lambda k: f"Component {k + 1}",
        key="bound_m_component",
    )
    when = {
        "init": "the first E-step will compute",
        "E": "the last E-step computed",
        "M": "the next E-step will compute",
    }
    st.markdown(f"**E-step for point {index}**: what {when[record.phase]}.")
    terms = e_step_terms(em.X, record.params, int(index))
    st.latex(e_step_latex(terms, int(index)))
    if terms.missing.any():
        st.caption(MISSING_E_STEP)
    if em.variant.hard:
        st.caption(
            "Hard EM and k-means then give the point wholly to the component of largest "
            "r_ik (k-means: its nearest mean)."
        )
    if view.resp is None:
        st.info("The M-step needs responsibilities: press E-step first.")
        return
    when = "the last M-step computed" if record.phase == "M" else "the next M-step computes"
    st.markdown(f"**M-step for component {component + 1}**: what {when}.")
    e_step = next(r for r in reversed(em.history[: view.index + 1]) if r.phase == "E")
    terms = m_step_terms(em.X, view.resp, component, em.reg_covar, e_step.params)
    if terms is None:
        st.info("No point is responsible for this component: it keeps its place.")
        return
    st.latex(m_step_latex(terms, component + 1, em.reg_covar))
    if has_missing(em):
        st.caption(MISSING_M_STEP)
    if em.algorithm != "soft" or em.covariance_type != "full":
        st.caption(
            "This run's M-step then constrains these: "
            f"covariance type '{em.covariance_type}', algorithm '{em.algorithm}' "
            "(k-means and fixed-ε keep equal weights and fixed or shared variances)."
        )


def _point_panel(view: RunView, feature_names: Sequence[str]) -> None:
    """EM as the case of variational inference whose q over the parameters is a point:
    the first mean coordinate of the component chosen above, as a spike against a
    posterior's spread."""
    st.subheader("EM as variational inference: q over the parameters is a point")
    component = min(st.session_state.get("bound_component", 0), view.em.n_components - 1)
    left, right = st.columns([3, 2])
    with left:
        figure = figure_point_and_spread(
            view.record.params, len(view.em.X), component, 0, feature_names=feature_names
        )
        plot(figure.update_layout(height=POINT_HEIGHT), key="point_spread", revision=view.index)
    with right:
        st.markdown(POINT_ESTIMATE)


def _show(view: RunView) -> None:
    feature_names = st.session_state[EXPLORER.data].feature_names
    _bound_panel(view)
    _along_panel(view, feature_names)
    _point_panel(view, feature_names)
    _equations_panel(view)


def _start_linked_run() -> None:
    """Start the explorer's run as the explorer would from the session's values: a
    link's (data, hidden values, model), else the data panel's first data set and the
    explorer's default model."""
    choice, hiding = link.linked_data(), link.linked_hiding()
    running = with_hidden(choice, hiding)
    settings = link.linked_settings()
    if is_incomplete(running.dataset):
        settings = incomplete_settings(settings)
        if settings is None:
            return
    ensure_run(running, settings, choice.dataset if hiding.share > 0 else None)


def bound_page() -> None:
    """Why EM works: the bound and its gap, the bound along a parameter, the equations.
    Opened first, it starts the explorer's run as the explorer would (from a link's
    data and settings); its URL holds the run's data, settings and half-step."""
    state = st.session_state
    st.html(CLEAR_OF_HEADER)
    st.markdown(f"#### {TITLE}")  # above the step buttons, which it keeps clear of the header
    link.restore_once()
    if EXPLORER.data not in state:
        _start_linked_run()
    if EXPLORER.run_key not in state:
        return
    link.publish(GaussianSettings(**state[EXPLORER.run_key]["model"]), BOUND_UPLOAD_NOT_LINKED)
    waiting = state.get(EXPLORER.em) is None
    if waiting or isinstance(state[EXPLORER.em], BayesianGaussianMixtureEM):
        waiting_text = (
            "The explorer is waiting for its initial means to be placed. Place them "
            "there; this page then steps the same run."
        )
        st.info(waiting_text if waiting else BOUND_PAGE_VARIATIONAL, icon=":material/info:")
        st.page_link(
            st.Page(explorer_page), label="Open the Explorer", icon=":material/scatter_plot:"
        )
        return
    run_fragment(EXPLORER, _show, stop_when_converged=True)
