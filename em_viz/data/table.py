"""The reader of uploaded CSV files: forgiving of separators, decimal commas and stray
spaces, and plain-spoken about what it cannot use.

Pure and free of Streamlit. Problems with a user's file are raised as `DataError`, whose
message is written for the user and shown in the page as it is.
"""

import io
import re
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from em_viz.data.presets import Dataset
from em_viz.engine.validation import DataError

__all__ = [
    "MAX_COLUMNS",
    "MAX_ROWS",
    "MAX_UPLOAD_BYTES",
    "dataset_from_table",
    "numeric_columns",
    "read_table",
]

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
MAX_COLUMNS = 1_000
"""Two columns are plotted; a thousand is more than a table meant for a scatter plot has,
and few enough that every column can be checked and offered without stalling the server."""

_EXCEL_SUFFIXES = (".xlsx", ".xls", ".xlsm", ".ods", ".numbers")
_PANDAS_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
_SNIFF_CHARS = 64 * 1024
_NON_SPACE = re.compile(r"\S")
_LINE_BREAK = re.compile(r"[\r\n]")
_BLANK_LINE = re.compile(r"(?:\r\n|\n|\r)[ \t]*(?:\r\n|\n|\r)")


def _plural(count: int, singular: str, plural: str) -> str:
    """`count` followed by the right form of the noun, with thousands separators."""
    return f"{count:,} {singular if count == 1 else plural}"


