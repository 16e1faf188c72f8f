"""The "Why EM works" page in headless Chromium: step the explorer's run from the page and
see the bound's stairs and its gap."""

import re

from playwright.sync_api import Page, expect
from test_explorer_browser import MIXTURE, heading, open_app, plotted, wait_drawn

BOUND = ".em-viz-plot[data-name='bound']"
ALONG = ".em-viz-plot[data-name='bound_along']"


def test_step_on_the_bound_page_and_see_the_gap(page: Page, app_url: str):
    open_app(page, app_url)
    page.get_by_role("link", name="Why EM works").click()
    expect(heading(page)).to_have_text("Iteration 0 · initial parameters", timeout=30_000)
    page.wait_for_selector(f"{BOUND} .main-svg", timeout=30_000)
    page.get_by_role("button", name="E-step", exact=True).click()
    expect(heading(page)).to_have_text("Iteration 1 · after E-step", timeout=30_000)
    for n in (1, 2):
        page.get_by_role("button", name="Step", exact=True).click()
        expect(heading(page)).to_have_text(f"Iteration {n} · after M-step", timeout=30_000)
    wait_drawn(page, BOUND, 4)  # the half-step shown: the fifth record
    log_likelihood = plotted(page, BOUND, 2, "y")
    bound = plotted(page, BOUND, 1, "y")
    assert len(log_likelihood) == 5  # the start, then an E- and an M-step per iteration
    assert len(bound) == 4  # no bound at the start
    assert all(b < ll for b, ll in zip(bound[1::2], log_likelihood[2::2], strict=True))
    title = page.evaluate(f'() => document.querySelector("{BOUND}").layout.title.text')
    assert re.match(r"gap KL\(q ‖ p\) = [\d,.]+<br>", title)
    expect(page.get_by_text(re.compile(r"gap \d[\d,]*\.\d{3}$"))).to_be_visible()
    page.wait_for_selector(f"{ALONG} .main-svg", timeout=30_000)
    expect(page.locator(".katex").first).to_be_visible()
    page.get_by_role("link", name="Explorer").click()
    page.wait_for_selector(f"{MIXTURE} .main-svg", timeout=30_000)
    expect(heading(page)).to_have_text("Iteration 2 · after M-step", timeout=30_000)
    page.get_by_role("link", name="Why EM works").click()
    page.wait_for_selector(f"{ALONG} .main-svg", timeout=30_000)
    assert page.console_errors == []


def test_opened_first_it_has_a_run_clear_of_the_header_with_run_and_history(
    page: Page, app_url: str
):
    failed = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto(f"{app_url}/bound")
    expect(heading(page)).to_have_text("Iteration 0 · initial parameters", timeout=60_000)
    expect(page.get_by_text("There is no run yet")).to_have_count(0)
    header = page.get_by_test_id("stHeader").bounding_box()
    title = page.get_by_text("Why EM works: the bound").bounding_box()
    assert title["y"] >= header["y"] + header["height"]
    for name in ("E-step", "M-step", "Step", "Run"):
        button = page.get_by_role("button", name=name, exact=True)
        box = button.bounding_box()
        # A click on the button's top edge reaches the button, not the page header.
        hit = page.evaluate(
            "([x, y]) => document.elementFromPoint(x, y).closest('button')?.innerText ?? null",
            [box["x"] + box["width"] / 2, box["y"] + 3],
        )
        assert hit == name
    page.get_by_role("radio", name="Instant").click()
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.get_by_text(re.compile(r"Converged after \d+ iterations"))).to_be_visible(
        timeout=30_000
    )
    slider = page.get_by_test_id("stSlider")
    expect(slider).to_contain_text("History: iteration · half-step")
    expect(slider).to_contain_text(re.compile(r"Iteration \d+ · M-step"))
    # Opening a page's own URL, Streamlit first probes for its server under that path.
    assert all(re.search(r"/bound/_stcore/(health|host-config)$", url) for url in failed)
    assert len(page.console_errors) == len(failed)
