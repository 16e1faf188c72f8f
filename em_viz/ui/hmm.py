"""The hidden Markov models page: Baum-Welch as EM, in three demos.

- **The casino**: Durbin, Eddy, Krogh and Mitchison's occasionally dishonest casino, a
  fair die and a loaded one; the rolls, P(loaded | all rolls), both decodings, the
  transitions and each state's faces, step by step.
- **The trellis**: forward-backward's numbers for a window of rolls, then the M-step's
  expected counts turned into A and B as fractions.
- **Gaussian states**: 2-D points from switching regimes, the states as the explorer's
  ellipses with the points joined in time order; a toggle makes every transition row
  the weights, which is the Gaussian mixture.

Each demo keeps its own run in its own :class:`~em_viz.ui.run.RunSlot`.
"""

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from em_viz import COVARIANCE_TYPES, CategoricalHMMEM, GaussianHMMEM, GaussianMixtureEM
from em_viz.data import DataError, Dataset
from em_viz.data.sequences import (
    CASINO_EMISSIONPROB,
    CASINO_TRANSMAT,
    DICE,
    Rolls,
    casino_rolls,
    parse_rolls,
    regime_switching,
)
from em_viz.engine.families import gaussian, hmm
from em_viz.engine.hmm_em import GAUSSIAN_INITS
from em_viz.figures.curves import signed
from em_viz.figures.hmm import (
    emissions_table,
    figure_casino,
    figure_emissions,
    figure_gaussian_hmm,
    transitions_table,
)
from em_viz.figures.hmm_graphs import figure_transitions, figure_trellis, trellis_window
from em_viz.figures.style import component_colours
from em_viz.ui.demo_labels import (
    CASINO_CHANGED,
    CASINO_TEXT_HELP,
    HMM_STEP_HELP,
    REGIMES_MIXTURE_HELP,
    TRELLIS_CHANGED,
    TRELLIS_NUMBERS,
)
from em_viz.ui.demos import Demo, demo_page, objective_curve, played_plot
from em_viz.ui.labels import COVARIANCE_HELP, TOL_HELP, plain
from em_viz.ui.lessons import HOW_HMM_EM_WORKS
from em_viz.ui.run import RunView
from em_viz.ui.sidebar import TOL_CHOICES
from em_viz.ui.stepping import RunSlot
from em_viz.ui.url_values import LINKED

CASINO = RunSlot("casino_")
TRELLIS = RunSlot("trellis_")
REGIMES = RunSlot("regimes_")

FACES = ("1", "2", "3", "4", "5", "6")
SIX = len(FACES) - 1
LOADED = DICE.index("loaded")
STRIP_HEIGHT = 400
SMALL_HEIGHT = 330
WINDOW = 8
"""Rolls in the trellis."""
TRELLIS_WINDOW = "trellis_window"
"""The key of the trellis window's first roll (1-based)."""
MAX_TEXT = 12_000
"""Characters of typed rolls (at most 5,000 rolls with a space between each)."""
TYPED_DEFAULT = (
    "3 1 5 1 2 6 6 6 4 6 6 2 6 6 3 5 1 4 2 1 6 2 3 4 5 1 3 6 6 6 "
    "6 1 6 6 5 6 6 2 2 4 1 3 5 2 1 6 4 3 2 5 1 1 4 3 2 6 5 4 2 3"
)
SOURCES = ("Generated", "Typed in")
DEFAULT_TOL = 1e-6


def _e_step_params(view: RunView) -> Any:
    """The parameters of the E-step shown: the record's own, except after an M-step,
    whose counts came from the E-step before it."""
    history = view.em.history
    return history[view.index - 1].params if view.record.phase == "M" else view.record.params


def _loaded_state(emissionprob: np.ndarray) -> int:
    """The state that plays the loaded die: the one rolling the most sixes."""
    return int(np.argmax(emissionprob[:, SIX]))


# The casino ------------------------------------------------------------------------------


