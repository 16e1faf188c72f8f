"""Text a visitor typed or uploaded, quoted in the app's messages, is shown as written:
markdown in it makes no link, no image and no HTML (the browser side is in
tests/e2e/test_markup_browser.py)."""

import re

import pytest
from test_app_bernoulli import page  # noqa: F401 (a fixture)
from test_app_explorer import app, stepper, upload  # noqa: F401 (app is a fixture)

from em_viz.ui.labels import WORD_JOINER

PROBE = "http://em-viz-probe.invalid/x"
LINK = f"[Fix here]({PROBE})"
IMAGE = f"![a]({PROBE})"


def unescaped_markup(text: str) -> list[str]:
    """The signs in ``text`` that markdown would turn into a link, image or HTML."""
    signs = re.findall(r"(?<!\\)[\[\]<>]", text)
    return signs + re.findall(r"(?i)https?://|www\.|\w@", text)


def test_a_toss_line_with_a_link_and_an_image_is_quoted_as_text(page):  # noqa: F811
    page.text_area(key="coins_text").input(f"HTTH\n{LINK}\n{IMAGE}").run()
    assert not page.exception
    (message,) = [e.value for e in page.error]
    assert message.startswith("Line 2 ('\\[Fix here\\](http")
    assert unescaped_markup(message) == []
    shown = message.replace("\\", "").replace(WORD_JOINER, "")
    assert "[Fix here](http://em-viz-probe" in shown  # the line as typed, once unescaped


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("points.csv", f"x,{IMAGE}\n1,a\n2,b\n3,c\n".encode()),
        ("points.csv", f"x,y\n1,{LINK}\n2,3\n".encode()),
        (f"{IMAGE}.csv", b"\x89PNG\r\n\x1a\n\x00\x00binary"),
        ("data.csv", b"www.em-viz-probe.invalid,me@em-viz-probe.invalid\n"),
    ],
)
def test_a_file_name_header_or_cell_with_markup_is_quoted_as_text(app, name, content):  # noqa: F811
    before = stepper(app)
    upload(app, name, content)
    assert not app.exception
    messages = [e.value for e in app.error]
    assert messages and all("already loaded stays" in m for m in messages)
    assert "em-viz-probe" in " ".join(messages)  # the user's text is quoted...
    assert [unescaped_markup(m) for m in messages] == [[] for _ in messages]  # ...as text
    assert stepper(app) is before


def test_a_data_note_naming_a_column_is_quoted_as_text(app):  # noqa: F811
    """Notes under the data panel name the columns they speak of."""
    rows = "\n".join(f"{i},{i * i % 7}" for i in range(20))
    upload(app, "points.csv", f"x,{IMAGE}\n{rows}\n3,\n".encode())
    assert not app.exception
    (note,) = [i.value for i in app.sidebar.info if "left out" in i.value]
    assert "em-viz-probe" in note and unescaped_markup(note) == []
