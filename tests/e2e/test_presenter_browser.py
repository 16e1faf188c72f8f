"""Presenter mode, the step keys and links to the exact step in headless Chromium: what a
lecturer does with a clicker at 1280x720 and 1920x1080."""

import pytest
from conftest import SCREENSHOTS
from playwright.sync_api import Browser, Page, expect
from test_explorer_browser import CURVE, MIXTURE, heading, open_app

CAPTION = f"[data-testid='stColumn']:has({MIXTURE}) [data-testid='stCaptionContainer']"
"""What the half-step shown did, under the picture."""


def press(page: Page, key: str, text: str) -> None:
    """Press ``key`` once the keys' listener is on the page; wait for the heading."""
    page.wait_for_function("() => window.emVizKeys?.element.isConnected", timeout=30_000)
    page.keyboard.press(key)
    expect(heading(page)).to_have_text(text, timeout=20_000)


def test_keys_step_back_and_forth_but_not_while_typing(page: Page, app_url: str):
    open_app(page, app_url)
    expect(page.get_by_text("Keys: → next half-step")).to_be_visible()
    press(page, "ArrowRight", "Iteration 1 · after E-step")
    press(page, "ArrowRight", "Iteration 1 · after M-step")
    # Back and forth through the half-steps made, in the browser; past the last, a new one.
    press(
        page,
        "ArrowLeft",
        "Viewing Iteration 1 · after E-step (latest: Iteration 1 · after M-step)",
    )
    press(page, "PageDown", "Iteration 1 · after M-step")
    press(page, "Space", "Iteration 2 · after E-step")
    viewing = "Viewing Iteration 1 · after M-step (latest: Iteration 2 · after E-step)"
    press(page, "PageUp", viewing)
    # In a number field the arrows move the caret, not the run.
    field = page.get_by_test_id("stNumberInput").locator("input").first
    field.click()
    for key in ("ArrowRight", "ArrowLeft", "ArrowRight", "Space", "PageDown"):
        field.press(key)
    page.wait_for_timeout(1500)
    expect(heading(page)).to_have_text(viewing)
    page.locator(MIXTURE).click(position={"x": 5, "y": 5})  # the focus leaves the field
    press(page, "Home", "Iteration 0 · initial parameters")
    page.keyboard.press("r")  # Run at Medium speed, until it converges
    expect(page.get_by_text("Converged after")).to_be_visible(timeout=60_000)


def _in_view(page: Page, selector: str, height: int) -> None:
    box = page.locator(selector).first.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height, box


@pytest.mark.parametrize("width, height", [(1280, 720), (1920, 1080)])
def test_presenter_mode_fills_the_screen(browser: Browser, app_url: str, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        open_app(page, f"{app_url}/?present=1")
        expect(page.get_by_test_id("stSidebar")).to_be_hidden()
        press(page, "ArrowRight", "Iteration 1 · after E-step")
        page.wait_for_function(
            f"() => document.querySelector(\"{MIXTURE}\")?.dataset.rendered === '1'"
        )
        page.wait_for_timeout(800)  # the ellipses' motion
        picture = page.locator(MIXTURE).bounding_box()
        assert picture["width"] / width >= 0.6, picture
        assert picture["height"] >= 0.55 * height, picture  # it grows with the window
        for selector in (".em-viz-heading", "[data-testid='stButton']", MIXTURE, CURVE, CAPTION):
            _in_view(page, selector, height)
        caption_px = page.locator(f"{CAPTION} p").first.evaluate(
            "e => parseFloat(getComputedStyle(e).fontSize)"
        )
        tick_px = page.locator(f"{MIXTURE} .xtick text").first.evaluate(
            "e => parseFloat(e.style.fontSize)"
        )
        curve_tick_px = page.locator(f"{CURVE} .xtick text").first.evaluate(
            "e => parseFloat(e.style.fontSize)"
        )
        legend_px = page.locator(f"{CURVE} .legendtext").first.evaluate(
            "e => parseFloat(e.style.fontSize)"
        )
        assert min(caption_px, tick_px, curve_tick_px, legend_px) >= 18
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"present_{width}x{height}.png")
        page.get_by_text("Presenter mode").click()  # off again: the sidebar is back
        expect(page.get_by_test_id("stSidebar")).to_be_visible()
        assert "present=1" not in page.url
    finally:
        context.close()


