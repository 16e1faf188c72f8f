"""Variational Bayes in headless Chromium: Old Faithful with ten components runs to
convergence, the caption counts the active components, the switched-off ones are drawn
faint; Why EM works shows EM's point against a posterior's spread."""

import re

from conftest import SCREENSHOTS
from playwright.sync_api import Page, expect

MIXTURE = ".em-viz-plot[data-name='mixture']"
LINK = "/?data=Old+Faithful&k=10&alg=variational-bayes"


def test_variational_bayes_switches_components_off_and_fades_them(page: Page, app_url: str):
    page.goto(app_url + LINK)
    page.wait_for_selector(f"{MIXTURE} .main-svg", timeout=60_000)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("Concentration of the weight prior")).to_be_visible()
    main = page.get_by_test_id("stMainBlockContainer")
    main.get_by_text("Instant", exact=True).click()
    main.get_by_role("button", name="Run", exact=True).click()
    expect(main.get_by_text(re.compile(r"Converged after \d+ iterations"))).to_be_visible(
        timeout=60_000
    )
    caption = main.get_by_text(re.compile("components are active now"))
    # The caption is drawn after the badge: wait for the converged run's.
    expect(caption).to_contain_text(re.compile(r"\b[1-9] of 10\b"), timeout=30_000)
    active, total = map(int, re.search(r"(\d+) of (\d+)", caption.inner_text()).groups())
    assert total == 10 and 0 < active < 10
    # The figure follows the badge: wait until it draws each switched-off component's two
    # ellipse traces and its mean faint, and no other trace.
    page.wait_for_function(
        """([selector, expected]) => {
            const traces = [...document.querySelectorAll(selector)];
            return traces.filter(t => t.style.opacity === "0.1").length === expected;
        }""",
        arg=[f"{MIXTURE} .scatterlayer .trace", 3 * (total - active)],
        timeout=20_000,
    )
    page.screenshot(path=SCREENSHOTS / "vb_faithful_k10.png")
    caption.scroll_into_view_if_needed()
    page.mouse.wheel(0, 200)
    page.screenshot(path=SCREENSHOTS / "vb_faithful_k10_caption.png")
    assert page.console_errors == []


def test_why_em_works_shows_the_point_and_the_spread(page: Page, app_url: str):
    page.goto(app_url)
    page.wait_for_selector(f"{MIXTURE} .main-svg", timeout=60_000)
    page.get_by_test_id("stSidebar").get_by_text("Why EM works", exact=True).click()
    main = page.get_by_test_id("stMainBlockContainer")
    expect(main.get_by_text("Why EM works: the bound", exact=False)).to_be_visible()
    main.get_by_role("button", name="Step", exact=True).click()
    main.get_by_role("button", name="Step", exact=True).click()
    heading = main.get_by_text("EM as variational inference: q over the parameters is a point")
    heading.scroll_into_view_if_needed()
    spread = page.locator(".em-viz-plot[data-name='point_spread'] .main-svg").first
    expect(spread).to_be_visible(timeout=60_000)
    expect(main.get_by_text(re.compile("squeezed to a point"))).to_be_visible()
    page.mouse.wheel(0, 150)
    page.screenshot(path=SCREENSHOTS / "vb_point_estimate.png")
    assert page.console_errors == []
