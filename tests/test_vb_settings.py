"""The run settings build the variational Bayesian mixture: from soft EM's first
E-step, with the weight prior and the tolerance per point, equal to scikit-learn."""

from dataclasses import replace

import numpy as np
import pytest
from test_bayesian import assert_same_parameters, fit_quietly, sklearn_started

from em_viz import BayesianGaussianMixtureEM, GaussianMixtureEM, GaussianSettings, SettingsError
from em_viz.data import old_faithful
from em_viz.engine.gaussian_em import RUN_ALGORITHMS, RUN_VARIANTS

FAITHFUL = old_faithful().X
VB = GaussianSettings(n_components=6, algorithm="variational-bayes", tol=1e-6)


def soft_start(settings: GaussianSettings, means_init=None) -> np.ndarray:
    """Soft EM's first responsibilities for the same settings."""
    em = replace(settings, algorithm="soft").build(FAITHFUL, means_init)
    em.e_step()
    return em.responsibilities


@pytest.mark.parametrize("prior_type", ["dirichlet_process", "dirichlet_distribution"])
@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_builds_sklearns_model_from_soft_ems_first_e_step(prior_type, covariance_type):
    settings = replace(
        VB,
        covariance_type=covariance_type,
        weight_concentration_prior_type=prior_type,
        weight_concentration_prior=3.0,
    )
    em = settings.build(FAITHFUL)
    assert isinstance(em, BayesianGaussianMixtureEM)
    model = sklearn_started(
        FAITHFUL,
        soft_start(settings),
        covariance_type=covariance_type,
        weight_concentration_prior_type=prior_type,
        weight_concentration_prior=3.0,
        reg_covar=settings.reg_covar,
    )
    assert_same_parameters(em, model)
    for _ in range(5):
        em.step()
        fit_quietly(model, FAITHFUL)
        assert_same_parameters(em, model)


def test_the_prior_changes_the_run_and_other_algorithms_ignore_it():
    low = replace(VB, weight_concentration_prior=1e-3).build(FAITHFUL)
    high = replace(VB, weight_concentration_prior=1e3).build(FAITHFUL)
    assert not np.allclose(low.weights, high.weights)
    soft = replace(VB, algorithm="soft", weight_concentration_prior=1e3).build(FAITHFUL)
    plain = replace(VB, algorithm="soft").build(FAITHFUL)
    assert isinstance(soft, GaussianMixtureEM)
    np.testing.assert_array_equal(soft.means, plain.means)


def test_tol_is_per_point_and_the_run_stops_converged():
    em = VB.build(FAITHFUL)
    assert em.tol == pytest.approx(VB.tol)
    em.run(max_iter=1000)
    assert em.converged and em.finished
    gains = np.diff([r.objective for r in em.history if r.phase == "M"])
    assert gains[-1] < VB.tol * len(FAITHFUL) <= gains[:-1].min()


def test_clicked_means_start_it_like_soft_em():
    means = FAITHFUL[[0, 50, 100, 150, 200, 250]]
    settings = replace(VB, init="random-points")
    em = settings.build(FAITHFUL, means_init=means)
    direct = BayesianGaussianMixtureEM(
        FAITHFUL,
        6,
        weight_concentration_prior=VB.weight_concentration_prior,
        tol=VB.tol * len(FAITHFUL),
        responsibilities_init=soft_start(settings, means),
    )
    np.testing.assert_allclose(em.means, direct.means, rtol=1e-12)


def test_variational_bayes_is_a_run_algorithm_with_its_bound_as_objective():
    assert "variational-bayes" in RUN_ALGORITHMS
    assert VB.variant is RUN_VARIANTS["variational-bayes"]
    assert VB.build(FAITHFUL).objective_name == "lower bound (ELBO)"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"weight_concentration_prior": 0.0}, "weight_concentration_prior"),
        ({"weight_concentration_prior_type": "uniform"}, "weight_concentration_prior_type"),
        ({"n_components": 0}, "n_components"),
    ],
)
def test_bad_settings_are_refused_naming_them(change, words):
    with pytest.raises(SettingsError, match=words):
        replace(VB, **change).build(FAITHFUL)
