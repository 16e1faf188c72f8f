"""Information criteria over K and covariance type: mclust's and scikit-learn's numbers on
Old Faithful, scikit-learn's scores for the same parameters, and the collapse detector."""

import numpy as np
import pandas as pd
import pytest
from plotly_json import figure_data
from scipy.stats import multivariate_normal
from sklearn.mixture import GaussianMixture
from sklearn.mixture._gaussian_mixture import _compute_precision_cholesky
from sklearn.model_selection import KFold

from em_viz import COVARIANCE_TYPES, GaussianParams, SettingsError, bic_table
from em_viz.data import iris, old_faithful
from em_viz.engine.selection import (
    COLUMNS,
    REG_COVAR,
    best_model,
    best_start,
    degeneracy,
    n_parameters,
)
from em_viz.figures.selection import figure_criterion


@pytest.fixture(scope="module")
def faithful_table() -> pd.DataFrame:
    return bic_table(old_faithful().X)


def cell(table: pd.DataFrame, covariance_type: str, k: int) -> pd.Series:
    rows = table[(table.covariance_type == covariance_type) & (table.n_components == k)]
    assert len(rows) == 1
    return rows.iloc[0]


def sklearn_with(params: GaussianParams, covariance_type: str) -> GaussianMixture:
    """scikit-learn's GaussianMixture holding exactly these parameters (no fit)."""
    covariances = {
        "full": params.covariances,
        "tied": params.covariances[0],
        "diag": np.diagonal(params.covariances, axis1=1, axis2=2),
        "spherical": params.covariances[:, 0, 0],
    }[covariance_type]
    model = GaussianMixture(len(params.weights), covariance_type=covariance_type)
    model.weights_ = params.weights
    model.means_ = params.means
    model.covariances_ = covariances
    model.precisions_cholesky_ = _compute_precision_cholesky(covariances, covariance_type)
    return model


def test_the_table_has_one_row_per_model_in_order(faithful_table):
    assert list(faithful_table.columns) == list(COLUMNS)
    expected = [(cov, k) for cov in ("spherical", "diag", "tied", "full") for k in range(1, 10)]
    assert (
        list(zip(faithful_table.covariance_type, faithful_table.n_components, strict=True))
        == expected
    )


def test_old_faithful_reference_numbers(faithful_table):
    tied, full = cell(faithful_table, "tied", 2), cell(faithful_table, "full", 2)
    assert tied.log_likelihood == pytest.approx(-1140.19, abs=0.005)
    assert tied.bic == pytest.approx(2325.22, abs=0.005)
    assert full.log_likelihood == pytest.approx(-1130.26, abs=0.005)


def test_old_faithful_lowest_honest_bic_is_tied_three(faithful_table):
    chosen = best_model(faithful_table, "bic")
    assert (chosen.covariance_type, chosen.n_components) == ("tied", 3)
    assert chosen.bic == pytest.approx(2314.3, abs=0.05)
    assert not chosen.degenerate


def test_every_start_converged_on_old_faithful(faithful_table):
    assert faithful_table.converged.all()


def test_diag_five_collapse_on_whole_minutes_is_flagged(faithful_table):
    collapsed = cell(faithful_table, "diag", 5)
    assert collapsed.degenerate
    assert "collapsed" in collapsed.reason and "reg_covar" in collapsed.reason
    # It "wins" on BIC by a wide margin, and is left out of the choice.
    assert collapsed.bic < faithful_table.bic.drop(collapsed.name).min() - 50
    assert best_model(faithful_table, "bic").bic > collapsed.bic


def test_the_collapsed_component_sits_on_one_waiting_time():
    X = old_faithful().X
    em, _, _ = best_start(X, 5, "diag", n_init=5, random_state=0)
    variances = np.diagonal(em.covariances, axis1=1, axis2=2)
    k, feature = np.unravel_index(variances.argmin(), variances.shape)
    assert variances[k, feature] == pytest.approx(REG_COVAR, rel=0.01)
    mine = em.responsibilities[:, k] > 0.5
    assert mine.sum() >= 3
    assert np.unique(X[mine, feature]).size == 1


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_scores_equal_scikit_learns_for_the_same_parameters(covariance_type):
    X = old_faithful().X
    table = bic_table(X, [1, 3], [covariance_type], n_init=2)
    for k in (1, 3):
        em, seed, _ = best_start(X, k, covariance_type, n_init=2, random_state=0)
        row = cell(table, covariance_type, k)
        assert row.random_state == seed
        model = sklearn_with(em.params, covariance_type)
        assert row.log_likelihood == pytest.approx(model.score(X) * len(X), rel=1e-8)
        assert row.bic == pytest.approx(model.bic(X), rel=1e-8)
        assert row.aic == pytest.approx(model.aic(X), rel=1e-8)
        resp = model.predict_proba(X)
        entropy = -np.sum(resp[resp > 0] * np.log(resp[resp > 0]))
        assert row.icl == pytest.approx(model.bic(X) + 2 * entropy, rel=1e-8)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("n_features", [1, 2, 4])
