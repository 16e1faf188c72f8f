"""em-viz: a visual explorer of the Expectation-Maximization algorithm."""

from em_viz.engine.families.bernoulli import BernoulliParams
from em_viz.engine.families.gaussian import COVARIANCE_TYPES, INIT_METHODS, GaussianParams
from em_viz.engine.stepper import (
    ALGORITHMS,
    Algorithm,
    BernoulliMixtureEM,
    BinomialMixtureEM,
    GaussianMixtureEM,
    MixtureEM,
    Record,
)

__all__ = [
    "ALGORITHMS",
    "COVARIANCE_TYPES",
    "INIT_METHODS",
    "Algorithm",
    "BernoulliMixtureEM",
    "BernoulliParams",
    "BinomialMixtureEM",
    "GaussianMixtureEM",
    "GaussianParams",
    "MixtureEM",
    "Record",
]
