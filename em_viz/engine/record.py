"""A half-step of a run as the history keeps it: :class:`Record`."""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, eq=False)
class Record:
    """One half-step of a run.

    Attributes
    ----------
    iteration : int
        0 for the initial state; an E-step and the M-step after it share a number.
    phase : {"init", "E", "M", "moved"}
        "moved": a mean was moved by hand (see ``MixtureEM.move_mean``); such a record
        shares its iteration with the one before it.
    log_likelihood : float
        ``sum_i log p(x_i | params)``.
    objective : float
        What the algorithm improves, higher is better (see ``MixtureEM.objective``).
    params : object
        The family's parameters; their fields (``weights``, ``means``, ...) can also be
        read from the record directly.
    warnings : tuple of str
        Plain-words diagnoses of these parameters (empty or collapsed components).
    elbo : float or None
        The evidence lower bound ``L(q, params) = E_q[log p(X, Z | params)] + H(q)``
        for ``q`` the latest E-step's responsibilities; None at "init" (and at a move
        before the first E-step), before any E-step has given a ``q``.
    kl : float or None
        ``log_likelihood - elbo``, the gap ``KL(q || p(Z | X, params))``. 0 right after
        a soft E-step (``q`` is then the posterior); after a hard one ``q`` is a 0/1
        assignment and the gap stays open by how uncertain the points are.
    converged : bool
        Whether the run has converged here (see ``MixtureEM.converged``): decided at
        each M-step and carried by the E-step after it; False before any M-step and
        at a move.
    saddle : bool
        Whether these parameters have nearly identical components or, converged, are an
        unstable fixed point of EM (see ``MixtureEM.at_saddle``).
    moved : int or None
        At a "moved" record, the index of the component whose mean was moved (0-based);
        None at every other record.
    """

    iteration: int
    phase: str
    log_likelihood: float
    objective: float
    params: Any
    warnings: tuple[str, ...] = ()
    elbo: float | None = None
    kl: float | None = None
    converged: bool = False
    saddle: bool = False
    moved: int | None = None

    def __getattr__(self, name: str) -> Any:
        params = self.__dict__.get("params")
        if params is None or name.startswith("_"):
            raise AttributeError(name)
        return getattr(params, name)
