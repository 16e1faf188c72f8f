"""Mixtures of binomials and of multivariate Bernoullis on the one stepper:
``BinomialMixtureEM`` (sets of coin tosses) and ``BernoulliMixtureEM`` (binary vectors),
with the checks of their settings."""

from dataclasses import replace
from functools import partial
from typing import Any

import numpy as np

from em_viz.engine.families import bernoulli, check_weights
from em_viz.engine.stepper import MixtureEM
from em_viz.engine.validation import (
    SettingsError,
    check_data,
    check_n_components,
    check_number,
    check_shape,
)


class BinomialMixtureEM(MixtureEM):
    """EM for a mixture of binomials: sets of coin tosses, each set thrown with one of
    ``n_components`` coins of unknown bias, the coin unknown.

    Parameters
    ----------
    heads : array-like of shape (n_samples,) or (n_samples, n_features)
        Heads in each set (per feature: several coins tossed per set).
    trials : int or array-like broadcastable to ``heads``
        Tosses in each set (at least 1).
    n_components : int, default=2
    init : {"random", "random-responsibilities", "kmeans"}, default="random"
        How the starting parameters are built (see
        :func:`em_viz.engine.families.bernoulli.initial`).
    random_state : int, numpy.random.Generator or None, default=None
    pseudo_count : float, default=0.0
        Heads and tails added to every coin at each M-step (a Beta(1 + a, 1 + a) prior):
        above 0, no bias can reach 0 or 1. 0 is plain maximum likelihood, as in the
        textbook two-coin example.
    tol : float, default=1e-4
        Converged when an iteration raises the mean :attr:`objective` per set by less.
    weights_init : array-like of shape (n_components,), optional
    probabilities_init : array-like of shape (n_components, n_features), optional
        Starting biases, strictly between 0 and 1 (shape (n_components,) for one
        feature). Each explicit start overrides ``init``'s.
    learn_weights : bool, default=True
        False holds the mixing weights at their start (``weights_init``, else 1/K).

    Attributes
    ----------
    probabilities : ndarray of shape (n_components, n_features)
        The current biases.

    Notes
    -----
    The log-likelihood is that of the tosses as observed, in order (no binomial
    coefficient): each set's ``h log p + t log(1 - p)``.
    """

    def __init__(
        self,
        heads: Any,
        trials: Any,
        n_components: int = 2,
        *,
        init: str = "random",
        random_state: int | np.random.Generator | None = None,
        pseudo_count: float = 0.0,
        tol: float = 1e-4,
        weights_init: Any = None,
        probabilities_init: Any = None,
        learn_weights: bool = True,
    ) -> None:
        heads = check_data(np.reshape(heads, (len(heads), -1)) if np.ndim(heads) == 1 else heads)
        trials = _check_trials(heads, trials)
        check_n_components(n_components, len(heads))
        check_number(pseudo_count, "pseudo_count", why="0: plain maximum likelihood", fix="Try 1.")
        check_number(tol, "tol", fix="Try 1e-4.")
        self.trials = trials
        self.init = init
        self.pseudo_count = float(pseudo_count)
        self.learn_weights = learn_weights
        data = bernoulli.prepare(heads, trials)
        params = bernoulli.initial(
            data,
            n_components,
            init,
            np.random.default_rng(random_state),
            pseudo_count=pseudo_count,
        )
        if weights_init is not None:
            params = replace(params, weights=check_weights(weights_init, n_components))
        if probabilities_init is not None:
            params = replace(
                params, probabilities=_check_probabilities(probabilities_init, params)
            )
        super().__init__(
            heads,
            params,
            log_prob=bernoulli.log_prob,
            estimate=partial(
                bernoulli.estimate, pseudo_count=pseudo_count, learn_weights=learn_weights
            ),
            diagnose=partial(bernoulli.diagnose, data=data),
            tol=tol,
            prepare=lambda _: data,  # the counts, prepared once above
            log_prior=partial(bernoulli.log_prior, pseudo_count=pseudo_count)
            if pseudo_count > 0
            else None,
            step_failed=bernoulli.STEP_FAILED,
        )

    @property
    def probabilities(self) -> np.ndarray:
        """ndarray of shape (n_components, n_features): the current probabilities of
        heads (of a 1)."""
        return self.params.probabilities


