"""The Bernoulli mixtures page: three demos of EM on coins and binary images.

- **Two coins**: sets of tosses, each thrown with one of K coins, the coin unknown (a
  binomial mixture), with the textbook table of expected heads and tails per coin.
- **Single flips**: K coins, one flip each: only the overall rate of heads can be
  learnt, and EM says so by stopping after one iteration.
- **Binarised digits**: K prototypes of 8x8 black-and-white digits.

Each demo keeps its own run in its own :class:`~em_viz.ui.run.RunSlot`, so switching
demos loses nothing; the data a run was built from sits beside it (``slot.data``).
"""

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from em_viz import BernoulliMixtureEM, BinomialMixtureEM
from em_viz.data import DataError
from em_viz.data.coins import (
    COIN_NAMES,
    TWO_COINS,
    CoinTable,
    TossSets,
    coin_table,
    parse_tosses,
    single_flips,
)
from em_viz.data.digits import Digits, binarised_digits, sample_indices
from em_viz.engine.families.bernoulli import INIT_METHODS
from em_viz.engine.runs import SeveralStarts, several_starts
from em_viz.figures.bernoulli import figure_coins, figure_probability_paths, figure_weights
from em_viz.figures.images import figure_digit_responsibilities, figure_prototypes
from em_viz.figures.style import component_colours
from em_viz.ui.demo_labels import (
    DIGITS_CHANGED,
    DIGITS_INIT_HELP,
    DIGITS_INIT_NAMES,
    DIGITS_STEP_HELP,
    FLIPS_CHANGED,
    MIXTURE_STEP_HELP,
    PSEUDO_COUNT_HELP,
)
from em_viz.ui.demos import CURVE_HEIGHT, Demo, demo_page, objective_curve, played_plot
from em_viz.ui.labels import plain
from em_viz.ui.lessons import HOW_BERNOULLI_EM_WORKS
from em_viz.ui.run import RunView
from em_viz.ui.stepping import RunSlot
from em_viz.ui.url_values import LINKED

COINS = RunSlot("coins_")
FLIPS = RunSlot("flips_")
DIGITS = RunSlot("digits_")

FIGURE_HEIGHT = 420
N_STARTS = 6
N_DIGITS_SHOWN = 6
SAMPLES_HEIGHT = 270
"""The sample digits sit in a narrower column than their figure is sized for."""
PSEUDO_COUNTS = (0.0, 0.01, 0.1, 0.5, 1.0, 2.0, 5.0)
START_BIASES = (0.6, 0.5, 0.4, 0.3)
MAX_COINS = len(START_BIASES)

MAX_LINKED_TEXT = 10_000
"""Toss text longer than this (characters) stays out of the link, and so does text the
page refuses: a server accepts links of about 128 KB, and 200 sets of 1,000 tosses
would make one of 200 KB."""


# Two coins ---------------------------------------------------------------------------


def _linkable(text: str | None) -> bool:
    """Whether toss text may go into the page's link: tosses the page accepts, at most
    :data:`MAX_LINKED_TEXT` characters. None (a session's first run) is linked, so that
    a link's tosses are read."""
    if text is None:
        return True
    if len(text) > MAX_LINKED_TEXT:
        return False
    try:
        parse_tosses(text)
    except DataError:
        return False
    return True


def _coins_panel() -> tuple[Any, Callable[[], Any], TossSets] | None:
    state, default = st.session_state, "\n".join(TWO_COINS)
    previous = state.get("coins_text")
    linked = _linkable(previous)
    if linked and state.pop("coins_text_unlinked", False) and previous != default:
        st.query_params["coins_text"] = previous  # back in the link (bound, it stays)
    state["coins_text_unlinked"] = not linked
    text = st.text_area(
        "Sets of tosses, one per line",
        default,
        key="coins_text",
        height=170,
        help="H for heads, T for tails; each line is one set, thrown with one coin.",
        bind=LINKED["bind"] if linked else None,
        persist_state=LINKED["persist_state"],
    )
    if len(text) > MAX_LINKED_TEXT:
        st.caption(
            f"These tosses ({len(text):,} characters) are too many for the page's link "
            f"(at most {MAX_LINKED_TEXT:,}): a link to this page opens on the textbook's "
            "tosses."
        )
    try:
        tosses = parse_tosses(text)
    except DataError as error:  # said under the box; the run on the last good tosses stays
        st.error(plain(f"{error} The tosses already loaded stay."), icon=":material/error:")
        tosses = None
    n_coins = st.number_input("Coins K", 2, MAX_COINS, 2, key="coins_k", **LINKED)
    starts = [
        st.number_input(
            f"Coin {COIN_NAMES[k]}'s starting bias",
            0.01,
            0.99,
            START_BIASES[k],
            step=0.05,
            key=f"coins_start_{k}",
            **LINKED,
        )
        for k in range(n_coins)
    ]
    fixed = st.checkbox(
        "Hold the mixing weights at 1/K",
        True,
        key="coins_fixed",
        **LINKED,
        help="As in the textbook example: each set is equally likely to come from any coin.",
    )
    if tosses is None:
        return None

    def build() -> BinomialMixtureEM:
        return BinomialMixtureEM(
            tosses.heads,
            tosses.trials,
            n_coins,
            probabilities_init=starts,
            learn_weights=not fixed,
        )

    return (tosses.sets, tuple(starts), fixed), build, tosses