def _decode(data: bytes, filename: str) -> str:
    """Decode uploaded bytes as text, or raise DataError when they are not a text file.

    UTF-8 (with or without Excel's byte-order mark), UTF-16 with a byte-order mark and
    Windows-1252 are accepted; NUL bytes or other control characters near the start
    mean binary data.
    """
    not_text = DataError(
        f"'{filename}' does not look like a CSV file: it holds binary data (as an image or a"
        " spreadsheet would), not lines of text. Save the data as CSV (comma-separated values)"
        " and upload that file."
    )
    if filename.lower().endswith(_EXCEL_SUFFIXES):
        raise DataError(
            f"'{filename}' is a spreadsheet file, not a CSV file. In your spreadsheet program use"
            " 'Save As' (or 'Download') and pick the CSV format, then upload that file."
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    else:
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise not_text
    if re.search(r"[\x00-\x08\x0b-\x0c\x0e-\x1f\ufffd]", text[:_SNIFF_CHARS]):
        raise not_text
    return text


def _first_line(text: str) -> str:
    """The first line holding more than white space (the header row, or the first data row),
    or "" when there is none; found without splitting the whole text into lines."""
    first = _NON_SPACE.search(text)
    if first is None:
        return ""
    start = max(text.rfind("\n", 0, first.start()), text.rfind("\r", 0, first.start())) + 1
    end = _LINE_BREAK.search(text, first.start())
    return text[start : end.start() if end else len(text)]


def _line_count(text: str) -> int:
    """The number of lines, blank ones included (a line break at the very end ends a line)."""
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
    return breaks + (not text.endswith(("\n", "\r")))


def _separator(first: str) -> str:
    """Guess the column separator from the first non-blank line: ';' or tab if present, else ','.

    Looking at the first line only keeps decimal commas in the data rows of a
    semicolon-separated file from being mistaken for separators.
    """
    semicolons, tabs = first.count(";"), first.count("\t")
    if semicolons == tabs == 0:
        return ","
    return ";" if semicolons >= tabs else "\t"


def _parse(text: str, sep: str, header: int | None) -> pd.DataFrame:
    """Run pandas' fast CSV parser, turning its errors and warnings into DataError.

    With semicolons or tabs between the columns, a comma is taken as the decimal mark.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)
        try:
            return pd.read_csv(
                io.StringIO(text),
                sep=sep,
                header=header,
                decimal="." if sep == "," else ",",
                index_col=False,
                skipinitialspace=True,
                skip_blank_lines=False,
            )
        except pd.errors.EmptyDataError:
            raise DataError(
                "The file is empty. Upload a CSV file with a header row and at least two"
                " columns of numbers."
            ) from None
        except pd.errors.ParserWarning:
            raise DataError(
                "The rows have more cells than the header row has column names. Give every"
                " column a name in the first row, or remove the extra separators at the ends of"
                " the rows."
            ) from None
        except (pd.errors.ParserError, ValueError) as error:
            raise DataError(_parser_message(str(error), sep)) from None


def _parser_message(detail: str, sep: str) -> str:
    """A plain explanation of a pandas parser error, naming the line when pandas does."""
    separator = {",": "commas", ";": "semicolons", "\t": "tabs"}[sep]
    match = _PANDAS_FIELDS.search(detail)
    if match:
        expected, line, saw = match.groups()
        return (
            f"Line {line} of the file has {saw} cells, but the lines before it have {expected}."
            f" Every line must have the same number of cells, separated by {separator}; check"
            " that line for an extra separator or a missing quote."
        )
    return (
        "The file could not be read as a table of columns separated by"
        f" {separator}. Check that it is a CSV file; the reader said: {detail}"
    )


def _is_number(cell: str, decimal_comma: bool) -> bool:
    """Whether a header cell holds a number, which means the file has no header row."""
    text = cell.strip().replace(",", ".") if decimal_comma else cell.strip()
    try:
        float(text)
    except ValueError:
        return False
    return True


def _to_numbers(column: pd.Series, decimal_comma: bool) -> pd.Series:
    """The column as numbers when every non-empty cell is one, else its cells tidied as text.

    Catches what pandas' parser leaves as text: trailing spaces, and dot decimals in a file
    that uses commas for decimals elsewhere. Text columns get the same tidying (spaces
    trimmed, decimal commas as dots), so the first real text cell is what gets reported.
    """
    if not pd.api.types.is_string_dtype(column):
        return column
    text = column.str.strip()
    if decimal_comma:
        text = text.str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(text, errors="coerce")
    return text if (numbers.isna() & column.notna()).any() else numbers


def read_table(data: bytes, filename: str = "upload.csv") -> pd.DataFrame:
    """Parse an uploaded CSV into a table; raise DataError with a plain message if unreadable.

    The separator (comma, semicolon or tab) is guessed from the first line; with semicolons or
    tabs, decimal commas are accepted. Columns whose every non-empty cell is a number become
    numeric, the rest stay text; blank lines and columns with no value at all are dropped.
    The index holds each row's line number in the file, as a spreadsheet shows it (the header
    is row 1), so messages about a cell can point at the row the user sees.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise DataError(
            f"The file is {len(data) / 2**20:,.1f} MB, more than the limit of"
            f" {MAX_UPLOAD_BYTES / 2**20:,.0f} MB. Upload a random sample of the rows instead;"
            " a few thousand points show the same picture."
        )
    text = _decode(data, filename).lstrip("\r\n")
    first = _first_line(text)
    if not first:
        raise DataError(
            "The file is empty. Upload a CSV file with a header row and at least two columns of"
            " numbers."
        )
    sep = _separator(first)
    _check_size(text, first, sep)
    table = _rows(text, sep)
    if len(table) == 0:
        names = ", ".join(f"'{name}'" for name in table.columns)
        raise DataError(
            f"The file has a header row ({names}) but no data rows below it. Add the data, one"
            " point per row."
        )
    if len(table) > MAX_ROWS:
        raise _too_many_rows(len(table), blank_lines=False)
    table = table.dropna(axis="columns", how="all")
    table = table.apply(_to_numbers, decimal_comma=sep != ",")
    _require_two_numeric(table)
    return table


def _too_many_rows(count: int, blank_lines: bool) -> DataError:
    """The refusal of a file with `count` rows, more than MAX_ROWS."""
    blank = " (blank lines count as rows: delete them)" if blank_lines else ""
    return DataError(
        f"The file has {count:,} rows, more than the limit of {MAX_ROWS:,}{blank}. Upload a"
        " random sample of the rows instead; a few thousand points show the same picture."
    )


def _check_size(text: str, first: str, sep: str) -> None:
    """Refuse, before any parsing, a file with more columns or lines than the limits.

    The columns are counted in the first line (a separator inside quotes counts too) and
    the rows are the lines below it, blank ones included: both are what the parser would
    otherwise build a table of, whatever the file's few real numbers.
    """
    columns = first.count(sep) + 1
    if columns > MAX_COLUMNS:
        raise DataError(
            f"This file has {columns:,} columns; em-viz reads at most {MAX_COLUMNS:,}. Keep the"
            " columns you need (two are plotted) and upload that file."
        )
    rows = _line_count(text) - 1
    if rows > MAX_ROWS:
        raise _too_many_rows(rows, blank_lines=_BLANK_LINE.search(text) is not None)


