"""Tests for em_viz.figures.geometry: ellipses on the right Mahalanobis curve, colour mixing and
the quantised colours Plotly draws."""

import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from plotly_json import shown_colours

from em_viz.figures.geometry import (
    ellipse,
    ellipses_path,
    mix_colours,
    oklab,
    quantised_colours,
    srgb_from_oklab,
)
from em_viz.figures.style import PALETTE, PALETTE_HEX, component_colours


def mahalanobis_squared(points: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
    diff = points - mean
    return np.einsum("ni,ni->n", diff, np.linalg.solve(cov, diff.T).T)


def covariance(angle: float, scales: tuple[float, float]) -> np.ndarray:
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    return rotation @ np.diag(scales) @ rotation.T


scales = st.floats(0.05, 20.0)


@settings(max_examples=200, deadline=None)
@given(
    mean=arrays(float, 2, elements=st.floats(-50, 50)),
    angle=st.floats(0, np.pi),
    scale_a=scales,
    scale_b=scales,
    radius=st.floats(0.1, 5.0),
)
def test_ellipse_points_are_at_the_mahalanobis_radius(mean, angle, scale_a, scale_b, radius):
    cov = covariance(angle, (scale_a, scale_b))
    points = ellipse(mean, cov, radius)
    np.testing.assert_allclose(
        mahalanobis_squared(points, mean, cov), radius**2, rtol=1e-12, atol=0
    )


def test_ellipse_is_closed_and_sampled_evenly_round_the_circle():
    points = ellipse(np.zeros(2), np.eye(2), 2.0, n_points=9)
    assert points.shape == (9, 2)
    np.testing.assert_array_equal(points[0], points[-1])
    assert len(np.unique(points[:-1].round(12), axis=0)) == 8
    angles = np.sort(np.arctan2(points[:-1, 1], points[:-1, 0]) % (2 * np.pi))
    np.testing.assert_allclose(np.diff(angles), 2 * np.pi / 8)


def test_ellipse_axes_follow_the_covariance():
    cov = covariance(np.pi / 6, (9.0, 1.0))
    points = ellipse(np.array([1.0, -2.0]), cov, 1.0, n_points=721) - [1.0, -2.0]
    lengths = np.hypot(points[:, 0], points[:, 1])
    longest = points[np.argmax(lengths)]
    assert lengths.max() == pytest.approx(3.0, rel=1e-4)
    assert lengths.min() == pytest.approx(1.0, rel=1e-4)
    assert abs(np.arctan2(longest[1], longest[0]) % np.pi - np.pi / 6) < 1e-2


def test_ellipses_path_holds_each_ellipse_between_nans():
    means = np.array([[0.0, 0.0], [5.0, 1.0], [-3.0, 4.0]])
    covs = np.stack([covariance(0.3, (1.0, 2.0)), np.eye(2) * 0.5, covariance(2.0, (4.0, 0.2))])
    x, y = ellipses_path(means, covs, 2.0, n_points=30)
    assert x.shape == y.shape == (3 * 31,)
    breaks = np.flatnonzero(np.isnan(x))
    np.testing.assert_array_equal(breaks, [30, 61, 92])
    np.testing.assert_array_equal(np.isnan(y), np.isnan(x))
    for k, segment in enumerate(np.split(np.column_stack([x, y]), breaks + 1)[:3]):
        np.testing.assert_array_equal(segment[:-1], ellipse(means[k], covs[k], 2.0, 30))


def test_ellipses_path_takes_one_radius_per_ellipse():
    means = np.zeros((2, 2))
    covs = np.stack([np.eye(2), np.eye(2)])
    x, y = ellipses_path(means, covs, [2.0, 3.0], n_points=12)
    radii = np.hypot(x, y)
    np.testing.assert_allclose(radii[:12], 2.0)
    np.testing.assert_allclose(radii[13:25], 3.0)


def test_palette_is_large_distinct_and_free_of_pale_yellow():
    assert len(PALETTE_HEX) >= 10
    assert PALETTE.shape == (len(PALETTE_HEX), 3)
    assert len({code.lower() for code in PALETTE_HEX}) == len(PALETTE_HEX)
    for code, rgb in zip(PALETTE_HEX, PALETTE, strict=True):
        assert code.lower() == "#{:02x}{:02x}{:02x}".format(*rgb)
    red, green, blue = PALETTE.astype(float).T
    assert not np.any((red > 200) & (green > 200) & (blue < 120))


def test_component_colours_cycle_through_the_palette():
    hex_colours, rgb = component_colours(12)
    assert hex_colours[:10] == list(PALETTE_HEX)
    assert hex_colours[10:] == list(PALETTE_HEX[:2])
    np.testing.assert_array_equal(rgb[:10], PALETTE)
    assert rgb.dtype == float


def test_mix_colours_of_one_hot_responsibilities_is_the_palette_colour():
    _, palette = component_colours(4)
    labels = np.array([0, 3, 1, 2, 2])
    # Exact up to the round trip through OKLab's cube roots.
    np.testing.assert_allclose(mix_colours(np.eye(4)[labels], palette), palette[labels], atol=1e-9)


@given(
    a=arrays(float, (6, 3), elements=st.floats(0, 1)),
    b=arrays(float, (6, 3), elements=st.floats(0, 1)),
    share=st.floats(0, 1),
)
def test_mix_colours_mixes_linearly_in_oklab_within_the_colour_cube(a, b, share):
    _, palette = component_colours(3)
    a = np.abs(a) + 1e-3
    b = np.abs(b) + 1e-3
    a /= a.sum(axis=1, keepdims=True)
    b /= b.sum(axis=1, keepdims=True)
    mixed = oklab(mix_colours(share * a + (1 - share) * b, palette))
    expected = share * oklab(mix_colours(a, palette)) + (1 - share) * oklab(
        mix_colours(b, palette)
    )
    # Blue and green mix just outside the sRGB cube (by 0.005 in linear red): clipped.
    np.testing.assert_allclose(mixed, expected, atol=0.005)
    assert mix_colours(a, palette).min() >= 0 and mix_colours(a, palette).max() <= 255


def test_oklab_round_trips_and_puts_white_at_lightness_one():
    rgb = np.random.default_rng(2).uniform(0, 255, size=(100, 3))
    np.testing.assert_allclose(srgb_from_oklab(oklab(rgb)), rgb, atol=1e-9)
    np.testing.assert_allclose(oklab(np.array([255.0, 255.0, 255.0])), [1.0, 0.0, 0.0], atol=1e-6)


@settings(deadline=None)
@given(
    rgb=arrays(float, st.tuples(st.integers(1, 60), st.just(3)), elements=st.floats(0, 255)),
    levels=st.integers(2, 32),
)
def test_quantised_colours_are_reproduced_by_the_colorscale(rgb, levels):
    index, colorscale = quantised_colours(rgb, levels)
    n_colours = len(colorscale) // 2
    assert index.shape == (len(rgb),)
    assert index.dtype == (np.uint8 if n_colours <= 256 else np.uint16)
    np.testing.assert_array_equal(np.unique(index), np.arange(n_colours))
    positions = [stop[0] for stop in colorscale]
    assert positions[0] == 0 and positions[-1] == 1
    assert np.all(np.diff(positions) >= 0)
    shown = shown_colours(index, colorscale)
    step = 255 / (levels - 1)
    bound = step / 2 if 255 % (levels - 1) == 0 else step / 2 + 0.5
    assert np.abs(shown - rgb).max() <= bound + 1e-9
    shown_values = {tuple(colour) for colour in shown}
    assert len(shown_values) == n_colours


def test_quantised_colours_at_sixteen_levels_err_by_at_most_half_a_level():
    rgb = np.random.default_rng(0).uniform(0, 255, size=(5_000, 3))
    index, colorscale = quantised_colours(rgb)
    error = np.abs(shown_colours(index, colorscale) - rgb)
    assert error.max() <= 17 / 2
    assert error.max() > 8


def test_quantised_colours_are_valid_plotly_marker_colours():
    rgb = mix_colours(np.random.default_rng(1).dirichlet([0.5] * 3, 500), PALETTE[:3])
    index, colorscale = quantised_colours(rgb)
    marker = go.scattergl.Marker(
        color=index, colorscale=colorscale, cmin=-0.5, cmax=len(colorscale) // 2 - 0.5
    )
    assert len(marker.colorscale) == len(colorscale)


def test_equal_colours_share_one_index():
    rgb = np.array([[0.0, 114.0, 178.0], [1.0, 113.0, 176.0], [230.0, 159.0, 0.0]])
    index, colorscale = quantised_colours(rgb)
    assert index[0] == index[1] != index[2]
    assert len(colorscale) == 4
