"""Runs side by side: lockstep stepping, component matching, multi-start and its figures."""

from dataclasses import replace

import numpy as np
import pytest
from plotly_json import figure_data, shown_colours

from em_viz.data import iris, three_gaussians
from em_viz.engine.gaussian_em import GaussianSettings
from em_viz.engine.runs import (
    Lockstep,
    build_runs,
    distinct_optima,
    match_components,
    multi_start,
    shared_objective_name,
)
from em_viz.engine.validation import StepError
from em_viz.figures.compare import figure_multi_start, figure_objective_curves
from em_viz.figures.geometry import mix_colours
from em_viz.figures.mixture import figure_mixture
from em_viz.figures.style import PALETTE, PALETTE_HEX

X = three_gaussians().X
IRIS_PETALS = iris().X


def group(*specs: GaussianSettings) -> Lockstep:
    return Lockstep(build_runs(X, specs))


def test_lockstep_moves_every_run_by_the_same_half_step():
    runs = group(
        GaussianSettings(random_state=0),
        GaussianSettings(random_state=1),
        GaussianSettings(init="kmeans"),
    )
    runs.e_step()
    assert [(em.n_iter, em.phase) for em in runs.runs] == [(0, "E")] * 3
    runs.m_step()
    runs.step()
    assert [(em.n_iter, em.phase) for em in runs.runs] == [(2, "M")] * 3
    alone = GaussianSettings(random_state=1).build(X)
    alone.step()
    alone.step()
    np.testing.assert_array_equal(runs.runs[1].means, alone.means)


def test_a_converged_run_stops_while_the_others_go_on():
    fast, slow = (
        GaussianSettings(init="kmeans"),
        GaussianSettings(init="random-responsibilities", tol=1e-8),
    )
    runs = group(fast, slow)
    runs.run()
    assert runs.converged
    first, second = runs.runs
    assert first.n_iter < second.n_iter
    alone = fast.build(X)
    alone.run()
    assert first.n_iter == alone.n_iter  # stopped where it converged alone
    assert len(first.history) == 1 + 2 * first.n_iter


def test_back_undoes_the_groups_last_action_and_reset_returns_all():
    runs = group(
        GaussianSettings(init="kmeans"), GaussianSettings(init="random-responsibilities", tol=1e-8)
    )
    starts = [em.means.copy() for em in runs.runs]
    runs.run()
    first, second = runs.runs
    stopped = len(first.history)
    assert runs.back()  # the last step moved only the second run
    assert len(first.history) == stopped
    assert second.phase == "E"
    runs.reset()
    assert runs.at_start and not runs.back()
    for em, start in zip(runs.runs, starts, strict=True):
        assert len(em.history) == 1
        np.testing.assert_array_equal(em.means, start)


def test_time_is_counted_per_run_and_undone_with_back():
    runs = group(GaussianSettings(), GaussianSettings(random_state=1))
    runs.step()
    assert runs.seconds(0) > 0 and runs.seconds(1) > 0
    runs.back()
    assert runs.seconds(0) == runs.seconds(1) == 0


def test_bad_settings_name_the_run():
    with pytest.raises(ValueError, match=r"Run 2: .*more than the"):
        build_runs(X[:5], [GaussianSettings(n_components=2), GaussianSettings(n_components=9)])


def test_a_failing_step_is_reported_by_run_and_the_others_still_move():
    def failing():
        raise StepError("singular")

    runs = group(GaussianSettings(), GaussianSettings(random_state=1))
    runs.runs[1].m_step = failing
    assert runs.m_step() == ["Run 2: singular"]
    assert (runs.runs[0].n_iter, runs.runs[1].n_iter) == (1, 0)


def test_matching_recovers_a_known_permutation():
    rng = np.random.default_rng(0)
    reference = rng.normal(size=(5, 2)) * 10
    permutation = np.array([3, 0, 4, 1, 2])
    means = reference[permutation] + rng.normal(scale=0.1, size=(5, 2))
    np.testing.assert_array_equal(match_components(reference, means), permutation)
    np.testing.assert_array_equal(match_components(reference, reference), np.arange(5))


def test_matching_runs_with_different_k_gives_the_rest_unused_colours():
    reference = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    more = np.array([[0.0, 9.0], [50.0, 50.0], [0.1, 0.0], [10.0, 1.0]])
    np.testing.assert_array_equal(match_components(reference, more), [2, 3, 0, 1])
    fewer = np.array([[0.0, 9.0], [0.1, 0.0]])
    np.testing.assert_array_equal(match_components(reference, fewer), [2, 0])