def _rolls_widgets(prefix: str, default_rolls: int, typed: bool) -> tuple[Any, Rolls | None]:
    """The rolls of a demo: generated (how many, the seed) or, if ``typed``, also typed
    in; returns their key and the rolls (None when what was typed cannot be used)."""
    source = SOURCES[0]
    if typed:
        source = st.segmented_control(
            "Rolls", SOURCES, default=SOURCES[0], key=prefix + "source", required=True, **LINKED
        )
    if source == SOURCES[0]:
        n_rolls = st.number_input(
            "Number of rolls", 20, 20_000, default_rolls, step=100, key=prefix + "n", **LINKED
        )
        seed = st.number_input("Data seed", 0, 1_000_000, 0, key=prefix + "seed", **LINKED)
        return (n_rolls, seed), casino_rolls(n_rolls, seed)
    text = st.text_area(
        "Rolls, as digits 1 to 6",
        TYPED_DEFAULT,
        key=prefix + "text",
        height=150,
        max_chars=MAX_TEXT,
        help=CASINO_TEXT_HELP,
        **LINKED,
    )
    try:
        return text, parse_rolls(text)
    except DataError as error:  # said under the box; the run on the last good rolls stays
        st.error(plain(f"{error} The rolls already loaded stay."), icon=":material/error:")
        return text, None


def _tolerance(prefix: str) -> float:
    """When a run has converged. A casino's likelihood is flat near its top: at 1e-4 a
    run may stop far from where smaller tolerances all agree."""
    return st.select_slider(
        "Tolerance",
        TOL_CHOICES,
        DEFAULT_TOL,
        key=prefix + "tol",
        format_func=lambda tol: f"{tol:g}",
        help=TOL_HELP,
        **LINKED,
    )


def _model_widgets(prefix: str, default_k: int, max_k: int) -> tuple[int, int, float]:
    n_states = st.number_input("Hidden states K", 1, max_k, default_k, key=prefix + "k", **LINKED)
    seed = st.number_input("Init seed", 0, 1_000_000, 0, key=prefix + "rs", **LINKED)
    return n_states, seed, _tolerance(prefix)


def _rolls_panel(prefix: str, default_rolls: int, typed: bool, max_k: int):
    data_key, rolls = _rolls_widgets(prefix, default_rolls, typed)
    n_states, seed, tol = _model_widgets(prefix, 2, max_k)
    if rolls is None:
        return None

    def build() -> CategoricalHMMEM:
        return CategoricalHMMEM(
            rolls.symbols, n_states, n_symbols=len(FACES), random_state=seed, tol=tol
        )

    return (data_key, n_states, seed, tol), build, rolls


def _matched_truth(n_states: int, loaded: int) -> np.ndarray | None:
    """The true dice's faces row by row as the model's states play them (two states)."""
    if n_states != len(DICE):
        return None
    return CASINO_EMISSIONPROB[[1 - LOADED, LOADED] if loaded == 1 else [LOADED, 1 - LOADED]]


def _recovered(params: Any, loaded: int) -> pd.DataFrame:
    """The true casino against what the run has learnt (two states)."""
    fair = 1 - loaded
    rows = {
        "P(fair → loaded)": (CASINO_TRANSMAT[0, 1], params.transmat[fair, loaded]),
        "P(loaded → fair)": (CASINO_TRANSMAT[1, 0], params.transmat[loaded, fair]),
        "P(6 | loaded)": (CASINO_EMISSIONPROB[1, SIX], params.emissionprob[loaded, SIX]),
        "P(6 | fair)": (CASINO_EMISSIONPROB[0, SIX], params.emissionprob[fair, SIX]),
    }
    return pd.DataFrame(
        [[f"{true:.3f}", f"{learnt:.3f}"] for true, learnt in rows.values()],
        index=list(rows),
        columns=["true", "EM shown"],
    )