def test_parameters_are_counted_as_scikit_learn_counts(covariance_type, n_features):
    for k in range(1, 10):
        model = GaussianMixture(k, covariance_type=covariance_type)
        model.means_ = np.zeros((k, n_features))
        assert n_parameters(k, n_features, covariance_type) == model._n_parameters()


def test_table_counts_match_the_formula(faithful_table):
    for row in faithful_table.itertuples():
        assert row.n_parameters == n_parameters(row.n_components, 2, row.covariance_type)


def test_a_bigger_mixture_never_fits_worse_by_much(faithful_table):
    """The reason a criterion is needed: the best log-likelihood grows with K (full
    nests every smaller full mixture; starts may miss a little)."""
    full = faithful_table[faithful_table.covariance_type == "full"].log_likelihood.to_numpy()
    assert full[-1] > full[0] + 100
    assert np.all(np.diff(full) > -5)


def test_degeneracy_names_a_component_on_too_few_points():
    params = GaussianParams(
        weights=np.array([0.99, 0.01]),
        means=np.zeros((2, 2)),
        covariances=np.stack([np.eye(2), 0.5 * np.eye(2)]),
    )
    reason = degeneracy(params, n_samples=100, reg_covar=REG_COVAR)
    assert reason.startswith("Component 2 rests on about 1.0 points")
    assert "3 (dimensions + 1)" in reason


def test_degeneracy_names_collapsed_components_together():
    flat = np.diag([1.0, REG_COVAR])
    params = GaussianParams(
        weights=np.array([0.3, 0.4, 0.3]),
        means=np.zeros((3, 2)),
        covariances=np.stack([flat, np.eye(2), flat]),
    )
    reason = degeneracy(params, n_samples=100, reg_covar=REG_COVAR)
    assert reason.startswith("Components 1 and 3 collapsed: their points")


def test_a_healthy_fit_is_not_degenerate():
    params = GaussianParams(
        weights=np.array([0.5, 0.5]),
        means=np.zeros((2, 2)),
        covariances=np.stack([np.eye(2), 200 * REG_COVAR * np.eye(2)]),
    )
    assert degeneracy(params, n_samples=100, reg_covar=REG_COVAR) == ""


def test_best_model_by_each_criterion_is_the_lowest_honest_row(faithful_table):
    honest = faithful_table[~faithful_table.degenerate]
    for criterion in ("bic", "aic", "icl"):
        chosen = best_model(faithful_table, criterion)
        assert chosen[criterion] == honest[criterion].min()


def test_best_model_is_none_when_every_fit_is_degenerate(faithful_table):
    assert best_model(faithful_table.assign(degenerate=True)) is None


def test_best_model_refuses_an_unknown_criterion(faithful_table):
    with pytest.raises(SettingsError, match="Unknown criterion 'bick'"):
        best_model(faithful_table, "bick")


def test_iris_in_two_dimensions_flags_collapses_on_repeated_petals():
    table = bic_table(iris().X, range(1, 8), ("full",))
    chosen = best_model(table)
    assert not chosen.degenerate
    degenerate = table[table.degenerate]
    assert len(degenerate) > 0
    assert (degenerate.reason.str.len() > 0).all()
    assert chosen.bic > degenerate.bic.min()


