"""Seeded preset datasets for the explorer, and real ones (Old Faithful, Iris, wine).

Everything here is pure and free of Streamlit, so the page can cache it and the tests can pin
it. A bad knob is raised as `DataError`, whose message is written for the user and shown in
the page as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.datasets import load_iris, load_wine, make_moons

from em_viz.engine.validation import DataError, check_number

__all__ = [
    "IRIS_FEATURES",
    "OLD_FAITHFUL_CSV",
    "PRESETS",
    "WINE_FEATURES",
    "Dataset",
    "Preset",
    "anisotropic",
    "four_blobs",
    "iris",
    "iris_measurements",
    "old_faithful",
    "three_gaussians",
    "two_moons",
    "two_squares",
    "unequal",
    "wine",
]

IRIS_FEATURES: tuple[str, ...] = (
    "sepal length (cm)",
    "sepal width (cm)",
    "petal length (cm)",
    "petal width (cm)",
)

WINE_FEATURES: tuple[str, ...] = (
    "alcohol (% vol)",
    "malic acid",
    "ash",
    "alkalinity of ash",
    "magnesium",
    "total phenols",
    "flavonoids",
    "non-flavonoid phenols",
    "proanthocyanins",
    "colour intensity",
    "hue",
    "OD280/OD315 of diluted wine",
    "proline",
)
"""scikit-learn's wine columns in plain words; the source gives no units but alcohol's."""

OLD_FAITHFUL_CSV = Path(__file__).resolve().parents[2] / "assets" / "old_faithful.csv"

_XY = ("x1", "x2")
_ANISOTROPIC_MAP = np.array([[0.6, -0.64], [-0.41, 0.85]])


@dataclass(frozen=True, eq=False)
class Dataset:
    """Points to cluster (two features or more), with the true labels when they are known.

    `X` is stored as a read-only, C-contiguous float64 array of shape (n_samples,
    n_features), n_features >= 2, with one name per feature, and `labels` as a read-only
    int64 array, so a cached dataset cannot be changed by accident.
    """

    X: np.ndarray
    labels: np.ndarray | None
    name: str
    feature_names: tuple[str, ...]
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        X = np.array(self.X, dtype=np.float64, order="C")
        if X.ndim != 2 or X.shape[1] < 2:
            raise ValueError(f"X must have shape (n_samples, n_features >= 2), got {X.shape}")
        if len(self.feature_names) != X.shape[1]:
            raise ValueError(
                f"X has shape {X.shape}, so it needs {X.shape[1]} feature names,"
                f" got {len(self.feature_names)}"
            )
        X.flags.writeable = False
        object.__setattr__(self, "X", X)
        if self.labels is not None:
            labels = np.array(self.labels, dtype=np.int64)
            if labels.shape != (X.shape[0],):
                raise ValueError(f"labels must have shape ({X.shape[0]},), got {labels.shape}")
            labels.flags.writeable = False
            object.__setattr__(self, "labels", labels)


@dataclass(frozen=True)
class Preset:
    """A named dataset recipe; `knobs` lists the keyword arguments the page offers as widgets."""

    name: str
    make: Callable[..., Dataset]
    knobs: tuple[str, ...]
    description: str


# ---------------------------------------------------------------------------------------------
# Presets
# ---------------------------------------------------------------------------------------------


def _knob(value: Any, name: str, **rule: Any) -> float:
    """`value` checked by :func:`~em_viz.engine.validation.check_number` with `rule`; a bad
    knob is a DataError."""
    return check_number(value, name, error=DataError, **rule)


def _rng(seed: Any) -> np.random.Generator:
    """The generator of a preset's points; `seed` must be a whole number of at least 0."""
    return np.random.default_rng(_knob(seed, "seed", whole=True))


def _split(n_samples: int, weights: tuple[float, ...]) -> np.ndarray:
    """Split `n_samples` into counts proportional to `weights` that add up exactly.

    Largest-remainder rounding: the points left over after flooring go to the components
    with the largest fractional parts (the first ones on ties), so even splits of any
    n_samples differ by at most one point.
    """
    exact = n_samples * np.asarray(weights) / sum(weights)
    counts = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[: n_samples - counts.sum()]] += 1
    return counts


