"""How many components? Information criteria over K and covariance type.

A bigger mixture always fits the data at least as well, so the log-likelihood alone
cannot choose K. BIC, AIC and ICL charge for the parameters: each fit here is the best of
several starts run to convergence, scored with scikit-learn's sign (lower is better) and
counted as scikit-learn's ``GaussianMixture._n_parameters`` counts. A fit that got its
likelihood by collapsing a component (a variance held at ``reg_covar``, or a component on
fewer points than it has dimensions + 1) is flagged ``degenerate`` with its reason in
words, and left out of the choice, as mclust leaves singular fits out.

Pure logic: no plotly, no streamlit.
"""

from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold

from em_viz.engine.bound import entropy
from em_viz.engine.families import gaussian
from em_viz.engine.gaussian_em import GaussianMixtureEM
from em_viz.engine.posterior import posterior
from em_viz.engine.validation import (
    SettingsError,
    StepError,
    check_choice,
    check_data,
    check_n_components,
    check_number,
)

CRITERIA = {"bic": "BIC", "aic": "AIC", "icl": "ICL", "cv": "held-out (CV)"}
"""The criteria a table holds, by column name, with their display names. ``cv`` is
-2 x the held-out log-likelihood (:func:`held_out_deviance`), NaN unless the sweep
cross-validated."""
MCLUST_NAMES = {"spherical": "VII", "diag": "VVI", "tied": "EEE", "full": "VVV"}
"""mclust's name of each covariance type (volume, shape, orientation: Equal/Variable/
Identity)."""
SWEEP_INIT = "kmeans"
"""Each start is the M-step from one k-means fit, as scikit-learn's default start."""
SWEEP_TOL = 1e-6
"""Starts run until an iteration gains less than this per point. On Old Faithful the
table then agrees with a tolerance of 1e-8 to 0.001 and chooses the same; 1e-8 takes up
to 20 times as many iterations on 10,000 points."""
SWEEP_MAX_ITER = 2000
"""A start still moving after this many iterations is kept, marked not converged."""
REG_COVAR = 1e-6
COLUMNS = (
    "covariance_type",
    "n_components",
    "log_likelihood",
    "n_parameters",
    "bic",
    "aic",
    "icl",
    "cv",
    "n_iter",
    "converged",
    "degenerate",
    "reason",
    "random_state",
)


def n_parameters(n_components: int, n_features: int, covariance_type: str) -> int:
    """Free parameters of a Gaussian mixture, counted as scikit-learn counts them:
    ``K - 1`` weights, ``K D`` means and the covariances' free entries."""
    covariance = {
        "full": n_components * n_features * (n_features + 1) // 2,
        "diag": n_components * n_features,
        "tied": n_features * (n_features + 1) // 2,
        "spherical": n_components,
    }[covariance_type]
    return covariance + n_features * n_components + n_components - 1


def information_criteria(
    log_likelihood: float, resp_entropy: float, n_params: int, n_samples: int
) -> dict[str, float]:
    """BIC, AIC and ICL, lower is better.

    ``BIC = -2 log L + p log N``, ``AIC = -2 log L + 2 p`` (scikit-learn's ``bic`` and
    ``aic``) and ``ICL = BIC + 2 H(resp)``: BIC charged again for how unsure the
    assignments are, so that overlapping components that fit one cluster cost more.
    """
    deviance = -2.0 * log_likelihood
    bic = deviance + n_params * np.log(n_samples)
    return {"bic": bic, "aic": deviance + 2.0 * n_params, "icl": bic + 2.0 * resp_entropy}


def _components(indices: np.ndarray) -> str:
    """'Component 3' or 'Components 2 and 5' (numbered from 1, as the app shows them)."""
    names = [str(k + 1) for k in indices]
    if len(names) == 1:
        return f"Component {names[0]}"
    return f"Components {', '.join(names[:-1])} and {names[-1]}"