def _rows(text: str, sep: str) -> pd.DataFrame:
    """The parsed rows, indexed by their line number in the file, blank lines left out.

    A first line made only of numbers is data, not a header: the columns are then named
    "column 1", "column 2", .... Names that are the same once the spaces around them are
    trimmed are refused, naming the columns.
    """
    table = _parse(text, sep, header=0)
    first_row = 2
    if all(_is_number(str(name), sep != ",") for name in table.columns):
        table = _parse(text, sep, header=None)
        table.columns = [f"column {i}" for i in range(1, table.shape[1] + 1)]
        first_row = 1
    table.columns = [str(name).strip() for name in table.columns]
    _require_distinct_names(table.columns)
    table.index = pd.RangeIndex(first_row, first_row + len(table))
    return table.dropna(axis="index", how="all")


def _require_distinct_names(names: pd.Index) -> None:
    """Raise DataError naming the first name that two columns share."""
    shared = names[names.duplicated()]
    if len(shared) == 0:
        return
    first, second = (i + 1 for i in np.flatnonzero(names == shared[0])[:2])
    raise DataError(
        f"Columns {first} and {second} are both named '{shared[0]}' (spaces around a name are"
        " ignored), so a column cannot be chosen by its name. Give every column its own name in"
        " the header row."
    )


def _first_text_cell(column: pd.Series) -> tuple[object, object] | None:
    """(row label, value) of the first non-empty cell that is not a number, or None.

    True/False cells count as text, although pandas reads them as booleans.
    """
    text = column.notna()
    if not pd.api.types.is_bool_dtype(column):
        text &= pd.to_numeric(column, errors="coerce").isna()
    if not text.any():
        return None
    row = text.idxmax()
    return row, column[row]


def _text_cell_phrase(name: str, row: object, value: object) -> str:
    """Say which text a column holds and where, with a hint when the text is a decimal comma."""
    phrase = f"Column '{name}' holds text ('{value}' in row {row})"
    if _DECIMAL_COMMA.fullmatch(str(value).strip()):
        phrase += (
            " - it looks like a decimal comma; write decimals with a dot, or separate the"
            " columns with semicolons"
        )
    return phrase


def numeric_columns(table: pd.DataFrame) -> list[str]:
    """Columns in which every non-empty cell is a number (these are offered to the user).

    Columns without any value are left out: there is nothing in them to plot.
    """
    return [
        name
        for name in table.columns
        if table[name].notna().any() and _first_text_cell(table[name]) is None
    ]


def _require_two_numeric(table: pd.DataFrame) -> None:
    """Raise DataError, naming the text columns, unless at least two columns hold numbers."""
    numeric = numeric_columns(table)
    if len(numeric) >= 2:
        return
    names = ", ".join(f"'{name}'" for name in table.columns)
    if table.shape[1] == 1:
        found = f"it has only one column ({names})"
    elif numeric:
        found = f"only '{numeric[0]}' of its {table.shape[1]} columns ({names}) holds numbers"
    else:
        found = f"none of its {table.shape[1]} columns ({names}) holds only numbers"
    reasons = [
        _text_cell_phrase(str(name), *cell) + "."
        for name in table.columns
        if (cell := _first_text_cell(table[name])) is not None
    ]
    raise DataError(
        " ".join(
            [f"The data needs at least two columns of numbers to plot, but {found}.", *reasons]
        )
        + " Check that the columns are separated by commas or semicolons and that the cells"
        " hold plain numbers."
    )