def test_progress_is_reported_after_each_model():
    calls = []
    bic_table(
        old_faithful().X, [1, 2], ("tied", "full"), n_init=1, progress=lambda *a: calls.append(a)
    )
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_the_same_arguments_give_the_same_table():
    X = old_faithful().X
    first = bic_table(X, [2, 3], ("diag",), n_init=2, random_state=7)
    pd.testing.assert_frame_equal(first, bic_table(X, [2, 3], ("diag",), n_init=2, random_state=7))
    assert (first.random_state >= 7).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_components": []}, "at least one number of components"),
        ({"n_components": [0, 1]}, "n_components must be"),
        ({"n_components": [2.5]}, "whole number"),
        ({"covariance_types": ()}, "at least one covariance type"),
        ({"covariance_types": ("round",)}, "Unknown covariance_type 'round'"),
        ({"n_init": 0}, "n_init must be"),
        ({"n_components": [2, 300]}, "more than the 272 data points"),
    ],
)
def test_a_sweep_that_cannot_run_says_why(kwargs, message):
    with pytest.raises(SettingsError, match=message):
        bic_table(old_faithful().X, **kwargs)


def test_k_above_the_distinct_points_is_refused_before_any_fit():
    X = np.repeat([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]], 10, axis=0)
    calls = []
    with pytest.raises(SettingsError, match="the data has 3; try K at most 3"):
        bic_table(X, [1, 4], progress=lambda *a: calls.append(a))
    assert calls == []


def test_figure_draws_one_line_per_type_with_mclusts_names(faithful_table):
    chosen = best_model(faithful_table)
    traces = figure_data(figure_criterion(faithful_table, "bic", chosen))
    names = [trace["name"] for trace in traces]
    assert names == [
        "spherical (VII)",
        "diag (VVI)",
        "tied (EEE)",
        "full (VVV)",
        "chosen: tied (EEE), K = 3",
    ]
    tied = traces[2]
    np.testing.assert_array_equal(tied["x"], range(1, 10))
    np.testing.assert_allclose(
        tied["y"], faithful_table.bic[faithful_table.covariance_type == "tied"]
    )
    assert list(traces[4]["x"]) == [3] and traces[4]["y"][0] == pytest.approx(chosen.bic)


def test_figure_draws_degenerate_fits_hollow_with_their_reason(faithful_table):
    diag = figure_data(figure_criterion(faithful_table, "icl"))[1]
    assert diag["marker"]["symbol"][4] == "square-open"
    assert diag["marker"]["symbol"][3] == "square"
    assert diag["customdata"][4][2].startswith("<br>left out: Component 3 collapsed")
    assert diag["customdata"][3][2] == ""
    np.testing.assert_allclose(
        diag["y"], faithful_table.icl[faithful_table.covariance_type == "diag"]
    )


def test_figure_without_a_choice_keeps_an_empty_star(faithful_table):
    figure = figure_criterion(faithful_table, "aic", None)
    star = figure_data(figure)[-1]
    assert len(star["x"]) == 0 and star["showlegend"] is False
    assert figure.layout.title.text.startswith("AIC against K")


def test_figure_range_shows_every_honest_low_value_and_every_degenerate_one(faithful_table):
    low, high = figure_criterion(faithful_table).layout.yaxis.range
    assert low < faithful_table.bic.min()
    assert high > best_model(faithful_table).bic
    assert high < faithful_table.bic.max()  # the worst models are above the top


def test_held_out_deviance_scores_each_fold_under_the_fit_on_the_others():
    X = old_faithful().X
    table = bic_table(X, [2], ("tied",), n_init=2, cv_folds=4)
    expected = 0.0
    for train, test in KFold(4, shuffle=True, random_state=0).split(X):
        em, _, _ = best_start(X[train], 2, "tied", n_init=2, random_state=0)
        density = sum(
            weight * multivariate_normal(mean, cov).pdf(X[test])
            for weight, mean, cov in zip(em.weights, em.means, em.covariances, strict=True)
        )
        expected += np.log(density).sum()
    assert table.cv.item() == pytest.approx(-2.0 * expected, rel=1e-10)
    # A held-out score charges the diag K = 5 spike that the in-sample criteria reward.
    diag = bic_table(X, [4, 5], ("diag",), n_init=5, cv_folds=5)
    assert diag.aic.iloc[1] < diag.aic.iloc[0]
    assert diag.cv.iloc[1] > diag.cv.iloc[0]


def test_without_cross_validation_there_is_no_held_out_choice(faithful_table):
    assert faithful_table.cv.isna().all()
    with pytest.raises(SettingsError, match="no held-out \\(CV\\) scores"):
        best_model(faithful_table, "cv")
    with pytest.raises(SettingsError, match="3 folds need at least as many points"):
        bic_table(old_faithful().X[:2], [1], ("full",), cv_folds=3)
