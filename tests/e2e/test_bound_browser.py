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
    wait_drawn(page, BOUND, 5)
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