def _chosen_column(table: pd.DataFrame, name: str) -> pd.Series:
    """The column `name` as float64, or DataError if it is missing, holds text or infinity."""
    if name not in table.columns:
        names = ", ".join(f"'{column}'" for column in table.columns)
        raise DataError(f"There is no column '{name}'. The columns are: {names}.")
    column = table[name]
    cell = _first_text_cell(column)
    if cell is not None:
        raise DataError(
            _text_cell_phrase(name, *cell) + ", so it cannot be used as an axis. Choose a column"
            " of numbers, or correct that cell."
        )
    numbers = pd.to_numeric(column, errors="coerce").astype(np.float64)
    infinite = np.isinf(numbers.to_numpy())
    if infinite.any():
        row = numbers.index[np.argmax(infinite)]
        raise DataError(
            f"Column '{name}' holds an infinite value ('{numbers[row]}' in row {row}). Replace it"
            " with an ordinary number, or delete that row."
        )
    return numbers


def _listed(columns: Sequence[str], every: bool) -> str:
    """ "both 'a' and 'b'" / "'a' or 'b'" for two columns; "all of 'a', 'b' and 'c'" /
    "any of 'a', 'b' or 'c'" for more."""
    names = [f"'{column}'" for column in columns]
    joined = f"{', '.join(names[:-1])} {'and' if every else 'or'} {names[-1]}"
    if len(names) == 2:
        return f"both {joined}" if every else joined
    return f"{'all' if every else 'any'} of {joined}"


def dataset_from_table(
    table: pd.DataFrame,
    columns: Sequence[str],
    name: str = "Uploaded data",
    *,
    empty_as_missing: bool = False,
) -> Dataset:
    """The (N, D) float array from the chosen columns (two or more), with friendly errors.

    Rows with an empty cell in a chosen column are left out (and a note says how many),
    or with ``empty_as_missing`` kept with NaN in that cell (for EM on incomplete data; a
    row empty in every chosen column is still left out); an error explains why the data
    cannot be modelled when fewer than two complete points remain, when a column does
    not vary, or when every point is the same. Row numbers in messages are the table's
    index labels, which `read_table` sets to the rows a spreadsheet shows.
    """
    columns = [str(column) for column in columns]
    if len(columns) < 2:
        raise DataError(f"Choose at least two columns, one per axis (got {len(columns)}).")
    twice = next((column for column in columns if columns.count(column) > 1), None)
    if twice is not None:
        where = "for both axes" if len(columns) == 2 else "twice"
        raise DataError(
            f"Column '{twice}' was chosen {where}. Choose {len(columns)} different columns."
        )
    points = pd.concat([_chosen_column(table, column) for column in columns], axis="columns")
    complete = points.dropna()
    kept = points.dropna(how="all") if empty_as_missing else complete
    notes = []
    dropped = len(points) - len(kept)
    if dropped:
        where = _listed(columns, every=empty_as_missing)
        notes.append(
            f"{_plural(dropped, 'row', 'rows')} with empty cells in {where}"
            f" {'was' if dropped == 1 else 'were'} left out."
        )
    if len(kept) > len(complete):
        partial = len(kept) - len(complete)
        what = (
            "one empty cell, taken as a missing value: EM fills it in."
            if len(columns) == 2
            else "empty cells, taken as missing values: EM fills them in."
        )
        notes.append(f"{_plural(partial, 'row has', 'rows have')} {what}")
    if len(complete) < 2:
        raise DataError(
            f"Only {_plural(len(complete), 'row has', 'rows have')} numbers in"
            f" {_listed(columns, every=True)}, but EM needs at least two points. Add more rows"
            " or choose other columns."
        )
    X = complete.to_numpy(dtype=np.float64)
    varies = (X[0] != X).any(axis=0)
    if not varies.any():
        point = ", ".join(f"{value:g}" for value in X[0])
        raise DataError(
            f"All {len(X):,} points are the same point ({point}), so there is"
            " no shape for a mixture to find. Choose columns whose values vary."
        )
    for axis, column in enumerate(columns):
        if not varies[axis]:
            raise DataError(
                f"Every value in column '{column}' is {X[0, axis]:g}, so there is nothing to"
                " model along it. Choose a column whose values vary."
            )
    repeated = complete.duplicated(keep=False)
    if repeated.any():
        distinct = int(complete[repeated].drop_duplicates().shape[0])
        notes.append(
            f"{_plural(distinct, 'point appears', 'points appear')} more than once"
            f" ({int(repeated.sum()):,} rows in all); that is fine for EM."
        )
    X = kept.to_numpy(dtype=np.float64)
    return Dataset(X, None, name, tuple(columns), tuple(notes))
