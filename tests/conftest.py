"""Hypothesis explores new examples on every run here, and runs the same ones in CI (the
environment variable CI set), so that a red CI can be replayed. No example has a
deadline: speed is the benchmarks' business, never a test's (a loaded machine would
fail it)."""

import os

from hypothesis import settings

settings.register_profile("local", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "local")
