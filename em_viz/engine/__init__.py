"""The engine: the one EM stepper, the families as pure functions, the models bound to
it, and the checks of their settings. NumPy and SciPy only: no plotly, no streamlit."""
