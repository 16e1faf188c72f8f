"""The data: seeded presets and the CSV reader with plain-words errors (re-exported here),
and the Bernoulli demos' coins (:mod:`em_viz.data.coins`) and digits
(:mod:`em_viz.data.digits`)."""

from em_viz.data.presets import (
    IRIS_FEATURES,
    OLD_FAITHFUL_CSV,
    PRESETS,
    WINE_FEATURES,
    Dataset,
    Preset,
    anisotropic,
    four_blobs,
    iris,
    iris_measurements,
    old_faithful,
    three_gaussians,
    two_moons,
    two_squares,
    unequal,
    wine,
)
from em_viz.data.table import (
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    dataset_from_table,
    numeric_columns,
    read_table,
)
from em_viz.engine.validation import DataError

__all__ = [
    "IRIS_FEATURES",
    "MAX_ROWS",
    "MAX_UPLOAD_BYTES",
    "OLD_FAITHFUL_CSV",
    "PRESETS",
    "WINE_FEATURES",
    "DataError",
    "Dataset",
    "Preset",
    "anisotropic",
    "dataset_from_table",
    "four_blobs",
    "iris",
    "iris_measurements",
    "numeric_columns",
    "old_faithful",
    "read_table",
    "three_gaussians",
    "two_moons",
    "two_squares",
    "unequal",
    "wine",
]
