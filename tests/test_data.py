"""Tests for em_viz.data: the seeded presets and the CSV upload path with its user messages."""

import dataclasses
import inspect
import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.cluster import KMeans
from sklearn.datasets import load_iris
from sklearn.metrics import adjusted_rand_score
from sklearn.mixture import GaussianMixture

from em_viz import data
from em_viz.data import (
    IRIS_FEATURES,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    PRESETS,
    DataError,
    Dataset,
    anisotropic,
    dataset_from_table,
    four_blobs,
    iris,
    numeric_columns,
    old_faithful,
    read_table,
    three_gaussians,
    two_moons,
    two_squares,
    unequal,
)
from em_viz.data.table import MAX_COLUMNS

SEEDED = [name for name, preset in PRESETS.items() if "seed" in preset.knobs]
THREE_CENTRES = np.array([[0.0, 0.0], [5.0, 5.0], [0.0, 5.0]])


def load(text: str, columns: tuple[str, str] = ("x", "y")) -> Dataset:
    """Run an uploaded CSV text through the whole upload path."""
    return dataset_from_table(read_table(text.encode()), columns)


def error_of(call, *args, **kwargs) -> str:
    """The DataError message that `call(*args, **kwargs)` raises."""
    with pytest.raises(DataError) as caught:
        call(*args, **kwargs)
    return str(caught.value)


# ---------------------------------------------------------------------------------------------
# Presets
# ---------------------------------------------------------------------------------------------

EXPECTED = {
    "Three Gaussians": (300, [100, 100, 100]),
    "Four tight blobs": (400, [100, 100, 100, 100]),
    "Two uniform squares": (400, [200, 200]),
    "Anisotropic blobs": (450, [150, 150, 150]),
    "Unequal sizes and overlap": (500, [300, 150, 50]),
    "Old Faithful": (272, None),
    "Iris": (150, [50, 50, 50]),
    "Iris, four measurements": (150, [50, 50, 50]),
    "Wine": (178, [59, 71, 48]),
    "Two moons": (400, [200, 200]),
}
FEATURES = {"Iris, four measurements": 4, "Wine": 13}
"""The presets with more than two features (the others have two)."""


def test_registry_lists_the_ten_presets_in_order():
    assert list(PRESETS) == list(EXPECTED)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_preset_defaults_shape_dtype_and_labels(name):
    n, counts = EXPECTED[name]
    dataset = PRESETS[name].make()
    assert dataset.name == name
    assert dataset.X.shape == (n, FEATURES.get(name, 2))
    assert dataset.X.dtype == np.float64
    assert dataset.X.flags.c_contiguous
    assert np.isfinite(dataset.X).all()
    assert len(dataset.feature_names) == FEATURES.get(name, 2)
    assert dataset.notes == ()
    if counts is None:
        assert dataset.labels is None
    else:
        assert dataset.labels.shape == (n,)
        assert np.issubdtype(dataset.labels.dtype, np.integer)
        assert np.bincount(dataset.labels).tolist() == counts


@pytest.mark.parametrize("name", list(EXPECTED))
def test_preset_knobs_are_exactly_the_make_parameters(name):
    preset = PRESETS[name]
    assert preset.name == name
    assert tuple(inspect.signature(preset.make).parameters) == preset.knobs
    assert set(preset.knobs) <= {"n_samples", "n_per_component", "seed", "spread", "noise"} | {
        "features"
    }
    assert preset.description.endswith(".")
    assert preset.description.count(". ") == 0


@pytest.mark.parametrize("name", SEEDED)
def test_seeded_presets_are_bitwise_deterministic_and_vary_with_the_seed(name):
    make = PRESETS[name].make
    first, again, other = make(seed=7), make(seed=7), make(seed=8)
    assert first.X.tobytes() == again.X.tobytes()
    assert np.array_equal(first.labels, again.labels)
    assert not np.array_equal(first.X, other.X)


