"""Hypothesis explores new examples on every run here, and runs the same ones in CI (the
environment variable CI set), so that a red CI can be replayed."""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
