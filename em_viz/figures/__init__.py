"""Figures: pure functions from a run's state to ``go.Figure``; no streamlit."""
