"""The explorer on data with hidden coordinates: the data with a share of coordinates
hidden (or an upload's empty cells kept), the settings that fit them (soft EM with
``missing="em"``), the points at EM's expected positions for the half-step shown, the fit
on the complete rows alone for comparison, and the bias in words.

State: the fit on complete rows is kept in ``st.session_state`` under
:data:`COMPLETE_FIT`, with the key of the run it was made for.
"""

from dataclasses import replace
from typing import Any

import numpy as np
import streamlit as st

from em_viz import EMVizError, GaussianMixtureEM
from em_viz.data import Dataset
from em_viz.data.missingness import Hiding, hide_in
from em_viz.engine.gaussian_em import GaussianSettings
from em_viz.ui.labels import (
    ALGORITHM_NAMES,
    ALL_FEATURES_IMPUTED,
    COMPLETE_ROWS_HELP,
    COMPLETE_ROWS_LABEL,
    MEAN_BIAS,
    NEEDS_COMPLETE_DATA,
    plain,
)
from em_viz.ui.sidebar import KEPT, MANUAL_INIT, DataChoice

COMPLETE_FIT = "explorer_complete_fit"
"""Where the fit on complete rows is kept: (the run's key, the fitted stepper)."""
BEFORE_HIDING = "explorer_before_hiding"
"""Where the explorer keeps its data set as it was before coordinates were hidden."""
COMPLETE_FIT_ITERATIONS = 1_000


def with_hidden(choice: DataChoice | None, hiding: Hiding) -> DataChoice | None:
    """The data the explorer runs on: the choice with ``hiding`` applied (saying how many
    points lost a coordinate), or an upload's rows with an empty cell kept as missing
    when the data panel was asked to."""
    if choice is None:
        return None
    if choice.incomplete is not None:
        return DataChoice(choice.incomplete, choice.key)
    if hiding.share == 0:
        return choice
    dataset = hide_in(choice.dataset, hiding)
    st.caption(dataset.notes[-1])
    return DataChoice(dataset, (*choice.key, "hidden", hiding))


def is_incomplete(dataset: Dataset) -> bool:
    """Whether some coordinate of ``dataset`` is missing."""
    return bool(np.isnan(dataset.X).any())


def incomplete_settings(settings: GaussianSettings) -> GaussianSettings | None:
    """The settings for data with missing entries (``missing="em"``); None, after saying
    why in the page, for an algorithm that needs complete data."""
    if settings.algorithm != "soft":
        name = ALGORITHM_NAMES.get(settings.algorithm, settings.algorithm)
        st.warning(
            NEEDS_COMPLETE_DATA.format(algorithm=name.capitalize()), icon=":material/block:"
        )
        return None
    return replace(settings, missing="em")


def has_missing(em: Any) -> bool:
    """Whether the run ``em`` has missing entries (a model without them has none)."""
    return bool(getattr(em, "missing_mask", np.zeros(1, bool)).any())


def _complete_rows_fit(em: GaussianMixtureEM, run_key: dict) -> GaussianMixtureEM:
    """The same model fitted to convergence on the rows of ``em.X`` with no missing entry
    (kept per run)."""
    kept = st.session_state.get(COMPLETE_FIT)
    if kept is not None and kept[0] == run_key:
        return kept[1]
    settings = replace(GaussianSettings(**run_key["model"]), missing="refuse")
    X = em.X[~em.missing_mask.any(axis=1)]
    means = None
    if settings.init == MANUAL_INIT:
        means = np.array(run_key["clicked"][: settings.n_components])
        settings = replace(settings, init="random-points")
    fit = settings.build(X, means_init=means)
    fit.run(COMPLETE_FIT_ITERATIONS, past_saddle=True)
    st.session_state[COMPLETE_FIT] = (run_key, fit)
    return fit


def figure_options(em: GaussianMixtureEM, index: int, run_key: dict) -> dict[str, Any]:
    """What the mixture figure needs to draw a run on incomplete data at ``history[index]``:
    the points at their expected positions and spreads, and with the toggle (drawn here)
    the fit on complete rows; nothing for complete data."""
    if not has_missing(em):
        return {}
    imputed, spread = em.imputed_at(index)
    options = {"imputed": imputed, "spread": spread}
    if st.toggle(
        COMPLETE_ROWS_LABEL, key="complete_rows", help=COMPLETE_ROWS_HELP, persist_state=KEPT
    ):
        try:
            options["complete_fit"] = _complete_rows_fit(em, run_key).params
        except EMVizError as error:
            st.info(plain(f"The complete rows alone cannot be fitted: {error}"))
    return options


def mean_bias(em: GaussianMixtureEM, params: Any, before: Dataset | None) -> str | None:
    """The mean of the second feature before hiding, in EM's fit (``params``) and over
    the complete rows alone, with their errors: the bias of each, in words; None
    without the data before hiding."""
    if before is None or not has_missing(em):
        return None
    truth = float(before.X[:, 1].mean())
    fitted = float(params.weights @ params.means[:, 1])
    complete = float(em.X[~em.missing_mask.any(axis=1), 1].mean())
    return MEAN_BIAS.format(
        feature=plain(before.feature_names[1]),
        truth=truth,
        fitted=fitted,
        fitted_error=fitted - truth,
        complete=complete,
        complete_error=complete - truth,
    )


def at_expectation(dataset: Dataset, em: GaussianMixtureEM, index: int) -> Dataset:
    """``dataset`` with each missing entry at its expectation under the mixture at
    ``history[index]`` (saying so), for the views of more than two features, which draw
    every point alike; ``dataset`` itself when nothing is missing."""
    if not has_missing(em):
        return dataset
    st.caption(ALL_FEATURES_IMPUTED)
    return replace(dataset, X=em.imputed_at(index)[0])