def _with_total(values: np.ndarray) -> np.ndarray:
    """Per-set values with their totals (over the sets) as a last row."""
    return np.concatenate([values, values.sum(axis=0, keepdims=True)])


def _textbook(table: CoinTable) -> pd.DataFrame:
    """The table as the textbook prints it: per set its counts, each coin's probability
    and the heads and tails credited to each coin ("2.2 H, 2.2 T"), totals in a last row."""
    index = [f"Set {i}" for i in range(1, len(table.sets) + 1)] + ["Total"]
    rows = pd.DataFrame({"Tosses": [*table.sets, ""]}, index=index)
    heads, tails = _with_total(table.heads), _with_total(table.tails)
    rows["Counts"] = [f"{h:.0f} H, {t:.0f} T" for h, t in zip(heads, tails, strict=True)]
    coins = COIN_NAMES[: table.p_coin.shape[1]]
    for k, coin in enumerate(coins):
        rows[f"P({coin})"] = [*(f"{p:.2f}" for p in table.p_coin[:, k]), ""]
    heads, tails = _with_total(table.heads_credited), _with_total(table.tails_credited)
    for k, coin in enumerate(coins):
        credited = zip(heads[:, k], tails[:, k], strict=True)
        rows[f"Coin {coin}"] = [f"{h:.1f} H, {t:.1f} T" for h, t in credited]
    return rows


def _in_coin_colours(rows: pd.DataFrame, n_coins: int) -> "pd.io.formats.style.Styler":
    """The table with each coin's columns in that coin's colour, as in its path."""
    styled = rows.style
    for coin, colour in zip(COIN_NAMES, component_colours(n_coins)[0], strict=False):
        columns = [name for name in (f"P({coin})", f"Coin {coin}") if name in rows]
        styled = styled.set_properties(subset=columns, color=colour, **{"font-weight": "600"})
    return styled


def _new_biases(table: CoinTable) -> str:
    """The M-step's arithmetic from the table's totals, in LaTeX."""
    totals = zip(table.heads_credited.sum(axis=0), table.tails_credited.sum(axis=0), strict=True)
    parts = []
    for coin, (heads, tails) in zip(COIN_NAMES, totals, strict=False):
        parts.append(
            rf"\theta_{coin} = \frac{{{heads:.1f}}}{{{heads:.1f} + {tails:.1f}}} "
            rf"= {heads / (heads + tails):.2f}"
        )
    return r",\qquad ".join(parts)


def _show_coins(view: RunView, tosses: TossSets) -> None:
    n_coins = view.em.n_components
    names = [f"coin {c}" for c in COIN_NAMES[:n_coins]]
    left, right = st.columns([3, 2])
    with left:
        table = coin_table(tosses, view.resp)
        st.table(_in_coin_colours(_textbook(table), n_coins))
        if view.resp is None:
            st.caption(
                "Press **E-step**: each set's tosses are then credited to the coins in "
                "proportion to how likely each coin is to have thrown them."
            )
        else:
            when = "this M-step gave" if view.record.phase == "M" else "the next M-step gives"
            st.markdown(f"New biases from the credited counts ({when}):")
            st.latex(_new_biases(table))
    with right:
        played_plot(
            COINS,
            view,
            "coins_paths",
            lambda at: figure_probability_paths(
                at.em.history, at.index, names=names
            ).update_layout(height=CURVE_HEIGHT),
        )
    curve_column, words = st.columns([3, 2])
    with curve_column:
        objective_curve(COINS, view, len(tosses.sets))
    with words:
        if np.ptp(view.em.history[0].probabilities[:, 0]) == 0:  # equal from the start
            st.info(
                "The coins start with equal biases, so every set is credited to them "
                "equally and they stay identical for ever: EM cannot break the tie. Give "
                "them different starting biases.",
                icon=":material/info:",
            )
        st.markdown(
            "The coin that threw each set is hidden. The **E-step** asks, for each set, how "
            "likely each coin is to have thrown it (the P columns) and credits its heads "
            "and tails to the coins in those proportions. The **M-step** sets each coin's "
            "bias to the heads credited to it over all tosses credited to it."
        )


