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


@pytest.fixture
def incomplete() -> GaussianMixtureEM:
    from em_viz.data.missingness import Hiding, hide

    X = hide(three_gaussians().X, Hiding(0.3, "mcar", seed=1))
    em = GaussianMixtureEM(X, 3, random_state=0, missing="em")
    em.step()
    return em


def test_e_step_terms_of_a_point_with_a_missing_coordinate(incomplete):
    em = incomplete
    index = int(np.flatnonzero(em.missing_mask[:, 1])[0])
    terms = e_step_terms(em.X, em.params, index)
    x1 = em.X[index, 0]
    means, covs = em.means, em.covariances
    marginal = [
        np.exp(-((x1 - m[0]) ** 2) / (2 * c[0, 0])) / np.sqrt(2 * np.pi * c[0, 0])
        for m, c in zip(means, covs, strict=True)
    ]
    np.testing.assert_allclose(terms.densities, marginal, rtol=1e-10)
    conditional = [
        m[1] + c[1, 0] / c[0, 0] * (x1 - m[0]) for m, c in zip(means, covs, strict=True)
    ]
    sds = [np.sqrt(c[1, 1] - c[1, 0] ** 2 / c[0, 0]) for c in covs]
    np.testing.assert_allclose(terms.completions[:, 1], conditional, rtol=1e-10)
    np.testing.assert_allclose(terms.completions[:, 0], x1)
    np.testing.assert_allclose(terms.spreads[:, 1], sds, rtol=1e-10)
    em.e_step()
    np.testing.assert_allclose(terms.resp, em.responsibilities[index], rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(terms.expected, em.imputed[index], rtol=1e-10)


@pytest.mark.parametrize("component", [0, 2])
def test_m_step_terms_on_incomplete_data_are_the_engines(incomplete, component):
    em = incomplete
    em.e_step()
    previous = em.params
    terms = m_step_terms(em.X, em.responsibilities, component, em.reg_covar, previous)
    with pytest.raises(ValueError, match="E-step's parameters"):
        m_step_terms(em.X, em.responsibilities, component, em.reg_covar)
    em.m_step()
    assert terms.weight == pytest.approx(em.weights[component], rel=1e-12)
    np.testing.assert_allclose(terms.mean, em.means[component], rtol=1e-12)
    np.testing.assert_allclose(terms.covariance, em.covariances[component], rtol=1e-10)
