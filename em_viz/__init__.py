"""em-viz: a visual explorer of the Expectation-Maximization algorithm.

Importing it pulls in the engine only (NumPy, SciPy, scikit-learn): no plotly, no
streamlit.
"""

from em_viz.engine.bayesian_em import BayesianGaussianMixtureEM
from em_viz.engine.bernoulli_em import BernoulliMixtureEM, BinomialMixtureEM
from em_viz.engine.families.bernoulli import BernoulliParams
from em_viz.engine.families.gaussian import COVARIANCE_TYPES, INIT_METHODS, GaussianParams
from em_viz.engine.gaussian_em import ALGORITHMS, VARIANTS, GaussianMixtureEM, GaussianSettings
from em_viz.engine.hmm_em import CategoricalHMMEM, GaussianHMMEM
from em_viz.engine.linkage_em import GeneticLinkageEM
from em_viz.engine.selection import bic_table
from em_viz.engine.stepper import Algorithm, MixtureEM, Record
from em_viz.engine.validation import DataError, EMVizError, SettingsError, StepError

__all__ = [
    "ALGORITHMS",
    "COVARIANCE_TYPES",
    "INIT_METHODS",
    "VARIANTS",
    "Algorithm",
    "BayesianGaussianMixtureEM",
    "BernoulliMixtureEM",
    "BernoulliParams",
    "BinomialMixtureEM",
    "CategoricalHMMEM",
    "DataError",
    "EMVizError",
    "GaussianHMMEM",
    "GaussianMixtureEM",
    "GaussianParams",
    "GaussianSettings",
    "GeneticLinkageEM",
    "MixtureEM",
    "Record",
    "SettingsError",
    "StepError",
    "bic_table",
]