# Single flips ------------------------------------------------------------------------


def _flips_panel() -> tuple[Any, Callable[[], Any], np.ndarray]:
    n_flips = st.number_input("Flips", 10, 100_000, 200, step=50, key="flips_n", **LINKED)
    st.caption("The coins that made them (EM never sees which coin made which flip):")
    bias_1 = st.slider("Coin 1's bias", 0.0, 1.0, 0.2, step=0.05, key="flips_bias_1", **LINKED)
    bias_2 = st.slider("Coin 2's bias", 0.0, 1.0, 0.9, step=0.05, key="flips_bias_2", **LINKED)
    share = st.slider("Share of coin 1", 0.0, 1.0, 0.5, step=0.05, key="flips_share", **LINKED)
    data_seed = st.number_input("Data seed", 0, 1_000_000, 0, key="flips_seed", **LINKED)
    n_coins = st.number_input("Coins in the model K", 1, 5, 2, key="flips_k", **LINKED)
    init_seed = st.number_input("Init seed", 0, 1_000_000, 0, key="flips_rs", **LINKED)
    flips = single_flips(n_flips, (bias_1, bias_2), (share, 1 - share), data_seed)
    generator = (n_flips, bias_1, bias_2, share, data_seed)

    def build() -> BernoulliMixtureEM:
        return BernoulliMixtureEM(flips, n_coins, random_state=init_seed, pseudo_count=0)

    return (generator, n_coins, init_seed), build, flips


@st.cache_data(max_entries=8, show_spinner=False)
def _several_starts(flips: np.ndarray, n_coins: int) -> pd.DataFrame:
    """:func:`~em_viz.engine.runs.several_starts`, once per data and K (not at every step),
    as a table."""
    return _starts_table(several_starts(flips, n_coins, range(N_STARTS)))


def _starts_table(starts: SeveralStarts) -> pd.DataFrame:
    """One row per start: every coin's weight and bias, the overall rate, the
    log-likelihood and the largest change in iteration 2."""
    columns = {}
    for k in range(starts.biases.shape[1]):
        columns[f"π{k + 1}"] = starts.weights[:, k]
        columns[f"p{k + 1}"] = starts.biases[:, k]
    columns["overall rate Σ πp"] = starts.overall_rates
    columns["log-likelihood"] = starts.log_likelihoods
    columns["change in iteration 2"] = starts.changes
    return pd.DataFrame(columns, index=pd.Index(starts.seeds, name="start (seed)"))


def _show_flips(view: RunView, flips: np.ndarray) -> None:
    rate = float(flips.mean())
    names = [f"coin {k + 1}" for k in range(view.em.n_components)]
    left, right = st.columns([3, 2])
    with left:
        played_plot(
            FLIPS,
            view,
            "flips_coins",
            lambda at: figure_coins(
                at.record.probabilities[:, 0], at.record.weights, rate, names=names
            ).update_layout(height=FIGURE_HEIGHT),
        )
        st.caption(FLIPS_CHANGED[view.record.phase])
    with right:
        objective_curve(FLIPS, view, len(flips))
    heads = int(flips.sum())
    st.markdown(
        f"**What EM can learn here.** One flip per observation says nothing about which "
        f"coin made it, so the data are just {heads} heads in {len(flips)} flips. Any "
        "coins whose overall rate Σ π_k p_k equals the observed rate "
        f"**{rate:.3f}** explain them equally well. After one iteration EM reaches such an "
        "answer and stops: the second iteration changes nothing, and the curve is flat. "
        "Which answer depends only on the start."
    )
    starts = _several_starts(flips, view.em.n_components)
    st.dataframe(
        starts,
        column_config={name: st.column_config.NumberColumn(format="%.4g") for name in starts},
    )
    st.caption(
        f"{N_STARTS} random starts, one iteration each: different coins, one log-likelihood "
        "(that of a single coin with bias equal to the observed rate)."
    )


