"""The component colours under simulated colour-vision deficiency, and how they mix.

Distances are OKLab's Euclidean ΔE (Ottosson 2020), in which about 0.02 is the smallest
difference one notices (the just-noticeable difference that CSS Color 4 uses for
OKLab). Deficiencies are simulated with Machado, Oliveira and Fernandes (2009), severity
1.0 (dichromacy), applied to linear RGB.
"""

import itertools

import numpy as np
import pytest

from em_viz.figures.geometry import (
    linear_rgb,
    mix_colours,
    oklab,
    oklab_from_linear,
)
from em_viz.figures.style import GREY, PALETTE, PALETTE_HEX, to_rgb

MACHADO_2009 = {
    "normal": np.eye(3),
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
    "tritanopia": np.array(
        [
            [1.255528, -0.076749, -0.178779],
            [-0.078411, 0.930809, 0.147602],
            [0.004733, 0.691367, 0.303900],
        ]
    ),
}
"""Machado et al. (2009), Table 1 at severity 1.0: linear RGB in, linear RGB seen out."""

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
"""The six Okabe-Ito colours the palette keeps (without yellow and black)."""

SAFE_DISTANCE = 0.075
"""The smallest ΔE allowed between two component colours as any reader sees them:
Okabe-Ito's own closest pair (bluish green and reddish purple under deuteranopia,
0.076), the set widely used as colour-blind safe, and nearly four just-noticeable
differences. Markers of a few pixels need more than one JND to be told apart."""

NOTICEABLE = 0.04
"""Two just-noticeable differences: a mixed colour closer than this to a third
component's colour would be read as that component."""


def seen(hex_colours, vision: str) -> np.ndarray:
    """The OKLab colours that a reader with ``vision`` sees, (n, 3)."""
    linear = np.clip(linear_rgb(to_rgb(hex_colours)) @ MACHADO_2009[vision].T, 0.0, 1.0)
    return oklab_from_linear(linear)


def closest_pair(hex_colours, vision: str) -> float:
    lab = seen(hex_colours, vision)
    return min(np.linalg.norm(a - b) for a, b in itertools.combinations(lab, 2))


def test_the_simulation_keeps_grey_grey_and_merges_red_with_green_for_deuteranopes():
    for vision in MACHADO_2009:
        grey = seen([GREY], vision)[0]
        np.testing.assert_allclose(grey[1:], 0.0, atol=0.01)  # no hue
    red_green = ["#D55E00", "#009E73"]
    assert closest_pair(red_green, "normal") > 0.2
    assert closest_pair(red_green, "deuteranopia") < closest_pair(red_green, "normal") / 2


@pytest.mark.parametrize("vision", list(MACHADO_2009))
def test_okabe_ito_itself_sits_just_above_the_safe_distance(vision):
    assert closest_pair(OKABE_ITO, vision) >= SAFE_DISTANCE
    assert PALETTE_HEX[: len(OKABE_ITO)] == OKABE_ITO


@pytest.mark.parametrize("vision", list(MACHADO_2009))
@pytest.mark.parametrize("n_components", [3, 6, 10])
def test_component_colours_stay_apart_for_every_reader(vision, n_components):
    assert closest_pair(PALETTE_HEX[:n_components], vision) >= SAFE_DISTANCE


def test_the_safe_distance_rules_out_the_former_tenth_colours():
    """Paul Tol's teal next to the reddish purple: 0.015 apart for a deuteranope."""
    assert closest_pair(["#CC79A7", "#44AA99"], "deuteranopia") < SAFE_DISTANCE / 4


def test_mixing_is_linear_in_oklab():
    rng = np.random.default_rng(0)
    resp = rng.dirichlet([0.5] * 4, 200)
    palette = PALETTE[:4].astype(float)
    expected = resp @ oklab(palette)
    np.testing.assert_allclose(oklab(mix_colours(resp, palette)), expected, atol=0.01)


def test_an_even_mix_is_half_way_between_its_two_colours():
    lab = oklab(PALETTE.astype(float))
    for i, j in itertools.combinations(range(len(PALETTE)), 2):
        resp = np.zeros((1, len(PALETTE)))
        resp[0, [i, j]] = 0.5
        mixed = oklab(mix_colours(resp, PALETTE.astype(float)))[0]
        half = np.linalg.norm(lab[i] - lab[j]) / 2
        assert np.linalg.norm(mixed - lab[i]) == pytest.approx(half, abs=0.01)
        assert np.linalg.norm(mixed - lab[j]) == pytest.approx(half, abs=0.01)


def even_mixes_distance_to_a_third(mix) -> float:
    """The least ΔE between an even mix of two palette colours and any other one."""
    lab = oklab(PALETTE.astype(float))
    least = np.inf
    for i, j in itertools.combinations(range(len(PALETTE)), 2):
        mixed = oklab(mix(PALETTE[i].astype(float), PALETTE[j].astype(float)))
        others = np.delete(lab, [i, j], axis=0)
        least = min(least, np.linalg.norm(others - mixed, axis=1).min())
    return least


def test_a_point_shared_by_two_components_never_takes_a_third_ones_colour():
    def perceptual(a, b):
        return mix_colours(np.array([[0.5, 0.5]]), np.vstack([a, b]))[0]

    def srgb_average(a, b):
        return (a + b) / 2

    assert even_mixes_distance_to_a_third(perceptual) >= NOTICEABLE
    assert even_mixes_distance_to_a_third(srgb_average) < NOTICEABLE


def test_blue_and_orange_mix_to_a_neutral_not_an_olive():
    blue, orange = PALETTE[0].astype(float), PALETTE[1].astype(float)
    mixed = oklab(mix_colours(np.array([[0.5, 0.5]]), np.vstack([blue, orange])))[0]
    averaged = oklab((blue + orange) / 2)
    assert np.hypot(*mixed[1:]) < 0.03  # chroma: about grey, "shared"
    assert np.hypot(*averaged[1:]) > 0.06  # the sRGB average: a green-brown olive
    assert averaged[1] < 0 < averaged[2]  # green-yellow side of the hue circle
