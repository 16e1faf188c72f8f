"""The mixture's density as contour lines: the log-density on the grid equals SciPy's,
the lines sit at fixed steps below the top, and a run's frames carry them."""

import base64

import numpy as np
from scipy.stats import multivariate_normal

from em_viz.engine.gaussian_em import GaussianSettings
from em_viz.figures.contours import GRID_SIZE, STEPS, contour_trace, log_density_grid
from em_viz.figures.frames import encode, frame_patches
from em_viz.figures.mixture import ELLIPSE_POINTS, drag_handles, figure_mixture, mixture_traces

TYPES = {"f4": np.float32, "u1": np.uint8, "i4": np.int32}


def fitted(seed: int = 0):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(c, [1.0, 0.5], (120, 2)) for c in ((0, 0), (4, 1), (1, 4))])
    em = GaussianSettings(n_components=3, random_state=seed).build(X)
    em.step()
    em.step()
    return X, em


def test_the_log_density_on_the_grid_is_the_mixtures():
    _, em = fitted()
    params = em.params
    x, y, log_p = log_density_grid(params, (-3, 7), (-2, 6))
    assert log_p.shape == (GRID_SIZE, GRID_SIZE) and x[0] == -3 and y[-1] == 6
    i, j = 17, 53
    point = np.array([x[j], y[i]])
    expected = np.log(
        sum(
            w * multivariate_normal(m, c).pdf(point)
            for w, m, c in zip(params.weights, params.means, params.covariances, strict=True)
        )
    )
    np.testing.assert_allclose(log_p[i, j], expected, rtol=1e-12)


def test_the_lines_lie_at_fixed_steps_below_the_top():
    _, em = fitted(1)
    trace = contour_trace(em.params, (-3, 7), (-2, 6))
    top = float(np.max(trace["z"]))
    levels = np.arange(
        trace["contours"]["start"], trace["contours"]["end"] + 1e-9, trace["contours"]["size"]
    )
    np.testing.assert_allclose(top - levels[::-1], STEPS)
    assert trace["contours"]["coloring"] == "none" and trace["showlegend"]


def test_contours_are_drawn_under_the_ellipses_only_when_asked():
    X, em = fitted()
    plain = [t.type for t in figure_mixture(X, em.params, em.responsibilities).data]
    drawn = figure_mixture(X, em.params, em.responsibilities, contours=True).data
    assert "contour" not in plain
    kinds = [t.type for t in drawn]
    assert kinds.count("contour") == 1 and len(kinds) == len(plain) + 1
    halo = next(i for i, t in enumerate(drawn) if t.name == "halo")
    assert kinds.index("contour") < halo  # under every ellipse


def test_a_runs_frames_carry_the_contours_rows():
    X, em = fitted(2)
    frames = [
        (mixture_traces(X, record.params, em.responsibilities_at(at), contours=True), {})
        for at, record in enumerate(em.history)
    ]
    patches = frame_patches(frames)
    index = next(i for i, t in enumerate(frames[0][0]) if t["type"] == "contour")
    last = None
    for (traces, _), patch in zip(frames, patches, strict=True):
        values = patch["data"].get(str(index), {})
        if "z" in values:
            encoded = values["z"]
            flat = np.frombuffer(base64.b64decode(encoded["bdata"]), TYPES[encoded["dtype"]])
            last = flat.reshape(encoded["shape"])
        np.testing.assert_allclose(last, traces[index]["z"], rtol=1e-6)
    assert encode(np.zeros((2, 3)))["shape"] == [2, 3] and "shape" not in encode(np.zeros(3))


def test_drag_handles_find_each_mean_and_its_ellipses_over_any_points():
    X, em = fitted(3)
    for data in (X, np.tile(X, (160, 1))):  # markers, and a shading above 50,000 points
        resp = em.responsibilities_at(len(em.history) - 1)
        resp = np.tile(resp, (len(data) // len(X), 1))
        figure = figure_mixture(data, em.params, resp, contours=True)
        handles = drag_handles(figure)
        traces = figure.data
        assert [traces[i].name for i in handles["means"]] == [
            "Component 1",
            "Component 2",
            "Component 3",
        ]
        for k, (mean, moves) in enumerate(zip(handles["means"], handles["moves"], strict=True)):
            assert tuple(traces[mean].x) == (em.params.means[k, 0],)
            *ellipses, (halo, first, stop) = moves
            assert traces[halo].name == "halo" and stop - first == ELLIPSE_POINTS + 1
            assert {traces[i].legendgroup for i, _, _ in ellipses} == {f"Component {k + 1}"}
            inner = np.asarray(traces[halo].x)[first : stop - 1]
            np.testing.assert_allclose(inner, np.asarray(traces[ellipses[-1][0]].x)[:-1])
