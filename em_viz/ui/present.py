"""For a lecture hall: presenter mode (``present=1`` in the URL) and the keys (or a
presentation clicker's PageDown and PageUp) that step a run.

Presenter mode hides the sidebar, gives the main picture most of the width and the
height of the window, and sets every font of the figures and captions to at least
:data:`~em_viz.figures.style.PRESENTER_FONT_SIZE`. The keys are one small Streamlit
component, mounted in a run's fragment, listening on the app's page.
"""

from collections.abc import Callable

import streamlit as st

from em_viz.ui.url_values import say_ignored

PRESENT = "present"
"""The presenter toggle's key, and its name in the URL (``present=1``)."""

_SWITCH = "presenter_switch"

SWITCH_CSS = f"""<style>
[data-testid="stLayoutWrapper"]:has(> .st-key-{_SWITCH}) {{ position: fixed; z-index: 999991; }}
.st-key-{_SWITCH} {{ position: fixed; top: 0.7rem; right: 4.5rem; z-index: 999991;
  width: auto; }}
</style>"""
"""The toggle sits in the app's header bar, taking no room on the page (nor the gap
between the page's elements)."""

MAIN_SHARE = 66
"""The share of its row's width, in percent, of a page's main picture beside words."""


def fill_css(keys: tuple[str, ...], share: int | None = MAIN_SHARE) -> str:
    """The CSS rules that let the graphs under ``keys`` fill the height left in the window
    (``--em-viz-fill``, read by :mod:`em_viz.ui.plot`, set on each graph's container so
    that its first drawing fills too) and, with a ``share``, gives the column holding
    them that percent of its row, the other columns the rest."""
    rules = [f".st-key-{key} {{ --em-viz-fill: 1; }}" for key in keys]
    for key in keys if share else ():
        row = f'[data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] .st-key-{key})'
        rules += [
            f'{row} > [data-testid="stColumn"] {{ flex: 1 1 0 !important; width: auto !important;'
            " min-width: 0; }",
            f'{row} > [data-testid="stColumn"]:has(.st-key-{key}) {{ flex: 0 0 {share}% '
            f"!important; width: {share}% !important; }}",
        ]
    return "\n".join(rules)


PRESENTER_CSS = (
    """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 4rem 1.5rem 1rem; max-width: none; }
[class*="st-key-"][class*="heading"] { min-height: 1.6rem; }
.em-viz-text.em-viz-heading-small { font-size: 1.25rem !important; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stMarkdownContainer"] p, [data-testid="stAlert"] p,
[data-testid="stTable"] th, [data-testid="stTable"] td { font-size: 1.2rem; }
"""
    + fill_css(("mixture",))
    + "</style>"
)
"""Presenter mode: no sidebar, the page clear of the header; the explorer's picture two
thirds of the width and the height left in the window (see :func:`fill_css`; other
pages name their own with :func:`main_picture`), measured once the headings played in
the browser hold their room; captions, texts, tables and small headings at about 19 px."""


def main_picture(*keys: str, share: int | None = MAIN_SHARE) -> None:
    """In presenter mode, make the graphs drawn under ``keys`` a page's main picture:
    the height left in the window and ``share`` percent of their row (None: the row's
    columns as they are); see :func:`fill_css`."""
    if presenting():
        st.html(f"<style>{fill_css(keys, share)}</style>")


def presenting() -> bool:
    """Whether presenter mode is on."""
    return bool(st.session_state.get(PRESENT))


def presenter_mode() -> None:
    """The presenter toggle (set from the URL on a session's first run, a value other
    than 0 or 1 named in a toast), its CSS, and ``present=1`` in the URL while on."""
    state = st.session_state
    if PRESENT not in state:
        text = st.query_params.get(PRESENT)
        state[PRESENT] = text == "1"
        if text not in (None, "0", "1"):
            say_ignored([PRESENT])
    st.html(SWITCH_CSS)
    with st.container(key=_SWITCH):
        st.toggle(
            "Presenter mode",
            key=PRESENT,
            help="For a lecture hall: no sidebar, a larger picture and larger text.",
        )
    if state[PRESENT]:
        st.html(PRESENTER_CSS)
        if st.query_params.get(PRESENT) != "1":
            st.query_params[PRESENT] = "1"
    elif PRESENT in st.query_params:
        del st.query_params[PRESENT]