def test_dataset_arrays_are_read_only_and_the_dataset_frozen():
    dataset = three_gaussians()
    with pytest.raises(ValueError, match="read-only"):
        dataset.X[0, 0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        dataset.labels[0] = 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        dataset.name = "other"


def test_dataset_rejects_wrong_shapes():
    with pytest.raises(ValueError, match="shape"):
        Dataset(np.zeros((4, 3)), None, "bad", ("a", "b"))
    with pytest.raises(ValueError, match="labels"):
        Dataset(np.zeros((4, 2)), np.zeros(3), "bad", ("a", "b"))


def test_three_gaussians_defaults_sit_on_the_three_centres():
    dataset = three_gaussians()
    assert dataset.X.shape == (300, 2)
    assert dataset.feature_names == ("x1", "x2")
    for k, centre in enumerate(THREE_CENTRES):
        points = dataset.X[dataset.labels == k]
        assert np.allclose(points.mean(axis=0), centre, atol=0.3)
        assert np.allclose(points.std(axis=0), 1.0, atol=0.2)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), spread=st.floats(0.05, 20.0))
def test_three_gaussians_spread_scales_the_offsets_from_the_centres(seed, spread):
    unit = three_gaussians(seed=seed, spread=1.0)
    scaled = three_gaussians(seed=seed, spread=spread)
    assert np.array_equal(unit.labels, scaled.labels)
    offsets = unit.X - THREE_CENTRES[unit.labels]
    assert np.allclose(scaled.X - THREE_CENTRES[scaled.labels], spread * offsets, atol=1e-9)


@pytest.mark.parametrize("spread", [0.2, 1.0, 3.0])
def test_three_gaussians_within_cluster_std_is_roughly_spread(spread):
    dataset = three_gaussians(n_per_component=2000, seed=1, spread=spread)
    for k in range(3):
        std = dataset.X[dataset.labels == k].std(axis=0)
        assert np.allclose(std, spread, rtol=0.1)


def test_three_gaussians_n_per_component():
    dataset = three_gaussians(n_per_component=7)
    assert np.bincount(dataset.labels).tolist() == [7, 7, 7]


@settings(max_examples=50, deadline=None)
@given(n_samples=st.integers(4, 3000))
def test_four_blobs_spreads_the_remainder(n_samples):
    counts = np.bincount(four_blobs(n_samples=n_samples).labels, minlength=4)
    assert counts.sum() == n_samples
    assert counts.max() - counts.min() <= 1


def test_four_blobs_are_tight_and_well_separated():
    dataset = four_blobs(n_samples=2000)
    means = np.array([dataset.X[dataset.labels == k].mean(axis=0) for k in range(4)])
    gaps = np.linalg.norm(means[:, None] - means[None], axis=-1)[np.triu_indices(4, 1)]
    assert gaps.min() > 3.5
    for k in range(4):
        assert np.allclose(dataset.X[dataset.labels == k].std(axis=0), 0.6, rtol=0.1)
    wide = four_blobs(n_samples=2000, spread=1.2)
    assert np.allclose(wide.X[wide.labels == 0].std(axis=0), 1.2, rtol=0.1)


def test_two_squares_fill_two_disjoint_squares():
    dataset = two_squares(n_samples=1001)
    left, right = (dataset.X[dataset.labels == k] for k in range(2))
    assert np.bincount(dataset.labels).tolist() == [501, 500]
    assert left.min() >= 0.0 and left.max() <= 2.0
    assert right[:, 0].min() >= 3.0 and right[:, 0].max() <= 5.0
    assert right[:, 1].min() >= 0.0 and right[:, 1].max() <= 2.0
    assert np.allclose(left.mean(axis=0), [1.0, 1.0], atol=0.1)


