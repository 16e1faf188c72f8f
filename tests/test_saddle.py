"""Saddle points: nearly identical components are named in words, the gain rule still
stops there (as scikit-learn's does), and ``run(past_saddle=True)`` goes on to the optimum."""

import numpy as np
import pytest
from sklearn.mixture import GaussianMixture

from em_viz import GaussianMixtureEM
from em_viz.data import PRESETS, old_faithful
from em_viz.engine.families import gaussian, saddle
from em_viz.engine.gaussian_em import GaussianSettings
from em_viz.engine.runs import Lockstep, multi_start


def symmetric_start(n_components: int = 2, **settings) -> GaussianMixtureEM:
    return GaussianMixtureEM(
        old_faithful().X,
        n_components,
        init="random-responsibilities",
        random_state=0,
        **settings,
    )


def optimum(n_components: int = 2) -> GaussianMixtureEM:
    em = GaussianMixtureEM(old_faithful().X, n_components, init="kmeans", random_state=0)
    em.run(500)
    return em


def saddle_warnings(em: GaussianMixtureEM) -> list[str]:
    return [w for w in em.warnings if "saddle point" in w]


def test_a_symmetric_start_stops_by_the_gain_rule_at_a_saddle_and_says_so():
    em = symmetric_start()
    assert em.at_saddle
    em.run(500)
    assert em.converged and em.at_saddle and not em.finished
    assert em.log_likelihood < optimum().log_likelihood - 100
    (warning,) = saddle_warnings(em)
    assert warning.startswith("Components 1 and 2 are nearly identical")
    assert "It is not the answer" in warning


def test_past_the_saddle_run_climbs_to_the_optimum_and_the_warning_goes():
    em = symmetric_start()
    em.run(500)
    stopped = em.log_likelihood
    em.run(500, past_saddle=True)
    assert em.finished and not em.at_saddle and not saddle_warnings(em)
    assert em.log_likelihood == pytest.approx(optimum().log_likelihood, abs=0.05)
    assert em.log_likelihood > stopped + 100


def test_scikit_learns_random_init_stops_at_the_same_kind_of_point():
    X = old_faithful().X
    sk = GaussianMixture(2, init_params="random", random_state=0).fit(X)
    params = gaussian.GaussianParams(sk.weights_, sk.means_, sk.covariances_)
    assert sk.converged_
    assert saddle.identical_groups(params) == ((0, 1),)
    assert sk.score(X) * len(X) < optimum().log_likelihood - 100


def test_no_saddle_at_the_optimum():
    em = optimum()
    assert not em.at_saddle and not saddle_warnings(em)
    assert not any(record.saddle for record in em.history[-4:])


@pytest.mark.parametrize("name", list(PRESETS))
@pytest.mark.parametrize("covariance_type", gaussian.COVARIANCE_TYPES)
def test_separate_clusters_on_the_presets_are_never_called_identical(name, covariance_type):
    dataset = PRESETS[name].make()
    n_clusters = 2 if dataset.labels is None else len(np.unique(dataset.labels))
    for seed in range(3):
        em = GaussianMixtureEM(
            dataset.X,
            n_clusters,
            init="kmeans",
            covariance_type=covariance_type,
            random_state=seed,
        )
        em.run(500)
        assert not em.at_saddle, (name, covariance_type, seed)
        assert not saddle_warnings(em)


def test_many_identical_components_get_one_warning_naming_them_all():
    em = symmetric_start(4)
    (warning,) = saddle_warnings(em)
    assert warning.startswith("Components 1, 2, 3 and 4 are nearly identical")


def test_the_distance_is_the_bhattacharyya_formula_and_ignores_the_data_scale():
    params = optimum().params
    distances = saddle.bhattacharyya_distances(params)
    c0, c1 = params.covariances
    mean = (c0 + c1) / 2
    gap = params.means[0] - params.means[1]
    by_hand = gap @ np.linalg.solve(mean, gap) / 8 + 0.5 * np.log(
        np.linalg.det(mean) / np.sqrt(np.linalg.det(c0) * np.linalg.det(c1))
    )
    assert distances[0, 1] == pytest.approx(by_hand) and distances[1, 0] == distances[0, 1]
    assert np.allclose(np.diag(distances), 0, atol=1e-12)
    scale = np.diag([1000.0, 0.01])
    rescaled = gaussian.GaussianParams(
        params.weights, params.means @ scale, scale @ params.covariances @ scale
    )
    assert np.allclose(saddle.bhattacharyya_distances(rescaled), distances)


def test_equal_means_and_covariances_are_identical_whatever_the_weights():
    params = optimum().params
    twin = gaussian.GaussianParams(
        np.array([0.2, 0.7, 0.1]),
        np.vstack([params.means, params.means[:1]]),
        np.concatenate([params.covariances, params.covariances[:1]]),
    )
    assert saddle.identical_groups(twin) == ((0, 2),)
    assert saddle.identical_groups(params) == ()


@pytest.mark.parametrize("algorithm", ["hard", "kmeans", "fixed-eps"])
def test_only_soft_em_is_told_of_saddles(algorithm):
    em = symmetric_start(algorithm=algorithm)
    assert not em.at_saddle and not saddle_warnings(em)
    assert symmetric_start().at_saddle


def test_back_restores_the_saddle_flag():
    em = symmetric_start()
    em.run(500, past_saddle=True)
    flags = [record.saddle for record in em.history]
    assert flags[0] and not flags[-1]
    while em.back():
        assert em.at_saddle == flags[len(em.history) - 1]


def test_lockstep_runs_a_saddle_run_on_while_a_finished_run_stays_put():
    group = Lockstep([symmetric_start(), optimum()])
    done = len(group.runs[1].history)
    group.run(500)
    assert group.converged and not group.finished
    group.run(500, past_saddle=True)
    assert group.finished
    assert group.runs[0].log_likelihood == pytest.approx(group.runs[1].log_likelihood, abs=0.05)
    assert len(group.runs[1].history) == done


def test_multi_start_counts_optima_not_saddles():
    spec = GaussianSettings(n_components=2, init="random-responsibilities")
    results = multi_start(old_faithful().X, spec, 3)
    best = optimum().log_likelihood
    for result in results:
        assert result.converged and not result.warnings
        assert result.log_likelihood == pytest.approx(best, abs=0.05)
