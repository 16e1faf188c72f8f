"""em-viz: a visual explorer of the Expectation-Maximization algorithm."""

from em_viz.families.gaussian import COVARIANCE_TYPES, INIT_METHODS, GaussianParams
from em_viz.stepper import GaussianMixtureEM, MixtureEM, Record

__all__ = [
    "COVARIANCE_TYPES",
    "INIT_METHODS",
    "GaussianMixtureEM",
    "GaussianParams",
    "MixtureEM",
    "Record",
]
