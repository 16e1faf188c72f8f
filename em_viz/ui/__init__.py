"""The Streamlit front end: the only code that imports streamlit (with app.py)."""