def degeneracy(params: gaussian.GaussianParams, n_samples: int, reg_covar: float) -> str:
    """Why a fit's likelihood comes from a collapsed component, in plain words; "" if
    it does not.

    A component is collapsed when a covariance eigenvalue is at the ``reg_covar`` floor
    (the stepper's own test, :data:`~em_viz.engine.families.gaussian.COLLAPSE_FACTOR`:
    its points have no spread in some direction, so its density there is as high as
    ``reg_covar`` lets it be), or when it rests on fewer points than dimensions + 1
    (too few to estimate a mean and a covariance).

    Parameters
    ----------
    params : GaussianParams
    n_samples : int
    reg_covar : float
    """
    n_features = params.means.shape[1]
    eigenvalues = np.linalg.eigvalsh(params.covariances)
    flat = np.flatnonzero((eigenvalues <= gaussian.COLLAPSE_FACTOR * reg_covar).any(axis=1))
    mass = params.weights * n_samples
    few = np.setdiff1d(np.flatnonzero(mass < n_features + 1), flat)
    reasons = []
    if flat.size:
        its = "its" if flat.size == 1 else "their"
        reasons.append(
            f"{_components(flat)} collapsed: {its} points have no spread in some direction, "
            f"so {its} variance there is held at reg_covar ({reg_covar:g}) and {its} "
            "likelihood is as large as that floor allows: a spike, not a better fit."
        )
    if few.size:
        smallest = mass[few].min()
        reasons.append(
            f"{_components(few)} rests on about {smallest:.1f} points, fewer than the "
            f"{n_features + 1} (dimensions + 1) a mean and a covariance need."
        )
    return " ".join(reasons)


def best_start(
    X: np.ndarray,
    n_components: int,
    covariance_type: str,
    n_init: int,
    random_state: int,
    reg_covar: float = REG_COVAR,
) -> tuple[GaussianMixtureEM | None, int, str]:
    """The best of ``n_init`` starts of one model, each run to convergence.

    Start ``i`` is the M-step from a k-means fit with seed ``random_state + i``
    (:data:`SWEEP_INIT`), run to :data:`SWEEP_TOL`.

    Returns
    -------
    em : GaussianMixtureEM or None
        The start of highest log-likelihood; None if every start was refused.
    seed : int
        Its seed (the explorer, from ``init="kmeans"`` and this seed, starts the same).
    failure : str
        The last refused step's message ("" if none).
    """
    best, best_seed, failure = None, random_state, ""
    for seed in range(random_state, random_state + n_init):
        em = GaussianMixtureEM(
            X,
            n_components,
            covariance_type=covariance_type,
            init=SWEEP_INIT,
            random_state=seed,
            reg_covar=reg_covar,
            tol=SWEEP_TOL,
        )
        try:
            em.run(SWEEP_MAX_ITER)
        except StepError as error:
            failure = str(error)
            continue
        if best is None or em.log_likelihood > best.log_likelihood:
            best, best_seed = em, seed
    return best, best_seed, failure


def held_out_deviance(
    X: np.ndarray,
    n_components: int,
    covariance_type: str,
    n_init: int,
    random_state: int,
    n_folds: int,
) -> float:
    """-2 x the log-likelihood of held-out points, by ``n_folds``-fold cross-validation.

    Each fold (a shuffled split, seeded by ``random_state``) is scored under the best
    start (:func:`best_start`) fitted on the other folds; the scores are summed, so the
    result is on the scale of AIC, which estimates it without refitting. Lower is
    better. NaN when some fold's fit fails (too few distinct points left, say).
    """
    total = 0.0
    for train, test in KFold(n_folds, shuffle=True, random_state=random_state).split(X):
        try:
            em, _, _ = best_start(X[train], n_components, covariance_type, n_init, random_state)
        except SettingsError:
            return float("nan")
        if em is None:
            return float("nan")
        log_norm, _ = posterior(gaussian.log_prob(X[test], em.params))
        total += float(log_norm.sum())
    return -2.0 * total


def _row(
    X: np.ndarray,
    n_components: int,
    covariance_type: str,
    n_init: int,
    random_state: int,
    cv_folds: int,
) -> dict[str, object]:
    """One (covariance type, K) cell of the table."""
    n_samples, n_features = X.shape
    n_params = n_parameters(n_components, n_features, covariance_type)
    em, seed, failure = best_start(X, n_components, covariance_type, n_init, random_state)
    row = {"covariance_type": covariance_type, "n_components": n_components}
    if em is None:
        nan = float("nan")
        reason = f"Every start failed: {failure}"
        return row | {
            "log_likelihood": nan,
            "n_parameters": n_params,
            **dict.fromkeys(CRITERIA, nan),
            "n_iter": 0,
            "converged": False,
            "degenerate": True,
            "reason": reason,
            "random_state": seed,
        }
    log_norm, resp = posterior(gaussian.log_prob(X, em.params))
    log_likelihood = float(log_norm.sum())
    reason = degeneracy(em.params, n_samples, em.reg_covar)
    return row | {
        "log_likelihood": log_likelihood,
        "n_parameters": n_params,
        **information_criteria(log_likelihood, entropy(resp), n_params, n_samples),
        "cv": held_out_deviance(X, n_components, covariance_type, n_init, random_state, cv_folds)
        if cv_folds
        else float("nan"),
        "n_iter": em.n_iter,
        "converged": em.converged,
        "degenerate": bool(reason),
        "reason": reason,
        "random_state": seed,
    }