def test_figure_mixture_colours_components_by_the_order_given():
    em = GaussianSettings().build(X)
    em.e_step()
    plain = figure_data(figure_mixture(X, em.params, em.responsibilities))
    ordered = figure_data(
        figure_mixture(X, em.params, em.responsibilities, colour_order=[2, 0, 1])
    )
    means = [t["marker"]["color"] for t in ordered if t.get("text")]
    assert means == [PALETTE_HEX[2], PALETTE_HEX[0], PALETTE_HEX[1]]
    assert [t["marker"]["color"] for t in plain if t.get("text")] == list(PALETTE_HEX[:3])
    marker, plain_marker = ordered[0]["marker"], plain[0]["marker"]
    permuted = em.responsibilities[:, [1, 2, 0]]  # component 2 took colour 0, ...
    expected = mix_colours(permuted, PALETTE[:3].astype(float))
    np.testing.assert_allclose(
        shown_colours(marker["color"], marker["colorscale"]), expected, atol=9
    )
    plain_colours = shown_colours(plain_marker["color"], plain_marker["colorscale"])
    assert not np.allclose(plain_colours, expected, atol=9)
    default = figure_mixture(X, em.params, em.responsibilities, colour_order=None)
    assert default.to_json() == figure_mixture(X, em.params, em.responsibilities).to_json()


def test_multi_start_is_reproducible_and_runs_each_seed_as_alone():
    spec = GaussianSettings(random_state=5, tol=1e-8)
    calls = []
    first = multi_start(IRIS_PETALS, spec, 6, progress=lambda d, n: calls.append((d, n)))
    again = multi_start(IRIS_PETALS, spec, 6)
    assert calls == [(d, 6) for d in range(1, 7)]
    assert [r.seed for r in first] == list(range(5, 11))
    assert [(r.log_likelihood, r.n_iter) for r in first] == [
        (r.log_likelihood, r.n_iter) for r in again
    ]
    alone = GaussianSettings(random_state=8, tol=1e-8).build(IRIS_PETALS)
    alone.run(500)
    assert first[3].log_likelihood == alone.log_likelihood
    assert first[3].mean_log_likelihood == alone.log_likelihood / 150
    assert all(r.converged and r.seconds > 0 for r in first)


def test_multi_start_takes_explicit_seeds():
    results = multi_start(IRIS_PETALS, GaussianSettings(), 2, seeds=[40, 2])
    assert [r.seed for r in results] == [40, 2]
    with pytest.raises(ValueError, match="one seed per start"):
        multi_start(IRIS_PETALS, GaussianSettings(), 3, seeds=[1])


def test_iris_petals_reach_a_few_distinct_optima_counted_together():
    results = multi_start(IRIS_PETALS, GaussianSettings(tol=1e-8), 20)
    optima = distinct_optima(results)
    assert 2 <= len(optima) < 20
    assert sum(o.count for o in optima) == 20
    values = [o.objective for o in optima]
    assert values == sorted(values, reverse=True)
    assert values[0] == max(r.log_likelihood for r in results)
    for optimum in optima:
        spread = [results[i].log_likelihood for i in optimum.starts]
        assert max(spread) - min(spread) <= 1e-6 * abs(optimum.objective)


def test_distinct_optima_groups_within_the_relative_tolerance():
    (result,) = multi_start(IRIS_PETALS, GaussianSettings(), 1)
    fake = [
        replace(result, objective=value, seed=seed)
        for seed, value in enumerate([-100.0, -100.001, -101.0, -100.0000001])
    ]
    assert [o.starts for o in distinct_optima(fake, rtol=1e-6)] == [(0, 3), (1,), (2,)]
    assert [o.starts for o in distinct_optima(fake, rtol=1e-3)] == [(0, 3, 1), (2,)]
    assert distinct_optima(fake)[0].objective == -100.0


def test_objective_curves_one_line_per_run_per_point():
    runs = group(GaussianSettings(), GaussianSettings(random_state=1, algorithm="kmeans"))
    runs.run()
    assert shared_objective_name(runs.runs) is None
    traces = figure_data(
        figure_objective_curves([em.history for em in runs.runs], ["A", "B"], len(X), None)
    )
    assert [t["name"] for t in traces] == ["A", "B"]
    second = runs.runs[1]
    ends = [r for r in second.history if r.phase != "E"]
    np.testing.assert_allclose(traces[1]["y"], [r.log_likelihood / len(X) for r in ends])
    assert traces[0]["line"]["color"] != traces[1]["line"]["color"]


def test_multi_start_figure_marks_the_best_with_iterations_in_hover():
    results = multi_start(IRIS_PETALS, GaussianSettings(tol=1e-8), 8)
    points, best = figure_data(figure_multi_start(results))
    np.testing.assert_array_equal(points["x"], [r.n_iter for r in results])
    top = max(results, key=lambda r: r.objective)
    assert best["y"][0] == pytest.approx(top.mean_objective)
    assert f"seed {top.seed}" in best["name"]
    assert "iterations" in points["hovertemplate"]


def test_a_start_that_collapses_a_component_says_so():
    sepals = iris(("sepal length (cm)", "sepal width (cm)")).X
    (collapsed,) = multi_start(sepals, GaussianSettings(tol=1e-8), 1, seeds=[20])
    assert "collapsed" in " ".join(collapsed.warnings)
    (healthy,) = multi_start(sepals, GaussianSettings(tol=1e-8), 1, seeds=[1])
    assert healthy.warnings == ()
    assert collapsed.log_likelihood > healthy.log_likelihood  # high, but meaningless