def test_anisotropic_fools_kmeans_but_not_a_full_covariance_mixture():
    dataset = anisotropic()
    kmeans = KMeans(3, n_init=10, random_state=0).fit_predict(dataset.X)
    mixture = GaussianMixture(3, covariance_type="full", n_init=5, random_state=0)
    found = mixture.fit(dataset.X).predict(dataset.X)
    assert adjusted_rand_score(dataset.labels, kmeans) < 0.8
    assert adjusted_rand_score(dataset.labels, found) > 0.95


def test_anisotropic_clusters_are_stretched():
    dataset = anisotropic(n_samples=3000)
    for k in range(3):
        eigenvalues = np.linalg.eigvalsh(np.cov(dataset.X[dataset.labels == k].T))
        assert eigenvalues[1] / eigenvalues[0] > 5


def test_unequal_sizes_spreads_and_overlap():
    dataset = unequal(n_samples=1000, seed=3)
    assert np.bincount(dataset.labels).tolist() == [600, 300, 100]
    stds = [dataset.X[dataset.labels == k].std() for k in range(3)]
    assert stds[0] > stds[1] > stds[2]
    big, medium = dataset.X[dataset.labels == 0], dataset.X[dataset.labels == 1]
    low, high = np.maximum(big.min(0), medium.min(0)), np.minimum(big.max(0), medium.max(0))
    assert (low < high).all()
    doubled = unequal(n_samples=1000, seed=3, spread=2.0)
    assert doubled.X[doubled.labels == 0].std() > 1.8 * stds[0]


def test_two_moons_noise_free_points_lie_on_two_half_circles():
    dataset = two_moons(n_samples=100, noise=0.0)
    outer, inner = (dataset.X[dataset.labels == k] for k in range(2))
    assert np.allclose(np.linalg.norm(outer, axis=1), 1.0)
    assert np.allclose(np.linalg.norm(inner - [1.0, 0.5], axis=1), 1.0)
    noisy = two_moons(n_samples=100, noise=0.3)
    assert not np.allclose(np.linalg.norm(noisy.X[noisy.labels == 0], axis=1), 1.0)


def test_old_faithful():
    dataset = old_faithful()
    assert dataset.X.shape == (272, 2)
    assert dataset.labels is None
    assert dataset.name == "Old Faithful"
    assert dataset.feature_names == ("eruptions (min)", "waiting (min)")
    assert dataset.X.mean(axis=0) == pytest.approx([3.4878, 70.897], abs=1e-3)
    assert dataset.X[0].tolist() == [3.6, 79.0]


def test_iris_default_and_chosen_features():
    bunch = load_iris()
    assert tuple(bunch.feature_names) == IRIS_FEATURES
    default = iris()
    assert default.feature_names == ("petal length (cm)", "petal width (cm)")
    assert np.array_equal(default.X, bunch.data[:, [2, 3]])
    assert np.array_equal(default.labels, bunch.target)
    chosen = iris(features=("sepal width (cm)", "sepal length (cm)"))
    assert chosen.feature_names == ("sepal width (cm)", "sepal length (cm)")
    assert np.array_equal(chosen.X, bunch.data[:, [1, 0]])


def test_iris_unknown_feature_names_the_choices():
    message = error_of(iris, features=("petal length", "petal width (cm)"))
    assert "'petal length'" in message
    assert all(name in message for name in IRIS_FEATURES)


@pytest.mark.parametrize(
    ("features", "words"),
    [
        (("petal width (cm)", "petal width (cm)"), "both axes"),
        (("petal width (cm)",), "exactly two"),
    ],
)
def test_iris_needs_two_different_features(features, words):
    assert words in error_of(iris, features=features)