KEY_ACTIONS = {
    "ArrowRight": "next",
    " ": "next",
    "PageDown": "next",
    "ArrowLeft": "back",
    "PageUp": "back",
    "r": "run",
    "R": "run",
    "Home": "reset",
}
"""Each key's action: the next half-step, back one, Run or Stop, Reset."""

KEYS_HINT = "Keys: → next half-step · ← back · R run/stop · Home reset"
KEYS_TITLE = (
    "Right arrow, Space or PageDown (a clicker's forward): the next half-step. "
    "Left arrow or PageUp: back one. R: Run or Stop. Home: Reset. "
    "Not while typing in a field."
)

_KEYS_JS = """
const TYPING = "input, textarea, select, [contenteditable=''], [contenteditable='true'], "
  + "[role='slider'], [role='combobox'], [role='listbox'], [role='spinbutton'], "
  + "[role='textbox']";
const PRESSABLE = "button, a, [role='button'], [role='tab'], [role='radio'], "
  + "[role='checkbox'], [role='switch'], summary";

function actionOf(event, actions) {
  const target = event.target instanceof Element ? event.target : null;
  if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return null;
  if (target && (target.isContentEditable || target.closest(TYPING))) return null;
  // Space on a focused button presses it already.
  if (event.key === " " && target && target.closest(PRESSABLE)) return null;
  return actions[event.key] || null;
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  window.emVizKeys = {
    send: setTriggerValue, element: parentElement, actions: data.actions, shown: data.shown,
  };
  if (!parentElement.querySelector(".em-viz-keys")) {
    const hint = document.createElement("div");
    hint.className = "em-viz-keys";
    hint.style.color = "rgba(49, 51, 63, 0.7)";
    hint.style.fontSize = "0.8rem";
    hint.style.whiteSpace = "nowrap";
    hint.textContent = data.hint;
    hint.title = data.title;
    parentElement.appendChild(hint);
  }
  if (window.emVizKeysListening) return;
  window.emVizKeysListening = true;
  // Capture, on the window: before Streamlit's own shortcuts (R reruns the app).
  window.addEventListener("keydown", (event) => {
    const keys = window.emVizKeys;
    if (!keys || !keys.element.isConnected) return;
    const action = actionOf(event, keys.actions);
    if (!action) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    // A run the browser plays: its player answers (from its frames, or asks the server).
    const player = window.emVizPlayer;
    if (player && player.input && player.input.isConnected) return player.handle(action);
    window.emVizSeq = (window.emVizSeq || 0) + 1; // the browser's messages, numbered
    keys.send("action", { action, shown: keys.shown, seq: window.emVizSeq });
  }, true);
}
"""

_keys = st.components.v2.component("em_viz_keys", js=_KEYS_JS, isolate_styles=False)


def step_keys(
    key: str, shown: int, on_action: Callable[[str, int, int | None, str | None], None]
) -> None:
    """Listen for the step keys (:data:`KEY_ACTIONS`) on the page while this is mounted,
    never while the focus is in a text field, a list or a slider; show
    :data:`KEYS_HINT` (:data:`KEYS_TITLE` on hover).

    ``on_action(action, shown, seq, revision)`` gets "next", "back", "run" or "reset";
    the index of the half-step on screen when the key was pressed (the player's, on a
    page the browser plays, else ``shown`` of the latest call), with the ``revision`` of
    the timeline it counts in (None without a player); and the number of the message
    (the browser numbers its messages in the order sent, see ``Timeline.answered``).
    """

    def pressed() -> None:
        message = st.session_state[key].action
        on_action(
            message["action"], int(message["shown"]), message.get("seq"), message.get("revision")
        )

    _keys(
        key=key,
        data={"actions": KEY_ACTIONS, "hint": KEYS_HINT, "title": KEYS_TITLE, "shown": shown},
        on_action_change=pressed,
    )