def _casino_words(view: RunView, rolls: Rolls, loaded: int, path: np.ndarray) -> None:
    """Which state plays the loaded die (and label switching: when that state changed
    during the run, or its number differs from the true loaded die's), and how well each
    decoding matches the true die."""
    n_states = view.em.n_components
    colour = component_colours(n_states)[0][loaded]
    st.markdown(
        f"State **{loaded + 1}** (<span style='color:{colour}'>■</span>) rolls the most "
        "sixes, so it plays the loaded die: the band is its posterior.",
        unsafe_allow_html=True,
    )
    at_start = _loaded_state(view.em.history[0].emissionprob)
    if at_start != loaded:
        st.info(
            f"**The states swapped roles.** At the start state {at_start + 1} rolled the "
            f"most sixes; now state {loaded + 1} does. EM's states have no fixed meaning: "
            "each becomes whichever die fits it best, whatever its number.",
            icon=":material/swap_horiz:",
        )
    if rolls.dice is None or n_states != len(DICE) or view.resp is None:
        return
    if loaded != LOADED:
        st.info(
            f"**Label switching.** The casino's loaded die is its die 2, but EM found it "
            f"as state {loaded + 1}. The numbers of hidden states are arbitrary: swapping "
            "them gives exactly the same likelihood, so EM may find the dice in either "
            "order, depending on the start. Compare states with dice by what they do, "
            "not by their number.",
            icon=":material/swap_horiz:",
        )
    truth = rolls.dice == LOADED
    viterbi = np.mean((path == loaded) == truth)
    posterior = np.mean((view.resp.argmax(axis=1) == loaded) == truth)
    st.markdown(
        f"Against the true die: Viterbi decoding is right on **{viterbi:.0%}** of the "
        f"rolls, posterior decoding on **{posterior:.0%}**. Viterbi picks the single most "
        "probable sequence of dice; posterior decoding the most probable die at each "
        "roll on its own, which may switch more often."
    )


def _show_casino(view: RunView, rolls: Rolls) -> None:
    record, em = view.record, view.em
    loaded = _loaded_state(record.emissionprob)
    path = em.viterbi(view.index)[1]
    played_plot(
        CASINO,
        view,
        "casino_strip",
        lambda at: figure_casino(
            em.X,
            at.resp,
            at.em.viterbi(at.index)[1],
            loaded=_loaded_state(at.record.emissionprob),
            true_states=rolls.dice,
            uirevision=str(len(rolls.faces)),
        ).update_layout(height=STRIP_HEIGHT),
    )
    st.caption(CASINO_CHANGED[record.phase])
    diagram, bars = st.columns(2)
    with diagram:
        played_plot(
            CASINO,
            view,
            "casino_transitions",
            lambda at: figure_transitions(at.record.transmat, at.record.startprob).update_layout(
                height=SMALL_HEIGHT
            ),
        )
    with bars:

        def emissions_at(at: RunView) -> Any:
            loaded_at = _loaded_state(at.record.emissionprob)
            known = rolls.dice is not None
            truth = _matched_truth(em.n_components, loaded_at) if known else None
            emissions = figure_emissions(at.record.emissionprob, faces=FACES, reference=truth)
            return emissions.update_layout(height=SMALL_HEIGHT)

        played_plot(CASINO, view, "casino_emissions", emissions_at)
    curve, words = st.columns(2)
    with curve:
        objective_curve(CASINO, view, len(em.X))
    with words:
        _casino_words(view, rolls, loaded, path)
        if rolls.dice is not None and em.n_components == len(DICE):
            st.table(_recovered(record.params, loaded))


# The trellis -----------------------------------------------------------------------------


def _in_state_colours(rows: pd.DataFrame, n_states: int) -> "pd.io.formats.style.Styler":
    """The table with each state's column ("state k") or row ("from k") in that
    state's colour."""
    styled = rows.style
    for k, colour in enumerate(component_colours(n_states)[0]):
        bold = {"color": colour, "font-weight": "600"}
        if f"state {k + 1}" in rows.columns:
            styled = styled.set_properties(subset=[f"state {k + 1}"], **bold)
        if f"from {k + 1}" in rows.index:
            styled = styled.set_properties(subset=pd.IndexSlice[[f"from {k + 1}"], :], **bold)
    return styled


def _trellis_panel() -> tuple[Any, Callable[[], Any], Rolls]:
    """The trellis demo's rolls and model, and the window shown (which is no part of
    the run: moving it starts nothing new)."""
    chosen = _rolls_panel(TRELLIS.prefix, 100, typed=False, max_k=3)
    rolls = chosen[2]
    last = len(rolls.faces) - WINDOW + 1
    state = st.session_state
    if state.get(TRELLIS_WINDOW, 1) > last:
        state[TRELLIS_WINDOW] = last
    st.slider("First roll of the window", 1, last, 1, key=TRELLIS_WINDOW, **LINKED)
    return chosen


