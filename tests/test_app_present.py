"""Presenter mode, the step keys and links to the exact step, through AppTest: a link's
step restores the heading and numbers, a bad one is said in a toast, ``present=1``
hides the sidebar, and a key does what its button does."""

from pathlib import Path

import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash
from test_app_explorer import heading

from em_viz.figures.style import PRESENTER_FONT_SIZE, axis, base_layout, for_presenter
from em_viz.ui.present import PRESENTER_CSS

TIMEOUT = 60
APP = str(Path(__file__).resolve().parent.parent / "app.py")


def fresh(page: str | None = None, **params: str) -> AppTest:
    """A new session opened from a link with ``params``, on ``page`` (a url path)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if page is not None:
        at._page_hash = calc_hash(page)
    for name, value in params.items():
        at.query_params[name] = value
    return at.run()


def toasts(at: AppTest) -> list[str]:
    return [toast.value for toast in at.toast]


def test_a_link_step_restores_the_heading_and_numbers():
    stepped = fresh()
    for _ in range(3):
        stepped.button(key="Step").click().run()
    stepped.button(key="Back").click().run()
    assert heading(stepped) == "Iteration 3 · after E-step"
    assert stepped.query_params["step"] == "5"
    linked = fresh(**dict(stepped.query_params))
    assert heading(linked) == "Iteration 3 · after E-step"
    shown, restored = stepped.session_state["em"], linked.session_state["em"]
    assert len(restored.history) == 6
    assert restored.history[5].objective == shown.history[5].objective


@pytest.mark.parametrize("value", ["seven", "-2", "99999"])
def test_a_nonsense_step_is_said_and_the_start_shown(value):
    at = fresh(step=value)
    assert heading(at) == "Iteration 0 · initial parameters"
    assert any("step" in text for text in toasts(at))
    assert "step" not in at.query_params


def test_a_step_past_the_end_of_the_run_starts_over():
    at = fresh(step="400")  # Three Gaussians converge long before
    assert heading(at) == "Iteration 0 · initial parameters"
    assert any("past the end" in text for text in toasts(at))


def test_a_prefixed_slot_has_its_own_step():
    at = fresh("bernoulli", coins_step="4")
    assert at.session_state["coins_history_view"] == 4
    assert len(at.session_state["coins_em"].history) == 5
    at.button(key="coins_Back").click().run()
    assert at.query_params["coins_step"] == "3"


def test_present_in_the_url_turns_presenter_mode_on():
    at = fresh(present="1")
    assert at.toggle(key="present").value is True
    styles = [element.proto.body for element in at.get("html")]
    assert PRESENTER_CSS in styles
    assert 'data-testid="stSidebar"' in PRESENTER_CSS
    at.toggle(key="present").set_value(False).run()
    assert "present" not in at.query_params
    assert PRESENTER_CSS not in [element.proto.body for element in at.get("html")]


def test_a_bad_present_value_is_said():
    at = fresh(present="yes")
    assert at.toggle(key="present").value is False
    assert any("present" in text for text in toasts(at))


def test_for_presenter_lifts_every_small_font():
    figure = go.Figure(
        go.Scatter(x=[0, 1], y=[1, 0], mode="text", text=["a", "b"], textfont={"size": 11}),
        layout=base_layout(
            "Title",
            legend={"font": {"size": 12}},
            xaxis=axis("x", tickfont={"size": 10}),
            annotations=[
                {"text": "note", "font": {"size": 9}},
                {"text": "big", "font": {"size": 30}},
            ],
        ),
    )
    lifted = for_presenter(figure).to_dict()
    sizes = []

    def collect(part):
        items = part.items() if isinstance(part, dict) else enumerate(part)
        for name, value in items:
            if isinstance(name, str) and name.endswith("font") and "size" in value:
                sizes.append(value["size"])
            if isinstance(value, dict | list):
                collect(value)

    collect(lifted)
    assert len(sizes) >= 7  # layout, title, legend, ticks, two annotations, the text
    assert min(sizes) == PRESENTER_FONT_SIZE
    assert 30 in sizes  # larger fonts stay as they are
    assert figure.layout.legend.font.size == 12  # the figure itself is left alone


def test_for_presenter_widens_a_legend_in_pixels():
    figure = go.Figure(
        layout=base_layout(
            legend={"font": {"size": 12}, "entrywidth": 60, "entrywidthmode": "pixels"}
        )
    )
    assert for_presenter(figure).layout.legend.entrywidth == 60 * PRESENTER_FONT_SIZE / 12


def styles(at: AppTest) -> str:
    return " ".join(element.proto.body for element in at.get("html"))


@pytest.mark.parametrize(
    ("page", "keys"),
    [
        ("compare", ["compare_mixture_0", "compare_mixture_1"]),
        ("bound", ["bound"]),
        ("bernoulli", ["coins_paths"]),
        ("hmm", ["casino_strip"]),
        ("incomplete", ["linkage_figure"]),
    ],
)
def test_presenter_mode_gives_each_page_its_main_picture(page, keys):
    at = fresh(page, present="1")
    assert not at.exception
    for key in keys:
        assert f".st-key-{key} {{ --em-viz-fill: 1; }}" in styles(at)
    at.toggle(key="present").set_value(False).run()
    assert "--em-viz-fill" not in styles(at).replace(PRESENTER_CSS, "")


def _panel_rows(at: AppTest) -> list[int]:
    """For each row of columns holding Compare runs' panels, how many columns hold them."""
    rows = []
    for block in at.get("flex_container"):
        panels = [
            column
            for column in block.children.values()
            if column.type == "column"
            and any(
                str(getattr(child, "key", "")).startswith("compare_mixture_")
                for child in column.children.values()
            )
        ]
        if panels:
            rows.append(len(panels))
    return rows


def test_presenter_mode_puts_compare_runs_in_one_row():
    at = fresh("compare", present="1", runs="4")
    assert not at.exception
    assert _panel_rows(at) == [4]
    at.toggle(key="present").set_value(False).run()
    assert _panel_rows(at) == [2]  # two columns of two panels each


def test_a_demo_in_presenter_mode_says_its_intro_below_the_run():
    intro = "A casino rolls a fair die"
    at = fresh("hmm", present="1")
    captions = [caption.value for caption in at.caption]
    assert sum(text.startswith(intro) for text in captions) == 1
    assert not captions[0].startswith(intro)  # the picture comes first
    at.toggle(key="present").set_value(False).run()
    assert at.caption[0].value.startswith(intro)