def _round_trip(browser: Browser, page: Page, shown: str) -> None:
    """Open the page's URL in a fresh browser: the same heading."""
    link = page.url
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    fresh = context.new_page()
    try:
        fresh.goto(link)
        expect(heading(fresh)).to_have_text(shown, timeout=60_000)
        assert fresh.url == link
    finally:
        context.close()


def test_an_explorer_link_opens_at_its_step(browser: Browser, page: Page, app_url: str):
    open_app(page, app_url)
    components = page.get_by_role("spinbutton", name="Components K")
    components.fill("4")
    components.press("Enter")
    page.wait_for_url("**k=4**")
    page.locator(MIXTURE).click(position={"x": 5, "y": 5})  # the focus leaves the field
    expect(heading(page)).to_have_text("Iteration 0 · initial parameters", timeout=20_000)
    for shown in ("Iteration 1 · after E-step", "Iteration 1 · after M-step"):
        press(page, "ArrowRight", shown)
    # The history slider shows the latest half-step before a button acts from it.
    expect(page.locator(".em-viz-slider-label")).to_have_text("Iteration 1 · M-step")
    page.get_by_role("button", name="Step", exact=True).click()
    expect(heading(page)).to_have_text("Iteration 2 · after M-step", timeout=20_000)
    page.wait_for_url("**step=4**")
    assert "k=4" in page.url
    _round_trip(browser, page, "Iteration 2 · after M-step")


def test_a_bernoulli_link_opens_at_its_step(browser: Browser, page: Page, app_url: str):
    page.goto(f"{app_url}/bernoulli")
    expect(heading(page)).to_have_text("Iteration 0 · initial parameters", timeout=60_000)
    for shown in (
        "Iteration 1 · after E-step",
        "Iteration 1 · after M-step",
        "Iteration 2 · after E-step",
    ):
        press(page, "ArrowRight", shown)
    page.wait_for_url("**coins_step=3**")
    _round_trip(browser, page, "Iteration 2 · after E-step")


PAGES = {
    "compare": (
        "compare?present=1",
        [f".em-viz-plot[data-name='compare_mixture_{n}']" for n in (0, 1)],
        ".em-viz-heading-small[data-name='compare_heading']",
    ),
    "casino": (
        "hmm?present=1",
        [".em-viz-plot[data-name='casino_strip']"],
        ".em-viz-heading[data-name='casino_heading']",
    ),
}
"""A page in presenter mode: its URL, its main picture's graphs and its run's heading."""


@pytest.mark.parametrize("name", list(PAGES))
@pytest.mark.parametrize("width, height", [(1280, 720), (1920, 1080)])
def test_the_main_picture_fills_the_screen_below_the_controls(
    browser: Browser, app_url: str, name, width, height
):
    path, graphs, run_heading = PAGES[name]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        page.goto(f"{app_url}/{path}")
        for graph in graphs:
            page.wait_for_selector(f"{graph} .main-svg", timeout=60_000)
        expect(page.get_by_test_id("stSidebar")).to_be_hidden()
        expect(page.locator(run_heading)).to_have_text("Iteration 0 · initial parameters")
        page.wait_for_timeout(800)  # the figures' first drawing settles
        for graph in graphs:  # (on a busy machine, the presenter's height comes later)
            page.wait_for_function(
                f'() => document.querySelector("{graph}").offsetHeight >= {0.5 * height - 10}',
                timeout=30_000,
            )
        boxes = [page.locator(graph).bounding_box() for graph in graphs]
        across = max(b["x"] + b["width"] for b in boxes) - min(b["x"] for b in boxes)
        assert across / width >= 0.9, boxes
        for box in boxes:  # one row, as high as the window leaves, fully in view
            assert box["height"] >= 0.5 * height - 10, box
            assert box["y"] + box["height"] <= height, box
        for selector in (run_heading, "[data-testid='stButton']", *graphs):
            _in_view(page, selector, height)
        tick_px = page.locator(f"{graphs[0]} .xtick text").first.evaluate(
            "e => parseFloat(e.style.fontSize)"
        )
        texts_px = page.locator(".em-viz-text[data-name*='heading']").evaluate_all(
            "all => all.map(e => parseFloat(getComputedStyle(e).fontSize))"
        )
        assert min(tick_px, *texts_px) >= 18, texts_px  # the headings above the picture too
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"present_{name}_{width}x{height}.png")
    finally:
        context.close()