def _show_trellis(view: RunView, rolls: Rolls) -> None:
    em, record = view.em, view.record
    start = min(st.session_state[TRELLIS_WINDOW], len(em.X) - WINDOW + 1) - 1

    def posterior_at(at: RunView) -> tuple[Any, np.ndarray, Any]:
        params = _e_step_params(at)
        log_emission = hmm.categorical_log_emission(em.X, params)
        posterior = hmm.forward_backward(
            params.startprob, params.transmat, log_emission, em.bounds
        )
        return params, log_emission, posterior

    def trellis_at(at: RunView) -> Any:
        params, log_emission, posterior = posterior_at(at)
        trellis = trellis_window(
            em.X, params.startprob, params.transmat, log_emission, posterior.gamma, start, WINDOW
        )
        return figure_trellis(trellis, FACES)

    played_plot(TRELLIS, view, "trellis_figure", trellis_at, variant=f"window {start}")
    posterior = posterior_at(view)[2]
    st.caption(f"{TRELLIS_CHANGED[record.phase]} {TRELLIS_NUMBERS}")
    n_states = em.n_components
    transitions, emissions = st.columns([2, 3])
    with transitions:
        st.markdown("**Expected transitions → A**")
        st.table(_in_state_colours(transitions_table(posterior.transitions), n_states))
        starts = ", ".join(f"{p:.2f}" for p in posterior.start)
        st.caption(f"Start probabilities π: $\\gamma$ at the first roll, ({starts}).")
    with emissions:
        st.markdown("**Expected rolls of each face → B**")
        counts = hmm.categorical_counts(em.X, posterior.gamma, len(FACES))
        st.table(_in_state_colours(emissions_table(counts, em.X, FACES), n_states))
    curve, words = st.columns([3, 2])
    with curve:
        objective_curve(TRELLIS, view, len(em.X))
    with words:
        st.markdown(
            f"The E-step credits each of the {len(em.X)} rolls to the states by $\\gamma$ "
            "and each pair of neighbouring rolls to the transitions by $\\xi$, over the "
            "whole sequence (the window shows eight of them). The M-step divides: each row "
            "of A is the expected transitions out of a state over all of them, and each "
            "state's B the rolls of each face credited to it over all the rolls credited "
            "to it."
        )


# Gaussian states ---------------------------------------------------------------------------


def _regimes_panel() -> tuple[Any, Callable[[], Any], Dataset]:
    n_samples = st.number_input("Points", 50, 5_000, 400, step=50, key="regimes_n", **LINKED)
    data_seed = st.number_input("Data seed", 0, 1_000_000, 0, key="regimes_seed", **LINKED)
    n_states = st.number_input("Hidden states K", 1, 6, 3, key="regimes_k", **LINKED)
    covariance_type = st.selectbox(
        "Covariance type", COVARIANCE_TYPES, key="regimes_cov", help=COVARIANCE_HELP, **LINKED
    )
    init = st.selectbox("Initialisation", GAUSSIAN_INITS, key="regimes_init", **LINKED)
    seed = st.number_input("Init seed", 0, 1_000_000, 0, key="regimes_rs", **LINKED)
    tol = _tolerance(REGIMES.prefix)
    as_mixture = st.toggle(
        "Every row of A equal to the weights",
        False,
        key="regimes_mixture",
        help=REGIMES_MIXTURE_HELP,
        **LINKED,
    )
    dataset = regime_switching(n_samples, data_seed)

    def build() -> GaussianHMMEM | GaussianMixtureEM:
        model = GaussianHMMEM(
            dataset.X, n_states, covariance_type, init=init, random_state=seed, tol=tol
        )
        if not as_mixture:
            return model
        return GaussianMixtureEM(
            dataset.X,
            n_states,
            covariance_type=covariance_type,
            weights_init=model.startprob,
            means_init=model.means,
            covariances_init=model.covariances,
            tol=model.tol,
        )

    key = (n_samples, data_seed, n_states, covariance_type, init, seed, tol, as_mixture)
    return key, build, dataset