@pytest.mark.parametrize(
    ("make", "kwargs", "words"),
    [
        (three_gaussians, {"n_per_component": 0}, ["n_per_component", "at least 1", "0"]),
        (three_gaussians, {"n_per_component": 2.5}, ["n_per_component", "whole number"]),
        (three_gaussians, {"spread": 0.0}, ["spread", "above 0"]),
        (three_gaussians, {"spread": float("nan")}, ["spread", "above 0"]),
        (four_blobs, {"n_samples": 3}, ["n_samples", "at least 4"]),
        (four_blobs, {"spread": -1.0}, ["spread", "above 0"]),
        (two_squares, {"n_samples": True}, ["n_samples", "whole number"]),
        (two_squares, {"seed": -1}, ["seed", "0 or more"]),
        (anisotropic, {"spread": float("inf")}, ["spread", "above 0"]),
        (anisotropic, {"n_samples": 2}, ["n_samples", "at least 3"]),
        (unequal, {"seed": 1.5}, ["seed", "whole number"]),
        (two_moons, {"n_samples": 1}, ["n_samples", "at least 2"]),
        (two_moons, {"noise": -0.1}, ["noise", "0 or more"]),
    ],
)
def test_bad_knobs_raise_a_data_error_that_names_them(make, kwargs, words):
    message = error_of(make, **kwargs)
    assert all(word in message for word in words)


# ---------------------------------------------------------------------------------------------
# Reading uploads
# ---------------------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    X=arrays(
        np.float64,
        st.tuples(st.integers(2, 40), st.just(2)),
        elements=st.floats(allow_nan=False, allow_infinity=False),
    )
)
def test_a_good_csv_round_trips_exactly(X):
    assume((X[0] != X).any(axis=0).all())
    text = pd.DataFrame(X, columns=["x", "y"]).to_csv(index=False)
    dataset = load(text)
    assert np.array_equal(dataset.X, X)
    assert dataset.feature_names == ("x", "y")
    assert dataset.name == "Uploaded data"
    assert dataset.labels is None


def test_read_table_keeps_text_columns_and_numbers_rows_like_a_spreadsheet():
    table = read_table(b"x,name,y\n1,a,2.5\n3,b,4\n", filename="points.csv")
    assert list(table.columns) == ["x", "name", "y"]
    assert table.index.tolist() == [2, 3]
    assert table["y"].tolist() == [2.5, 4.0]
    assert numeric_columns(table) == ["x", "y"]
    assert dataset_from_table(table, ("y", "x")).X.tolist() == [[2.5, 1.0], [4.0, 3.0]]


def test_numeric_columns_skips_empty_and_true_false_columns():
    table = pd.DataFrame(
        {
            "a": [1.0, 2.0],
            "flag": [True, False],
            "blank": [np.nan, np.nan],
            "b": ["3", "4"],
            "c": ["5", "x"],
        }
    )
    assert numeric_columns(table) == ["a", "b"]


def test_a_trailing_separator_column_is_dropped():
    table = read_table(b"x,y,\n1,2,\n3,4,\n")
    assert list(table.columns) == ["x", "y"]


def test_semicolon_file_with_decimal_commas_parses():
    dataset = load("x;y\n1,5;2,25\n-3;4,0\n")
    assert dataset.X.tolist() == [[1.5, 2.25], [-3.0, 4.0]]


def test_semicolon_file_with_dot_decimals_parses():
    assert load("x;y\n1.5;2\n3;4.25\n").X.tolist() == [[1.5, 2.0], [3.0, 4.25]]


def test_tab_separated_file_parses():
    assert load("x\ty\n1,5\t2\n3\t4\n").X.tolist() == [[1.5, 2.0], [3.0, 4.0]]


def test_spaces_around_numbers_are_ignored():
    assert load("x, y\n 1 , 2 \n3,4\n").X.tolist() == [[1.0, 2.0], [3.0, 4.0]]


def test_a_file_without_header_gets_numbered_columns():
    table = read_table(b"1,2\n3,4\n5,7\n")
    assert list(table.columns) == ["column 1", "column 2"]
    assert table.index.tolist() == [1, 2, 3]
    assert dataset_from_table(table, ("column 1", "column 2")).X.shape == (3, 2)