def _blobs(
    rng: np.random.Generator,
    centres: np.ndarray,
    counts: np.ndarray,
    stds: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic Gaussian blobs in shuffled order: points (n, 2) and their component labels."""
    labels = np.repeat(np.arange(len(centres)), counts)
    X = centres[labels] + stds[labels, None] * rng.standard_normal((labels.size, 2))
    order = rng.permutation(labels.size)
    return X[order], labels[order]


def three_gaussians(n_per_component: int = 100, seed: int = 0, spread: float = 1.0) -> Dataset:
    """Three round Gaussian clusters with std `spread` centred at (0, 0), (5, 5) and (0, 5)."""
    n = _knob(
        n_per_component, "n_per_component", minimum=1, whole=True, why="points in each cluster"
    )
    spread = _knob(spread, "spread", above=True, why="the standard deviation of each cluster")
    rng = _rng(seed)
    centres = np.array([[0.0, 0.0], [5.0, 5.0], [0.0, 5.0]])
    X, labels = _blobs(rng, centres, np.full(3, n), np.full(3, spread))
    return Dataset(X, labels, "Three Gaussians", _XY)


def four_blobs(n_samples: int = 400, seed: int = 0, spread: float = 0.6) -> Dataset:
    """Four tight round clusters (std `spread`) on the corners of a square of side 4."""
    n = _knob(n_samples, "n_samples", minimum=4, whole=True, why="one point per blob")
    spread = _knob(spread, "spread", above=True, why="the standard deviation of each blob")
    rng = _rng(seed)
    centres = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0], [4.0, 4.0]])
    X, labels = _blobs(rng, centres, _split(n, (1, 1, 1, 1)), np.full(4, spread))
    return Dataset(X, labels, "Four tight blobs", _XY)


def two_squares(n_samples: int = 400, seed: int = 0) -> Dataset:
    """Two uniformly filled squares, [0, 2] x [0, 2] and [3, 5] x [0, 2]: non-Gaussian clusters."""
    n = _knob(n_samples, "n_samples", minimum=2, whole=True, why="one point per square")
    rng = _rng(seed)
    labels = np.repeat(np.arange(2), _split(n, (1, 1)))
    X = rng.uniform(0.0, 2.0, size=(n, 2)) + np.array([[0.0, 0.0], [3.0, 0.0]])[labels]
    order = rng.permutation(n)
    return Dataset(X[order], labels[order], "Two uniform squares", _XY)


def anisotropic(n_samples: int = 450, seed: int = 0, spread: float = 1.0) -> Dataset:
    """Three blobs stretched and rotated by one linear map, as in scikit-learn's k-means demo.

    The clusters are long, tilted ellipses: k-means cuts them wrongly, while a mixture with
    full covariance matrices recovers them.
    """
    n = _knob(n_samples, "n_samples", minimum=3, whole=True, why="one point per blob")
    spread = _knob(spread, "spread", above=True, why="the standard deviation before stretching")
    rng = _rng(seed)
    centres = np.array([[-9.0, -6.0], [-4.5, 0.0], [2.5, 0.5]])
    X, labels = _blobs(rng, centres, _split(n, (1, 1, 1)), np.full(3, spread))
    return Dataset(X @ _ANISOTROPIC_MAP, labels, "Anisotropic blobs", _XY)


def unequal(n_samples: int = 500, seed: int = 0, spread: float = 1.0) -> Dataset:
    """Three clusters holding 60 %, 30 % and 10 % of the points, with different spreads.

    The large wide cluster and the medium tight one overlap; the small one sits apart.
    `spread` scales all three standard deviations (1.5, 0.6 and 0.4 times `spread`).
    """
    n = _knob(n_samples, "n_samples", minimum=3, whole=True, why="one point per cluster")
    spread = _knob(spread, "spread", above=True, why="the scale of the cluster widths")
    rng = _rng(seed)
    centres = np.array([[0.0, 0.0], [2.5, 1.0], [6.0, 5.0]])
    stds = spread * np.array([1.5, 0.6, 0.4])
    X, labels = _blobs(rng, centres, _split(n, (0.6, 0.3, 0.1)), stds)
    return Dataset(X, labels, "Unequal sizes and overlap", _XY)


def old_faithful() -> Dataset:
    """The Old Faithful geyser data: 272 eruptions, their duration and the wait before them."""
    table = pd.read_csv(OLD_FAITHFUL_CSV)
    X = table[["eruptions", "waiting"]].to_numpy(dtype=np.float64)
    return Dataset(X, None, "Old Faithful", ("eruptions (min)", "waiting (min)"))


def iris(features: tuple[str, str] = ("petal length (cm)", "petal width (cm)")) -> Dataset:
    """Fisher's Iris flowers (150, three species) on two of the four measurements."""
    choices = ", ".join(f"'{name}'" for name in IRIS_FEATURES)
    if len(features) != 2:
        raise DataError(f"Choose exactly two Iris features from: {choices}.")
    for feature in features:
        if feature not in IRIS_FEATURES:
            raise DataError(f"There is no Iris feature '{feature}'. Choose two of: {choices}.")
    if features[0] == features[1]:
        raise DataError(
            f"'{features[0]}' was chosen for both axes. Choose two different Iris features."
        )
    bunch = load_iris()
    columns = [list(bunch.feature_names).index(feature) for feature in features]
    X = bunch.data[:, columns]
    return Dataset(X, bunch.target, "Iris", (features[0], features[1]))


def iris_measurements() -> Dataset:
    """Fisher's Iris flowers (150, three species) on all four measurements."""
    bunch = load_iris()
    columns = [list(bunch.feature_names).index(feature) for feature in IRIS_FEATURES]
    return Dataset(bunch.data[:, columns], bunch.target, "Iris, four measurements", IRIS_FEATURES)


def wine() -> Dataset:
    """scikit-learn's wine data: 13 chemical measurements of 178 Italian wines from three
    cultivars (bundled with scikit-learn, no download)."""
    bunch = load_wine()
    return Dataset(bunch.data, bunch.target, "Wine", WINE_FEATURES)


def two_moons(n_samples: int = 400, seed: int = 0, noise: float = 0.08) -> Dataset:
    """Two interleaving half circles (scikit-learn's `make_moons`): clusters that are not blobs."""
    n = _knob(n_samples, "n_samples", minimum=2, whole=True, why="one point per moon")
    noise = _knob(noise, "noise", why="the standard deviation added to each point")
    seed = _knob(seed, "seed", whole=True)
    X, labels = make_moons(n_samples=n, noise=noise, random_state=seed)
    return Dataset(X, labels, "Two moons", _XY)


PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset(
            "Three Gaussians",
            three_gaussians,
            ("n_per_component", "seed", "spread"),
            "Three round clusters of 100 points: the textbook first example.",
        ),
        Preset(
            "Four tight blobs",
            four_blobs,
            ("n_samples", "seed", "spread"),
            "Four small, well separated clusters: easy to find, good for watching EM converge.",
        ),
        Preset(
            "Two uniform squares",
            two_squares,
            ("n_samples", "seed"),
            "Two evenly filled squares: what a Gaussian mixture makes of clusters that are not"
            " bell-shaped.",
        ),
        Preset(
            "Anisotropic blobs",
            anisotropic,
            ("n_samples", "seed", "spread"),
            "Three long, tilted clusters that k-means splits wrongly but full covariances fit.",
        ),
        Preset(
            "Unequal sizes and overlap",
            unequal,
            ("n_samples", "seed", "spread"),
            "A big wide cluster, a medium tight one overlapping it and a small one apart: why"
            " mixture weights matter.",
        ),
        Preset(
            "Old Faithful",
            old_faithful,
            (),
            "Real data: 272 eruptions of the Old Faithful geyser, short ones and long ones.",
        ),
        Preset(
            "Iris",
            iris,
            ("features",),
            "Real data: 150 iris flowers of three species, measured in centimetres.",
        ),
        Preset(
            "Iris, four measurements",
            iris_measurements,
            (),
            "Real data: the 150 iris flowers on all four measurements, drawn in pairs or on"
            " their principal components.",
        ),
        Preset(
            "Wine",
            wine,
            (),
            "Real data: 13 chemical measurements of 178 wines from three grape cultivars of one"
            " Italian region.",
        ),
        Preset(
            "Two moons",
            two_moons,
            ("n_samples", "seed", "noise"),
            "Two interlocking half circles: shapes that a few ellipses can only approximate.",
        ),
    )
}
