"""The genetic-linkage example of Dempster, Laird and Rubin (1977): their published
numbers, the EM map written out from the formulas, the rate as the fraction of missing
information, monotonicity and the minorise-maximise bound, undo, and bad set-ups."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from em_viz import GeneticLinkageEM, SettingsError
from em_viz.engine.linkage_em import (
    bound,
    bound_peak,
    log_likelihood,
    maximum_likelihood,
    rate_of_convergence,
)

DLR_MAXIMUM = (15 + math.sqrt(53809)) / 394


def em_map(theta: float, counts: tuple[int, int, int, int]) -> float:
    """One EM iteration from the paper: split x1 into x1 (1/2) / (1/2 + θ/4) and
    x1 (θ/4) / (1/2 + θ/4), then θ = (y2 + x4) / (y2 + x2 + x3 + x4)."""
    x1, x2, x3, x4 = counts
    y2 = x1 * (theta / 4) / (0.5 + theta / 4)
    return (y2 + x4) / (y2 + x2 + x3 + x4)


def missing_information_fraction(theta: float, counts: tuple[int, int, int, int]) -> float:
    """1 - I_observed / I_complete at θ: the observed information is minus the second
    derivative of log L, the complete one that of the complete-data log-likelihood
    with the split count y2 at its expectation."""
    x1, x2, x3, x4 = counts
    observed = x1 / (2 + theta) ** 2 + (x2 + x3) / (1 - theta) ** 2 + x4 / theta**2
    y2 = x1 * theta / (2 + theta)
    complete = (y2 + x4) / theta**2 + (x2 + x3) / (1 - theta) ** 2
    return 1 - observed / complete


def thetas(em: GeneticLinkageEM) -> np.ndarray:
    """θ at the start and after every M-step."""
    return np.array([r.theta for r in em.history if r.phase != "E"])


def test_published_numbers() -> None:
    em = GeneticLinkageEM(counts=(125, 18, 20, 34), theta_init=0.5)
    em.step()
    assert em.theta == pytest.approx(0.6082474, abs=5e-8)
    assert em.theta == pytest.approx(59 / 97, rel=1e-14)
    em.run()
    assert em.converged
    assert em.theta == pytest.approx(0.6268215, abs=5e-8)
    assert em.theta == pytest.approx(DLR_MAXIMUM, abs=1e-7)
    assert maximum_likelihood() == pytest.approx(DLR_MAXIMUM, rel=1e-14)


def test_every_iteration_is_the_papers_map() -> None:
    em = GeneticLinkageEM()
    em.run()
    path = thetas(em)
    assert len(path) >= 9  # t = 0..8 at least, for the table of errors
    for before, after in itertools.pairwise(path):
        assert after == pytest.approx(em_map(before, (125, 18, 20, 34)), rel=1e-12)


def test_rate_is_the_fraction_of_missing_information() -> None:
    em = GeneticLinkageEM()
    em.run()
    errors = thetas(em) - DLR_MAXIMUM
    ratios = errors[1:] / errors[:-1]
    fraction = missing_information_fraction(DLR_MAXIMUM, (125, 18, 20, 34))
    assert fraction == pytest.approx(0.1328, abs=5e-5)
    assert rate_of_convergence() == pytest.approx(fraction, rel=1e-10)
    assert ratios[0] == pytest.approx(0.1465, abs=1e-4)  # far from the limit at first
    assert ratios[6] == pytest.approx(fraction, abs=1e-6)


@given(counts=st.tuples(*[st.integers(1, 300)] * 4))
@settings(max_examples=60, deadline=None)
def test_rate_formula_matches_information(counts: tuple) -> None:
    assert 0 < maximum_likelihood(counts) < 1
    assert rate_of_convergence(counts) == pytest.approx(
        missing_information_fraction(maximum_likelihood(counts), counts), abs=1e-9
    )


@given(
    counts=st.tuples(*[st.integers(0, 300)] * 4).filter(lambda c: sum(c) > 0),
    theta=st.floats(0.001, 0.999),
)
@settings(max_examples=60, deadline=None)
def test_log_likelihood_never_decreases_and_the_bound_is_a_minoriser(
    counts: tuple, theta: float
) -> None:
    em = GeneticLinkageEM(counts, theta)
    grid = np.linspace(0.0005, 0.9995, 2001)
    for _ in range(6):
        start = em.theta
        em.e_step()
        # The bound touches log L at θ_t (the E-step closes the gap) ...
        assert bound(start, start, counts) == pytest.approx(em.log_likelihood, abs=1e-9)
        assert em.elbo == pytest.approx(em.log_likelihood, abs=1e-9)
        # ... and lies below it everywhere.
        assert np.all(bound(grid, start, counts) <= log_likelihood(grid, counts) + 1e-9)
        before = em.log_likelihood
        em.m_step()
        assert em.theta == pytest.approx(em_map(start, counts), abs=1e-12)
        assert bound_peak(start, counts) == pytest.approx(em.theta, abs=1e-12)
        assert em.log_likelihood >= before - 1e-9 * max(1.0, abs(before))
        # The M-step maximises the bound: θ_{t+1} beats every θ of a fine grid.
        top = bound(em.theta, start, counts)
        assert np.all(bound(grid, start, counts) <= top + 1e-9)
        assert em.elbo == pytest.approx(top, abs=1e-9)
        assert log_likelihood(em.theta, counts) == pytest.approx(em.log_likelihood, abs=1e-9)


def test_bound_is_maximised_at_the_next_theta() -> None:
    theta_t = 0.5
    best = minimize_scalar(
        lambda t: -bound(t, theta_t),
        bounds=(1e-6, 1 - 1e-6),
        method="bounded",
        options={"xatol": 1e-12},
    )
    assert best.x == pytest.approx(0.6082474, abs=1e-6)
    assert bound(theta_t, theta_t) == pytest.approx(log_likelihood(theta_t), rel=1e-14)
    assert bound(0.7, theta_t) < log_likelihood(0.7)


@given(counts=st.tuples(*[st.integers(0, 300)] * 4).filter(lambda c: sum(c) > 0))
@settings(max_examples=40, deadline=None)
def test_maximum_likelihood_is_where_em_goes(counts: tuple) -> None:
    em = GeneticLinkageEM(counts, 0.5, tol=1e-12)
    em.run(500)
    assert em.theta == pytest.approx(maximum_likelihood(counts), abs=1e-4)
    grid = np.linspace(0.0, 1.0, 1001)
    assert (
        log_likelihood(maximum_likelihood(counts), counts)
        >= np.max(log_likelihood(grid, counts)) - 1e-9
    )


def test_back_and_reset_restore_exactly() -> None:
    em = GeneticLinkageEM(theta_init=0.2)
    em.step()
    em.e_step()
    after_e = em.history[-1]
    em.m_step()
    assert em.back()
    assert em.phase == "E"
    assert em.theta == after_e.theta
    assert em.elbo == after_e.elbo
    em.m_step()
    assert em.history[-1].theta == pytest.approx(em_map(after_e.theta, (125, 18, 20, 34)))
    em.reset()
    assert len(em.history) == 1
    assert em.theta == 0.2
    assert not em.converged
    assert not em.back()


@pytest.mark.parametrize(
    ("settings_", "fragment"),
    [
        ({"counts": (125, 18, -1, 34)}, "cell 3"),
        ({"counts": (125, 18.5, 20, 34)}, "cell 2"),
        ({"counts": (125, 18, 20)}, "four numbers"),
        ({"counts": (0, 0, 0, 0)}, "no animals"),
        ({"counts": "many"}, "four numbers"),
        ({"theta_init": 0.0}, "theta_init"),
        ({"theta_init": 1.0}, "below 1"),
        ({"theta_init": float("nan")}, "Try 0.5"),
        ({"tol": 0}, "tol"),
    ],
)
def test_bad_settings_say_the_fix(settings_: dict, fragment: str) -> None:
    with pytest.raises(SettingsError, match=fragment):
        GeneticLinkageEM(**settings_)


def test_whole_floats_are_counts() -> None:
    assert GeneticLinkageEM((125.0, 18, 20, 34)).counts == (125, 18, 20, 34)
