"""Values of the page's URL read and written one name at a time.

The half-step shown (``step``, ``compare_step``, ...), a page's text or flag, and the
widgets Streamlit binds to the URL under their keys (:data:`LINKED`; :func:`check_bound`
names what the binding dropped). Each name is written alone and every other one left as
it is, so these and the settings of :mod:`em_viz.ui.link` share the URL; a value a page
cannot use gets one toast (:func:`say_ignored`).
"""

from collections.abc import Callable, Iterable

import streamlit as st

LINKED = {"bind": "query-params", "persist_state": "session"}
"""A widget whose value is in the page's URL (under its key) and kept for the session."""

MAX_STEP = 10_000
"""The largest half-step index a link may ask for."""


def say_ignored(names: list[str]) -> None:
    """One toast naming the values of the link that the page could not use."""
    if names:
        st.toast(f"The link's value for {', '.join(names)} was not understood and is left out.")


def write_names(params: dict[str, str], names: Iterable[str]) -> None:
    """Set the URL's ``names`` to ``params`` (a name not in it is left out), and no
    other: what the rest of the page writes (the step, presenter mode, widgets bound to
    the URL) stays."""
    for name in names:
        if name not in params:
            if name in st.query_params:
                del st.query_params[name]
        elif st.query_params.get(name) != params[name]:
            st.query_params[name] = params[name]


def bound_values() -> dict[str, list[str]]:
    """The URL's values, read before the widgets bound to it are drawn (for
    :func:`check_bound`)."""
    return {name: st.query_params.get_all(name) for name in st.query_params}


def _stands_for(raw: list[str], value: object) -> bool:
    """Whether a URL's ``raw`` values give a widget's ``value`` (Streamlit leaves a value
    equal to the widget's default out of the URL)."""
    values = list(value) if isinstance(value, list | tuple) else [value]
    if len(raw) != len(values):
        return False
    for text, item in zip(raw, values, strict=True):
        if isinstance(item, bool):
            same = text.lower() == str(item).lower()
        elif isinstance(item, int | float):
            try:
                same = float(text) == item
            except ValueError:
                same = False
        else:
            same = text == str(item)
        if not same:
            return False
    return True


def check_bound(before: dict[str, list[str]], keys: Callable[[str], bool]) -> None:
    """After the page's widgets bound to the URL (``bind="query-params"``) are drawn,
    name in a toast each value of the link that they dropped or changed.

    Streamlit's binding leaves out, without a word, a value outside a widget's range or
    not among its options (``digits_k=1000``, ``demo=Nonsense``). ``keys`` picks the
    page's widgets among the URL's names.
    """
    state = st.session_state
    dropped = [
        name
        for name, raw in before.items()
        if keys(name)
        and name in state
        and st.query_params.get_all(name) != raw
        and not _stands_for(raw, state[name])
    ]
    say_ignored(dropped)


def linked_step(name: str) -> int | None:
    """The half-step index in the URL's ``name`` (None if absent); a value that is not
    a whole number from 0 to :data:`MAX_STEP` is named in a toast and read as 0."""
    text = st.query_params.get(name)
    if text is None:
        return None
    try:
        step = int(text)
    except ValueError:
        step = -1
    if not 0 <= step <= MAX_STEP:
        say_ignored([name])
        return 0
    return step


def say_step_not_reached(name: str, last: int) -> None:
    """The toast for a link's step past the end of its run."""
    st.toast(f"The link's {name} is past the end of this run (half-step {last}): it starts over.")


def publish_step(name: str, index: int) -> None:
    """Write the half-step shown into the URL's ``name`` (left out at the start)."""
    if index == 0:
        if name in st.query_params:
            del st.query_params[name]
    elif st.query_params.get(name) != str(index):
        st.query_params[name] = str(index)


def publish_text(name: str, text: str) -> None:
    """Write ``text`` into the URL's ``name``, or leave the name out while it is empty."""
    write_names({name: text} if text else {}, (name,))


def publish_flag(name: str, on: bool) -> None:
    """Write ``name=1`` into the URL while ``on``, else leave it out."""
    write_names({name: "1"} if on else {}, (name,))