# Binarised digits --------------------------------------------------------------------


def _digits_panel() -> tuple[Any, Callable[[], Any], Digits] | None:
    classes = st.multiselect("Digits", list(range(10)), [2, 3, 4], key="digits_classes", **LINKED)
    try:
        digits = binarised_digits(tuple(sorted(classes)))
    except DataError as error:  # said under the picker; the run on the last digits stays
        st.error(plain(f"{error} The digits already loaded stay."), icon=":material/error:")
        digits = None
    n_components = st.number_input("Components K", 1, 15, 3, key="digits_k", **LINKED)
    init = st.selectbox(
        "Initialisation",
        INIT_METHODS,
        format_func=DIGITS_INIT_NAMES.get,
        key="digits_init",
        **LINKED,
        help=DIGITS_INIT_HELP,
    )
    seed = st.number_input("Init seed", 0, 1_000_000, 2, key="digits_rs", **LINKED)
    pseudo_count = st.select_slider(
        "Pseudo-count",
        PSEUDO_COUNTS,
        1.0,
        key="digits_pseudo",
        help=PSEUDO_COUNT_HELP,
        **LINKED,
    )
    st.caption(
        "Pixel probabilities stay strictly between 0 and 1 thanks to the pseudo-count; at "
        "0 they may reach 0 or 1, and the page says so."
    )
    if digits is None:
        return None

    def build() -> BernoulliMixtureEM:
        return BernoulliMixtureEM(
            digits.X, n_components, init=init, random_state=seed, pseudo_count=pseudo_count
        )

    return (tuple(sorted(classes)), n_components, init, seed, pseudo_count), build, digits


def _show_digits(view: RunView, digits: Digits) -> None:
    record = view.record
    left, right = st.columns([4, 1])
    with left:
        prototypes = figure_prototypes(record.probabilities, record.weights)
        played_plot(
            DIGITS,
            view,
            "digits_prototypes",
            lambda at: figure_prototypes(at.record.probabilities, at.record.weights),
        )
        st.caption(DIGITS_CHANGED[record.phase])
    with right:
        played_plot(
            DIGITS,
            view,
            "digits_weights",
            lambda at: figure_weights(at.record.weights).update_layout(
                height=prototypes.layout.height
            ),
        )
    left, right = st.columns([3, 2])
    with left:
        shown = sample_indices(digits.labels, N_DIGITS_SHOWN)
        labels = [str(d) for d in digits.labels[shown]]
        played_plot(
            DIGITS,
            view,
            "digits_samples",
            lambda at: figure_digit_responsibilities(
                digits.X[shown], None if at.resp is None else at.resp[shown], labels=labels
            ).update_layout(height=SAMPLES_HEIGHT),
        )
        classes = ", ".join(map(str, np.unique(digits.labels)))
        st.caption(
            f"{len(digits.X)} images of the digits {classes} (scikit-learn's 8x8 digits, a "
            "pixel black where its grey level is at least half). EM never sees the labels: "
            "each prototype is what one component expects an image to look like. EM stops at "
            "a local optimum that depends on the start: other seeds may merge two digits "
            "into one prototype, or split one digit in two."
        )
    with right:
        objective_curve(DIGITS, view, len(digits.X))


DEMOS = {
    "Two coins": Demo(
        COINS,
        "Several sets of tosses, each thrown with one of K coins of unknown bias; which coin "
        "threw which set is hidden. The classic example of Do and Batzoglou (2008).",
        _coins_panel,
        _show_coins,
        MIXTURE_STEP_HELP,
        HOW_BERNOULLI_EM_WORKS,
        main=("coins_paths",),
        share=None,
    ),
    "Single flips": Demo(
        FLIPS,
        "K coins, one flip per observation, the coin hidden: what can EM learn?",
        _flips_panel,
        _show_flips,
        MIXTURE_STEP_HELP,
        HOW_BERNOULLI_EM_WORKS,
        main=("flips_coins",),
    ),
    "Binarised digits": Demo(
        DIGITS,
        "Black-and-white 8x8 digits as a mixture of K prototypes, one probability per pixel "
        "(Bishop's figure 9.10).",
        _digits_panel,
        _show_digits,
        DIGITS_STEP_HELP,
        HOW_BERNOULLI_EM_WORKS,
        main=("digits_prototypes",),
        share=None,
    ),
}


def bernoulli_page() -> None:
    """Bernoulli mixtures: choose a demo, its data and model in the sidebar, then step."""
    demo_page(DEMOS, "demo")