def _check_sweep(
    X: np.ndarray,
    n_components: Sequence[int],
    covariance_types: Sequence[str],
    n_init: int,
    cv_folds: int,
) -> None:
    """Raise SettingsError, naming the fix, for a sweep that cannot run."""
    if not n_components:
        raise SettingsError("Give at least one number of components K to try.")
    if not covariance_types:
        raise SettingsError("Give at least one covariance type to try.")
    for covariance_type in covariance_types:
        check_choice(covariance_type, "covariance_type", gaussian.COVARIANCE_TYPES)
    for k in n_components:
        check_n_components(k, len(X))
    check_number(n_init, "n_init", minimum=1, whole=True)
    if cv_folds:
        check_number(cv_folds, "cv_folds", minimum=2, whole=True)
        if cv_folds > len(X):
            raise SettingsError(
                f"{cv_folds} folds need at least as many points; the data has {len(X)}."
            )
    n_distinct = len(np.unique(X, axis=0))
    if max(n_components) > n_distinct:
        raise SettingsError(
            f"K up to {max(n_components)} needs at least as many distinct points, and the "
            f"data has {n_distinct}; try K at most {n_distinct}."
        )


def bic_table(
    X: object,
    n_components: Iterable[int] = range(1, 10),
    covariance_types: Sequence[str] = ("spherical", "diag", "tied", "full"),
    n_init: int = 5,
    random_state: int = 0,
    progress: Callable[[int, int], None] | None = None,
    cv_folds: int = 0,
) -> pd.DataFrame:
    """BIC, AIC and ICL of the best of ``n_init`` starts, for every K and covariance type.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_components : iterable of int, default=range(1, 10)
    covariance_types : sequence of {"spherical", "diag", "tied", "full"}
    n_init : int, default=5
        Starts per model (see :func:`best_start`).
    random_state : int, default=0
        The first start's seed; the same arguments give the same table.
    progress : callable, optional
        ``progress(done, total)`` after each model (for a progress bar).
    cv_folds : int, default=0
        Above 0, also score each model by cross-validation with this many folds
        (:func:`held_out_deviance`, column ``cv``; about ``cv_folds`` times the work).

    Returns
    -------
    table : pandas.DataFrame
        One row per (covariance type, K), in that order, with the columns of
        :data:`COLUMNS`: the best start's ``log_likelihood``, ``n_iter``, ``converged``
        and ``random_state``; ``n_parameters``; ``bic``, ``aic`` and ``icl`` (lower is
        better); ``cv`` (NaN unless ``cv_folds``); ``degenerate`` and its plain-words
        ``reason`` ("" when not).

    Raises
    ------
    SettingsError
        For a sweep that cannot run (no K, a K above the distinct points, ...).
    """
    X = check_data(X)
    n_components, covariance_types = list(n_components), list(covariance_types)
    _check_sweep(X, n_components, covariance_types, n_init, cv_folds)
    n_components = [int(k) for k in n_components]
    cells = [(cov, k) for cov in covariance_types for k in n_components]
    rows = []
    for done, (covariance_type, k) in enumerate(cells, start=1):
        rows.append(_row(X, k, covariance_type, n_init, random_state, cv_folds))
        if progress is not None:
            progress(done, len(cells))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def best_model(table: pd.DataFrame, criterion: str = "bic") -> pd.Series | None:
    """The row of lowest ``criterion`` among the non-degenerate fits; None if every fit
    is degenerate.

    Raises
    ------
    SettingsError
        For a criterion the table does not hold.
    """
    check_choice(criterion, "criterion", tuple(CRITERIA))
    if table[criterion].isna().all() and not table["degenerate"].all():
        raise SettingsError(
            f"This table has no {CRITERIA[criterion]} scores: run the sweep with "
            "cross-validation (cv_folds) to choose by held-out likelihood."
        )
    usable = table[~table["degenerate"] & table[criterion].notna()]
    if usable.empty:
        return None
    return usable.loc[usable[criterion].idxmin()]