class BernoulliMixtureEM(BinomialMixtureEM):
    """EM for a mixture of multivariate Bernoullis: binary vectors (e.g. black-and-white
    images), each drawn from one of ``n_components`` prototypes of pixel probabilities.

    A binomial mixture with one toss per feature: see :class:`BinomialMixtureEM` for the
    stepper's API.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Only 0 and 1 (or booleans).
    n_components : int, default=2
    init : {"random", "random-responsibilities", "kmeans"}, default="random"
    random_state : int, numpy.random.Generator or None, default=None
    weights_init : array-like of shape (n_components,), optional
    probabilities_init : array-like of shape (n_components, n_features), optional
    pseudo_count : float, default=1.0
        Ones and zeros added to every component and feature at each M-step (a
        Beta(1 + a, 1 + a) prior, Laplace's rule at 1), so that no probability reaches 0
        or 1: an unseen pixel never makes an image impossible. 0 is plain maximum
        likelihood. EM then never lowers the log-likelihood plus the log prior.
    tol : float, default=1e-4
    learn_weights : bool, default=True
    """

    def __init__(
        self,
        X: Any,
        n_components: int = 2,
        *,
        init: str = "random",
        random_state: int | np.random.Generator | None = None,
        weights_init: Any = None,
        probabilities_init: Any = None,
        pseudo_count: float = 1.0,
        tol: float = 1e-4,
        learn_weights: bool = True,
    ) -> None:
        X = check_data(X)
        other = (X != 0) & (X != 1)
        if other.any():
            row, col = np.argwhere(other)[0]
            raise SettingsError(
                f"X must hold only 0 and 1 (binary data); {int(other.sum())} value(s) are "
                f"neither, e.g. {X[row, col]:g} in row {row}, column {col}. Threshold the "
                "data first."
            )
        super().__init__(
            X,
            1,
            n_components,
            init=init,
            random_state=random_state,
            pseudo_count=pseudo_count,
            tol=tol,
            weights_init=weights_init,
            probabilities_init=probabilities_init,
            learn_weights=learn_weights,
        )


def _check_trials(heads: np.ndarray, trials: Any) -> np.ndarray:
    """``trials`` broadcast to the shape of ``heads``, checked against it.

    Raises
    ------
    SettingsError
        Unless heads and trials are whole numbers with ``0 <= heads <= trials`` and
        at least one toss per set.
    """
    try:
        trials = np.broadcast_to(
            np.asarray(trials, dtype=float).reshape(
                (-1, 1) if np.ndim(trials) == 1 else np.shape(trials)
            ),
            heads.shape,
        )
    except ValueError:
        raise SettingsError(
            f"trials must be one number or one per set; got shape {np.shape(trials)} for "
            f"{len(heads)} sets."
        ) from None
    if not (np.isfinite(trials).all() and np.all(trials == np.round(trials))):
        raise SettingsError("trials must be whole numbers of tosses.")
    if np.any(trials < 1):
        raise SettingsError("Every set needs at least one toss (trials >= 1).")
    if np.any(heads != np.round(heads)) or np.any(heads < 0) or np.any(heads > trials):
        raise SettingsError("heads must be whole numbers between 0 and the set's trials.")
    return trials


def _check_probabilities(probabilities_init: Any, start: bernoulli.BernoulliParams) -> np.ndarray:
    """``probabilities_init`` as a (K, D) array strictly inside (0, 1), checked."""
    shape = start.probabilities.shape
    probabilities = np.array(probabilities_init, dtype=float)
    if probabilities.ndim == 1 and shape[1] == 1:
        probabilities = probabilities[:, None]
    check_shape(probabilities, shape, "probabilities_init")
    if not np.all((probabilities > 0) & (probabilities < 1)):
        raise SettingsError(
            "probabilities_init must lie strictly between 0 and 1 (a certain coin makes "
            "every other outcome impossible)."
        )
    return probabilities
