"""Bad links and hostile text in headless Chromium: a toast and a working page for a
link's values the page cannot use, no link, image or request made from what a visitor
typed or uploaded, and links kept short enough to open."""

import re
import urllib.parse

import pytest
from playwright.sync_api import Page, expect
from test_bernoulli_browser import open_bernoulli
from test_explorer_browser import heading

PROBE = "http://em-viz-probe.invalid/x"  # .invalid never resolves: nothing leaves here
WORD_JOINER = "\u2060"


def record_requests(page: Page) -> list[str]:
    """The hosts the page sends requests to, as they are sent."""
    hosts: list[str] = []
    page.on("request", lambda request: hosts.append(urllib.parse.urlparse(request.url).hostname))
    return hosts


def probed(hosts: list[str]) -> list[str]:
    """The requests to the probe's host (or the start of it, as a quoted line is cut)."""
    return [host for host in hosts if host and host.startswith("em-viz-probe")]


def made_from_text(page: Page) -> list[str]:
    """Links and images inside the app's message boxes."""
    return page.evaluate(
        "() => [...document.querySelectorAll('[data-testid=stAlert] :is(a, img)')]"
        ".map(e => e.outerHTML)"
    )


@pytest.mark.parametrize("line", [f"[Fix here]({PROBE})", f"![a]({PROBE})"])
def test_a_toss_line_with_a_link_or_an_image_stays_text(page: Page, app_url: str, line: str):
    hosts = record_requests(page)
    page.goto(f"{app_url}/bernoulli?coins_text={urllib.parse.quote(f'HTTH{chr(10)}{line}')}")
    alert = page.get_by_test_id("stAlert").filter(has_text="Line 2")
    expect(alert).to_be_visible(timeout=60_000)
    shown = alert.inner_text().replace(WORD_JOINER, "")
    assert f"('{line[:20]}" in shown  # the line as typed
    assert made_from_text(page) == []
    assert probed(hosts) == []


def test_a_csv_header_with_an_image_stays_text(page: Page, app_url: str):
    hosts = record_requests(page)
    page.goto(app_url)
    page.get_by_text("Upload CSV", exact=True).click()
    content = f"x,![a]({PROBE})\n1,a\n2,b\n3,c\n".encode()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        {"name": f"![f]({PROBE}).csv", "mimeType": "text/csv", "buffer": content}
    )
    alert = page.get_by_test_id("stAlert").filter(has_text="holds text")
    expect(alert).to_be_visible(timeout=60_000)
    assert "![a](http://em-viz-probe" in alert.inner_text().replace(WORD_JOINER, "")
    assert made_from_text(page) == []
    assert probed(hosts) == []


@pytest.mark.parametrize(
    ("link", "name"),
    [
        ("/?data=Three+Gaussians&spread=100", "spread"),
        ("/?data=Two+moons&noise=-1", "noise"),
        ("/compare?data=Three+Gaussians&spread=inf", "spread"),
        ("/bernoulli?coins_k=-1", "coins_k"),
        ("/bernoulli?demo=Binarised+digits&digits_k=1000", "digits_k"),
    ],
)
def test_a_link_value_out_of_range_gets_a_toast_and_a_working_page(
    page: Page, app_url: str, link: str, name: str
):
    page.goto(app_url + link)
    toast = page.get_by_test_id("stToast").filter(has_text=f"value for {name}")
    expect(toast).to_contain_text("was not understood", timeout=60_000)
    page.get_by_role("button", name="Step", exact=True).first.click()
    runs_heading = page.locator(".em-viz-text[data-name='compare_heading']")
    shown = runs_heading if link.startswith("/compare") else heading(page)
    expect(shown).to_have_text("Iteration 1 · after M-step", timeout=30_000)
    assert page.get_by_text("Traceback").count() == 0


def test_tosses_too_many_for_a_link_stay_out_of_it(page: Page, app_url: str):
    open_bernoulli(page, app_url)
    box = page.get_by_role("textbox", name="Sets of tosses, one per line")

    def enter(text: str) -> None:
        box.fill(text)
        box.press("Control+Enter")

    enter("\n".join(["HTHHTHTTHT" * 100] * 200))  # 200 sets of 1,000 tosses: 200 KB
    expect(page.get_by_text(re.compile(r"too many for the page's link"))).to_be_visible(
        timeout=30_000
    )
    expect(page).not_to_have_url(re.compile("coins_text"))
    assert len(page.url) < 1_000
    enter("HHHH\nTTTH")
    expect(page).to_have_url(re.compile(r"coins_text=HHHH(%0A|\n)TTTH"), timeout=30_000)
    enter("HHXH\nTT")  # refused: said in the page, kept out of the link
    expect(page.get_by_text(re.compile(r"Line 1 \('HHXH'\) has 'X'"))).to_be_visible()
    expect(page).not_to_have_url(re.compile("coins_text"))
    assert page.console_errors == []