@pytest.mark.parametrize(
    "encoded",
    [
        "temp,höhe\n1,2\n3,4\n".encode("utf-8-sig"),
        "temp,höhe\n1,2\n3,4\n".encode("cp1252"),
        "temp\thöhe\n1\t2\n3\t4\n".encode("utf-16"),
    ],
    ids=["utf-8 with BOM", "windows-1252", "utf-16"],
)
def test_common_encodings_are_read(encoded):
    table = read_table(encoded)
    assert list(table.columns) == ["temp", "höhe"]
    assert table.to_numpy().tolist() == [[1, 2], [3, 4]]


@pytest.mark.parametrize("content", [b"", b"  \n\n \r\n"], ids=["no bytes", "blank lines"])
def test_empty_file(content):
    assert "The file is empty" in error_of(read_table, content)


def test_header_only():
    message = error_of(read_table, b"height,weight\n")
    assert "header row" in message
    assert "no data rows" in message
    assert "'height', 'weight'" in message


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00\x01",
        np.random.default_rng(0).bytes(4096),
    ],
    ids=["png", "pdf", "random bytes"],
)
def test_binary_files_are_not_csv(content):
    message = error_of(read_table, content, filename="picture.png")
    assert "'picture.png' does not look like a CSV file" in message
    assert "Save the data as CSV" in message


def test_spreadsheet_files_get_a_save_as_hint():
    message = error_of(read_table, b"PK\x03\x04\x14\x00", filename="Results.XLSX")
    assert "spreadsheet file" in message
    assert "Save As" in message


def test_a_row_with_an_extra_cell_is_named_by_its_line():
    message = error_of(read_table, b"x,y\n1,2\n3,4,5\n6,7\n")
    assert "Line 3" in message
    assert "3 cells" in message
    assert "have 2" in message


def test_rows_wider_than_the_header():
    message = error_of(read_table, b"x,y\n1,2,3\n4,5,6\n")
    assert "more cells than the header" in message


def test_unparseable_text_is_a_data_error():
    message = error_of(read_table, b'x,y\n"1,2\n3,4\n')
    assert "could not be read as a table" in message


def test_a_file_above_the_size_limit():
    content = b"1,2\n" * (15 * 2**20)
    assert len(content) > MAX_UPLOAD_BYTES
    message = error_of(read_table, content)
    assert "60.0 MB" in message
    assert "limit of 50 MB" in message
    assert "random sample" in message


def test_a_file_above_the_row_limit():
    message = error_of(read_table, b"x,y\n" + b"1,2\n" * (MAX_ROWS + 1))
    assert "200,001 rows" in message
    assert "limit of 200,000" in message
    assert "random sample" in message


def test_a_file_at_the_row_limit_is_fine():
    assert len(read_table(b"x,y\n" + b"1,2\n" * MAX_ROWS)) == MAX_ROWS


@pytest.fixture
def no_parsing(monkeypatch):
    """Make any call of pandas' CSV parser fail the test: the file must be refused before."""

    def parse(*args, **kwargs):
        raise AssertionError("the file was parsed")

    monkeypatch.setattr(pd, "read_csv", parse)


def test_a_file_above_the_row_limit_is_refused_before_parsing(no_parsing):
    message = error_of(read_table, b"x,y\r" + b"1,2\r" * (MAX_ROWS + 1))
    assert f"{MAX_ROWS + 1:,} rows" in message
    assert "blank lines" not in message


def test_blank_lines_count_as_rows_and_are_refused_before_parsing(no_parsing):
    blank = 48 * 2**20
    message = error_of(read_table, b"x,y\n" + b"\n" * blank + b"1,2\n3,4\n")
    assert f"has {blank + 2:,} rows, more than the limit of {MAX_ROWS:,}" in message
    assert "blank lines count as rows: delete them" in message


