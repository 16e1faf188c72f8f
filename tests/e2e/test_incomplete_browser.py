"""The Incomplete data page end to end in headless Chromium: the genetic-linkage example
to its published maximum and rate, and Murray's saddle point and maximum."""

import re
from urllib.parse import quote_plus

from conftest import SCREENSHOTS
from playwright.sync_api import Page, expect
from test_explorer_browser import heading, plotted, wait_drawn

LINKAGE = ".em-viz-plot[data-name='linkage_figure']"
POINTS = ".em-viz-plot[data-name='murray_points']"
PROFILE = ".em-viz-plot[data-name='murray_profile']"


def test_the_linkage_example_reaches_the_published_maximum_and_rate(page: Page, app_url: str):
    page.goto(app_url)
    page.get_by_role("link", name="Incomplete data").click()
    page.wait_for_selector(f"{LINKAGE} .main-svg", timeout=60_000)
    page.get_by_role("button", name="E-step", exact=True).click()
    expect(heading(page)).to_have_text("Iteration 1 · after E-step", timeout=30_000)
    wait_drawn(page, LINKAGE, 1)
    bound = plotted(page, LINKAGE, 2, "y")  # the bound built at the start
    curve = plotted(page, LINKAGE, 0, "y")
    assert len(bound) == len(curve) and all(  # (to float32, the frames' precision)
        b <= c + 1e-4 for b, c in zip(bound, curve, strict=True)
    )
    page.get_by_role("button", name="M-step", exact=True).click()
    expect(page.get_by_text(re.compile(r"= 0\.6082474, the top of the bound"))).to_be_visible(
        timeout=30_000
    )
    page.get_by_role("button", name="Step", exact=True).click()
    expect(heading(page)).to_have_text("Iteration 2 · after M-step", timeout=30_000)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.mouse.move(1270, 400)
    page.screenshot(path=SCREENSHOTS / "incomplete_linkage.png")
    page.get_by_role("radio", name="Instant").click()
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.get_by_text(re.compile(r"Converged after \d+ iterations"))).to_be_visible(
        timeout=60_000
    )
    table = page.get_by_test_id("stDataFrame")
    expect(table).to_be_visible()
    assert "0.6268215" in page.get_by_text(re.compile(r"The maximum is θ\*")).inner_text()
    page.mouse.move(1270, 400)
    page.screenshot(path=SCREENSHOTS / "incomplete_linkage_converged.png")
    # A new count is a new run, and goes into the page's link.
    box = page.get_by_role("spinbutton", name=re.compile(r"Cell 1"))
    box.fill("60")
    box.press("Enter")
    expect(heading(page)).to_have_text("Iteration 0 · initial parameters", timeout=30_000)
    page.wait_for_url(re.compile(r"linkage_x1=60"))
    assert page.console_errors == []


def test_murray_stops_on_the_saddle_from_0_and_climbs_from_elsewhere(page: Page, app_url: str):
    failed = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    demo = quote_plus("Murray's saddle point")
    page.goto(f"{app_url}/incomplete?incomplete_demo={demo}&murray_rho=0.0")
    page.wait_for_selector(f"{PROFILE} .main-svg", timeout=60_000)
    page.get_by_role("radio", name="Instant").click()
    page.get_by_role("button", name="Run", exact=True).click()
    saddle = page.get_by_text(re.compile(r"EM has stopped on a saddle point"))
    expect(saddle).to_be_visible(timeout=60_000)
    assert "correlation 0.0000, variances 2.5000 and 2.5000" in saddle.inner_text()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.mouse.move(1270, 400)
    page.screenshot(path=SCREENSHOTS / "incomplete_murray_saddle.png")
    page.goto(f"{app_url}/incomplete?incomplete_demo={demo}&murray_rho=0.05")
    page.wait_for_selector(f"{POINTS} .main-svg", timeout=60_000)
    start = plotted(page, POINTS, 3, "y")  # the filled-in points
    page.get_by_role("radio", name="Instant").click()
    page.get_by_role("button", name="Run", exact=True).click()
    maximum = page.get_by_text(re.compile(r"EM reached a maximum"))
    expect(maximum).to_be_visible(timeout=60_000)
    assert "correlation 0.5000, variances 2.6667 and 2.6667" in maximum.inner_text()
    page.wait_for_function(f"() => document.querySelector(\"{POINTS}\")?.dataset.rendered !== '0'")
    assert plotted(page, POINTS, 3, "y") != start  # the filled-in points moved
    page.mouse.move(1270, 400)
    page.screenshot(path=SCREENSHOTS / "incomplete_murray.png")
    # Opening a page's own URL, Streamlit first probes for its server under that path.
    assert all(re.search(r"/incomplete/_stcore/(health|host-config)$", url) for url in failed)
    assert len(page.console_errors) == len(failed)
