"""One point's E-step and one component's M-step, term by term, against the engine."""

import numpy as np
import pytest
from scipy.stats import multivariate_normal

from em_viz.data import three_gaussians
from em_viz.engine.equations import e_step_terms, m_step_terms
from em_viz.engine.gaussian_em import GaussianMixtureEM


@pytest.fixture
def em() -> GaussianMixtureEM:
    em = GaussianMixtureEM(three_gaussians().X, 3, random_state=0)
    em.step()
    return em


@pytest.mark.parametrize("index", [0, 17, 299])
def test_e_step_terms_are_the_densities_and_the_engines_responsibilities(em, index):
    terms = e_step_terms(em.X, em.params, index)
    x = em.X[index]
    densities = [
        multivariate_normal(m, c).pdf(x) for m, c in zip(em.means, em.covariances, strict=True)
    ]
    np.testing.assert_allclose(terms.densities, densities, rtol=1e-10)
    np.testing.assert_allclose(terms.products, em.weights * densities, rtol=1e-10)
    assert terms.total == pytest.approx(terms.products.sum(), rel=1e-12)
    em.e_step()
    np.testing.assert_allclose(terms.resp, em.responsibilities[index], rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("component", [0, 1, 2])
def test_m_step_terms_are_the_engines_m_step(em, component):
    em.e_step()
    terms = m_step_terms(em.X, em.responsibilities, component, em.reg_covar)
    assert terms.mass == pytest.approx(em.responsibilities[:, component].sum())
    em.m_step()
    assert terms.weight == pytest.approx(em.weights[component], rel=1e-12)
    np.testing.assert_allclose(terms.mean, em.means[component], rtol=1e-12)
    np.testing.assert_allclose(terms.covariance, em.covariances[component], rtol=1e-10)
    np.testing.assert_allclose(
        terms.covariance - terms.scatter, em.reg_covar * np.eye(2), atol=1e-15
    )


def test_a_far_point_keeps_exact_responsibilities_when_its_densities_underflow(em):
    X = np.vstack([em.X, [[1e3, 1e3]]])
    terms = e_step_terms(X, em.params, len(X) - 1)
    assert terms.total == 0 and np.all(terms.products == 0)
    assert terms.resp.sum() == pytest.approx(1.0) and np.all(np.isfinite(terms.resp))


def test_an_empty_component_has_no_m_step():
    assert m_step_terms(np.zeros((3, 2)), np.array([[1.0, 0], [1, 0], [1, 0]]), 1, 1e-6) is None