def test_blank_lines_within_the_row_limit_are_left_out():
    table = read_table(b"x,y\r\n" + b"1,2\r\n \r\n" * (MAX_ROWS // 2))
    assert len(table) == MAX_ROWS // 2
    assert table.index[:2].tolist() == [2, 4]


def test_a_file_without_header_above_the_row_limit():
    message = error_of(read_table, b"1,2\n" * (MAX_ROWS + 1))
    assert f"{MAX_ROWS + 1:,} rows" in message


def test_a_file_wider_than_the_column_limit_is_refused_before_parsing(no_parsing):
    columns = 100 * MAX_COLUMNS
    header = ",".join(f"c{i}" for i in range(columns))
    row = ",".join("1" for _ in range(columns))
    message = error_of(read_table, f"{header}\n{row}\n{row}\n{row}\n".encode())
    assert f"This file has {columns:,} columns; em-viz reads at most {MAX_COLUMNS:,}" in message
    assert "Keep the columns you need" in message


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_a_file_at_the_column_limit_is_fine(sep):
    header = sep.join(f"c{i}" for i in range(MAX_COLUMNS))
    rows = "".join(sep.join(str(i + j) for i in range(MAX_COLUMNS)) + "\n" for j in range(2))
    table = read_table(f"{header}\n{rows}".encode())
    assert numeric_columns(table) == [f"c{i}" for i in range(MAX_COLUMNS)]
    message = error_of(read_table, f"{header}{sep}one more\n{rows}".encode())
    assert f"has {MAX_COLUMNS + 1:,} columns" in message


@pytest.mark.parametrize(
    ("header", "named"),
    [
        ("x ,x,y", "Columns 1 and 2 are both named 'x'"),
        ("x,y,z, y ", "Columns 2 and 4 are both named 'y'"),
    ],
)
def test_names_the_same_once_trimmed_are_named(header, named):
    cells = ",".join(str(i) for i in range(header.count(",") + 1))
    message = error_of(read_table, f"{header}\n{cells}\n{cells}\n".encode())
    assert named in message
    assert "Give every column its own name" in message


def test_fewer_than_two_numeric_columns_names_the_text_columns():
    message = error_of(read_table, b"length,species\n1.4,setosa\n4.7,versicolor\n")
    assert "at least two columns of numbers" in message
    assert "only 'length' of its 2 columns" in message
    assert "Column 'species' holds text ('setosa' in row 2)" in message


def test_no_numeric_columns():
    message = error_of(read_table, b"name,species\nann,setosa\nbob,virginica\n")
    assert "none of its 2 columns" in message
    assert "Column 'name' holds text ('ann' in row 2)" in message


def test_a_single_column_file():
    message = error_of(read_table, b"x\n1\n2\n")
    assert "only one column ('x')" in message


def test_a_chosen_text_column_names_the_value_and_the_row():
    table = read_table(b"x,y,z\n1,2,3\n4,5,6\n\n7,8,oops\n")
    message = error_of(dataset_from_table, table, ("x", "z"))
    assert "Column 'z' holds text ('oops' in row 5)" in message
    assert "cannot be used as an axis" in message


def test_a_decimal_comma_in_a_comma_file_gets_a_hint():
    table = read_table(b'x,y,z\n1,2,"1,5"\n3,4,"2,5"\n')
    message = error_of(dataset_from_table, table, ("x", "z"))
    assert "'1,5' in row 2" in message
    assert "decimal comma" in message


def test_empty_cells_drop_their_rows_with_a_note():
    dataset = load("x,y,z\n1,2,a\n,3,b\n4,,c\n5,6,\n7,NA,d\n")
    assert dataset.X.tolist() == [[1.0, 2.0], [5.0, 6.0]]
    assert dataset.notes == ("3 rows with empty cells in 'x' or 'y' were left out.",)


def test_one_empty_cell_note_is_singular():
    assert load("x,y\n1,2\n3,\n5,6\n").notes == (
        "1 row with empty cells in 'x' or 'y' was left out.",
    )


def test_too_few_complete_rows_after_dropping_empty_cells():
    message = error_of(load, "x,y\n1,2\n3,\n,6\n")
    assert "Only 1 row has numbers in both 'x' and 'y'" in message
    assert "at least two points" in message


@pytest.mark.parametrize(
    ("cell", "shown"), [("inf", "inf"), ("-Infinity", "-inf"), ("1e400", "inf")]
)
def test_infinite_values_name_the_column_and_row(cell, shown):
    message = error_of(load, f"x,y\n1,2\n3,{cell}\n5,6\n")
    assert f"Column 'y' holds an infinite value ('{shown}' in row 3)" in message


def test_a_single_row():
    message = error_of(load, "x,y\n1,2\n")
    assert "needs at least two points" in message


def test_the_same_column_twice():
    table = read_table(b"x,y\n1,2\n3,4\n")
    assert "chosen for both axes" in error_of(dataset_from_table, table, ("x", "x"))


def test_an_unknown_column():
    table = read_table(b"x,y\n1,2\n3,4\n")
    message = error_of(dataset_from_table, table, ("x", "w"))
    assert "There is no column 'w'" in message
    assert "'x', 'y'" in message


def test_a_constant_column():
    message = error_of(load, "x,y\n1,7\n2,7\n3,7\n")
    assert "Every value in column 'y' is 7" in message
    assert "nothing to model along it" in message


def test_all_rows_the_same_point():
    message = error_of(load, "x,y\n1.5,2\n1.5,2\n1.5,2\n")
    assert "All 3 points are the same point (1.5, 2)" in message


def test_duplicate_points_are_fine_with_a_note():
    dataset = load("x,y\n1,2\n1,2\n3,4\n3,4\n3,4\n5,6\n")
    assert dataset.X.shape == (6, 2)
    assert dataset.notes == (
        "2 points appear more than once (5 rows in all); that is fine for EM.",
    )


def test_uploaded_name_is_used():
    table = read_table(b"x,y\n1,2\n3,4\n")
    assert dataset_from_table(table, ("x", "y"), name="mine.csv").name == "mine.csv"


def test_old_faithful_asset_reads_the_same_through_the_upload_path():
    content = data.OLD_FAITHFUL_CSV.read_bytes()
    dataset = dataset_from_table(read_table(content), ("eruptions", "waiting"))
    assert np.array_equal(dataset.X, old_faithful().X)
    assert any("appear more than once" in note for note in dataset.notes)


def test_read_table_returns_what_pandas_reads_for_a_plain_csv():
    content = b"a,b,c\n1.5,2,x\n3.25,4,y\n"
    expected = pd.read_csv(io.BytesIO(content))
    table = read_table(content)
    assert table["a"].tolist() == expected["a"].tolist()
    assert table["b"].tolist() == expected["b"].tolist()
    assert table["c"].tolist() == expected["c"].tolist()


def test_semicolon_file_reports_the_real_text_not_a_decimal_comma():
    table = read_table(b"x;y;z\n1,5;2;3\nabc;3;4\n")
    message = error_of(dataset_from_table, table, ("x", "y"))
    assert "Column 'x' holds text ('abc' in row 3)" in message
    assert "decimal comma" not in message


def test_a_table_gives_as_many_features_as_columns_chosen():
    table = read_table(b"a,b,c\n1,2,3\n4,,6\n7,8,\n2,5,1\n")
    dataset = dataset_from_table(table, ("a", "b", "c"))
    assert dataset.X.shape == (2, 3) and dataset.feature_names == ("a", "b", "c")
    assert "2 rows with empty cells in any of 'a', 'b' or 'c' were left out." in dataset.notes
    kept = dataset_from_table(table, ("a", "b", "c"), empty_as_missing=True)
    assert np.isnan(kept.X).sum() == 2
    assert "2 rows have empty cells, taken as missing values: EM fills them in." in kept.notes
    with pytest.raises(DataError, match=r"chosen twice\. Choose 3 different columns"):
        dataset_from_table(table, ("a", "b", "a"))
    with pytest.raises(DataError, match="at least two columns"):
        dataset_from_table(table, ("a",))