def _mixture_check(X: np.ndarray, params: Any, resp: np.ndarray) -> float:
    """The largest difference between the mixture's responsibilities and the posteriors
    of the hidden Markov model with the same Gaussians and every row of A equal to the
    weights."""
    weights = params.weights
    states = gaussian.GaussianParams(np.ones(len(weights)), params.means, params.covariances)
    log_emission = gaussian.log_prob(gaussian.prepare(X), states)
    rows = np.tile(weights, (len(weights), 1))
    chain = hmm.forward_backward(weights, rows, log_emission, np.array([0, len(X)]))
    return float(np.abs(chain.gamma - resp).max())


def _regimes_words(view: RunView, dataset: Dataset, as_mixture: bool) -> str:
    """What the picture shows: the time order, or (rows of A equal to the weights) the
    mixture, with forward-backward's posteriors checked against its responsibilities."""
    if not as_mixture:
        return (
            "The grey line joins the points in time order: the states persist, so "
            "neighbours in time share a state, and the transitions A say for how long. "
            "Switch on **Every row of A equal to the weights** to forget the order: the "
            "model is then the Gaussian mixture."
        )
    words = (
        "Every row of A is the weights π: where the chain goes next does not depend on "
        "where it is, so the time order says nothing, and this is the Gaussian mixture, "
        "run from the same start."
    )
    if view.resp is not None:
        gap = _mixture_check(dataset.X, _e_step_params(view), view.resp)
        words += (
            " Forward-backward with these rows gives each point exactly the mixture's "
            f"responsibilities (largest difference {signed(gap, '.0e')})."
        )
    return words


def _show_regimes(view: RunView, dataset: Dataset) -> None:
    em = view.em
    as_mixture = isinstance(em, GaussianMixtureEM)
    picture, diagram = st.columns(2)
    with picture:
        played_plot(
            REGIMES,
            view,
            "regimes_states",
            lambda at: figure_gaussian_hmm(
                dataset.X,
                at.record.means,
                at.record.covariances,
                at.record.weights,
                at.resp,
                feature_names=dataset.feature_names,
                uirevision=f"{dataset.name}-{len(dataset.X)}",
            ).update_layout(height=440),
        )
    with diagram:

        def transitions_at(at: RunView) -> Any:
            weights = at.record.weights
            rows = np.tile(weights, (em.n_components, 1)) if as_mixture else at.record.transmat
            return figure_transitions(rows).update_layout(height=440)

        played_plot(REGIMES, view, "regimes_transitions", transitions_at)
    curve, words = st.columns(2)
    with curve:
        objective_curve(REGIMES, view, len(em.X))
    with words:
        st.markdown(_regimes_words(view, dataset, as_mixture))


DEMOS = {
    "The casino": Demo(
        CASINO,
        "A casino rolls a fair die and now and then a loaded one that rolls a six half "
        "the time; which die is hidden (Durbin, Eddy, Krogh and Mitchison, 1998). "
        "Baum-Welch learns both dice and how often the casino switches.",
        lambda: _rolls_panel(CASINO.prefix, 300, typed=True, max_k=4),
        _show_casino,
        HMM_STEP_HELP,
        HOW_HMM_EM_WORKS,
        main=("casino_strip",),
        share=None,
    ),
    "The trellis": Demo(
        TRELLIS,
        "Forward-backward's numbers for eight rolls, then the M-step's expected counts "
        "turned into the new transitions and dice.",
        _trellis_panel,
        _show_trellis,
        HMM_STEP_HELP,
        HOW_HMM_EM_WORKS,
        main=("trellis_figure",),
        share=None,
    ),
    "Gaussian states": Demo(
        REGIMES,
        "Points from three regimes that persist for a while each: a hidden Markov model "
        "whose states emit Gaussians.",
        _regimes_panel,
        _show_regimes,
        HMM_STEP_HELP,
        HOW_HMM_EM_WORKS,
        main=("regimes_states",),
        share=60,
    ),
}


def hmm_page() -> None:
    """Hidden Markov models: choose a demo, its data and model in the sidebar, then step."""
    demo_page(DEMOS, "hmm_demo")
