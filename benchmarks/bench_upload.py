"""Time and peak memory of reading uploaded CSV files, the hostile ones and a normal one.

Each file is written to a temporary folder, then read in a fresh Python process: the
file's bytes are loaded, and ``read_table`` (followed by ``numeric_columns``, as the data
panel asks for its column pickers) is timed; the memory it took is the rise of that
process's peak resident set size above the size it had before (Linux's ``VmHWM``, reset
through ``/proc/self/clear_refs``; ``tracemalloc`` would miss pandas' C parser). A refused
file counts as read: the time and memory are what refusing it cost. Prints one line per file.

Run with ``make bench``.
"""

import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from em_viz.data.table import MAX_COLUMNS, MAX_ROWS, MAX_UPLOAD_BYTES


def wide() -> bytes:
    """A header of 100,000 column names and three rows of numbers (about 1.5 MB)."""
    columns = 100_000
    header = ",".join(f"c{i}" for i in range(columns))
    row = ",".join(str(i % 10) for i in range(columns))
    return f"{header}\n{row}\n{row}\n{row}\n".encode()


def widest_allowed() -> bytes:
    """As many columns as the reader takes, and as many rows of them as fit the byte limit."""
    header = ",".join(f"c{i}" for i in range(MAX_COLUMNS))
    row = ",".join(str(i % 10) for i in range(MAX_COLUMNS))
    rows = min(MAX_ROWS, (MAX_UPLOAD_BYTES - len(header) - 1) // (len(row) + 1))
    return (header + "\n" + (row + "\n") * rows).encode()


def blank_lines() -> bytes:
    """A header, 48 MiB of blank lines, then two rows."""
    return b"x,y\n" + b"\n" * (48 * 2**20) + b"1,2\n3,4\n"


def normal() -> bytes:
    """The most rows the reader takes: two columns of random numbers."""
    X = np.random.default_rng(0).normal(size=(MAX_ROWS, 2))
    return ("x,y\n" + "\n".join(f"{x!r},{y!r}" for x, y in X.tolist()) + "\n").encode()


FILES = {
    "100,000 columns": wide,
    f"{MAX_COLUMNS:,} columns, 50 MB": widest_allowed,
    "48 MiB of blank lines": blank_lines,
    f"{MAX_ROWS:,} rows": normal,
}


def _status_megabytes(field: str) -> float:
    """One memory figure of this process from /proc/self/status, in MB."""
    status = Path("/proc/self/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.MULTILINE)[1]) / 1024


def measure(path: Path) -> dict:
    """Read one file in this process: seconds, peak memory rise (MB) and the outcome."""
    from em_viz.data import DataError, numeric_columns, read_table

    content = path.read_bytes()
    Path("/proc/self/clear_refs").write_text("5")
    before = _status_megabytes("VmRSS")
    start = time.perf_counter()
    try:
        columns = numeric_columns(read_table(content, path.name))
        outcome = f"read, {len(columns):,} numeric columns"
    except DataError as error:
        outcome = f"refused: {str(error)[:70]}..."
    seconds = time.perf_counter() - start
    rise = _status_megabytes("VmHWM") - before
    return {"seconds": seconds, "megabytes": rise, "outcome": outcome}


def main() -> None:
    print(f"read_table + numeric_columns, each file in a fresh process ({sys.version.split()[0]})")
    print(f"{'file':>24} {'size MB':>8} {'seconds':>8} {'peak MB':>8}  outcome")
    with tempfile.TemporaryDirectory() as folder:
        for name, make in FILES.items():
            path = Path(folder) / "upload.csv"
            path.write_bytes(make())
            size = path.stat().st_size / 2**20
            child = subprocess.run(
                [sys.executable, __file__, str(path)], capture_output=True, text=True, check=True
            )
            result = json.loads(child.stdout)
            print(
                f"{name:>24} {size:8.1f} {result['seconds']:8.2f} {result['megabytes']:8.0f}"
                f"  {result['outcome']}"
            )


if __name__ == "__main__":
    if len(sys.argv) == 2:
        print(json.dumps(measure(Path(sys.argv[1]))))
    else:
        main()
