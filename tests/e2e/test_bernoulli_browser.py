"""The Bernoulli mixtures page end to end in headless Chromium: the two coins to the
textbook's answer, their run played in the browser, a mistyped toss, and the digit
prototypes forming."""

import re

from conftest import SCREENSHOTS
from playwright.sync_api import Page, expect
from test_explorer_browser import heading, plotted, wait_drawn
from test_player_browser import PRESS, label_of, play_and_sample, wait_for_ahead

PATHS = ".em-viz-plot[data-name='coins_paths']"
PROTOTYPES = ".em-viz-plot[data-name='digits_prototypes']"
CURVE = ".em-viz-plot[data-name='coins_curve']"

SAMPLE = f"""() => [
    document.querySelector(".em-viz-heading").textContent,
    document.querySelector(".em-viz-slider-label").textContent,
    document.querySelector("{PATHS}").dataset.rendered,
    document.querySelector("{CURVE}").dataset.rendered,
]"""
"""The heading, the slider's label and the frames the paths and the curve show."""


def open_bernoulli(page: Page, url: str) -> None:
    """The app, then the page by its link in the sidebar, as a student gets there."""
    page.goto(url)
    page.get_by_role("link", name="Bernoulli mixtures").click()
    page.wait_for_selector(f"{PATHS} .main-svg", timeout=60_000)


def test_the_two_coins_reach_the_textbook_biases(page: Page, app_url: str):
    open_bernoulli(page, app_url)
    page.get_by_role("button", name="E-step", exact=True).click()
    table = page.get_by_test_id("stTable")
    expect(table.get_by_text("21.3 H, 8.6 T")).to_be_visible(timeout=30_000)
    for n in range(1, 11):
        page.get_by_role("button", name="Step", exact=True).click()
        expected = "Iteration 1 · after M-step" if n == 1 else f"Iteration {n} · after M-step"
        expect(heading(page)).to_have_text(expected, timeout=30_000)
    wait_drawn(page, PATHS, 20)
    coin_a, coin_b = plotted(page, PATHS, 0, "y"), plotted(page, PATHS, 1, "y")
    assert round(coin_a[-1], 2) == 0.80 and round(coin_b[-1], 2) == 0.52
    assert page.console_errors == []


def test_a_step_of_the_coins_is_drawn_at_the_press(page: Page, app_url: str):
    open_bernoulli(page, app_url)
    wait_for_ahead(page, 1)
    assert page.evaluate(PRESS, ["Step", PATHS])[:2] == ["2", "Iteration 1 · after M-step"]
    wait_for_ahead(page, 3)  # the server made them history
    wait_drawn(page, PATHS, 2)
    expect(heading(page)).to_have_text("Iteration 1 · after M-step")
    assert page.console_errors == []


def test_run_plays_the_coins_with_heading_slider_and_pictures_agreeing(page: Page, app_url: str):
    open_bernoulli(page, app_url)
    page.get_by_text("3 / s", exact=True).click()  # the coins converge in 15 half-steps
    samples, labels = play_and_sample(page, SAMPLE)
    for heading_text, label, paths, curve in samples:
        # A picture may be gliding into the frame the heading names, never one ahead.
        assert label == label_of(heading_text)
        shown = labels.index(label)
        assert int(paths) in (shown, shown - 1) and int(curve) in (shown, shown - 1)
    expect(page.get_by_text(re.compile(r"Converged after \d+ iterations"))).to_be_visible(
        timeout=30_000
    )
    last = page.evaluate("() => window.emVizPlayer.count - 1")
    expect(page.locator(PATHS)).to_have_attribute("data-rendered", str(last))
    expect(page.locator(".em-viz-range")).to_have_value(str(last))
    coin_a, coin_b = plotted(page, PATHS, 0, "y"), plotted(page, PATHS, 1, "y")
    assert round(coin_a[-1], 2) == 0.80 and round(coin_b[-1], 2) == 0.52
    page.mouse.move(1270, 400)
    page.screenshot(path=SCREENSHOTS / "bernoulli_coins_played.png")
    assert page.console_errors == []


def test_a_mistyped_toss_is_explained_and_the_run_stays(page: Page, app_url: str):
    open_bernoulli(page, app_url)
    page.get_by_role("button", name="Step", exact=True).click()
    expect(heading(page)).to_have_text("Iteration 1 · after M-step", timeout=30_000)
    box = page.get_by_role("textbox", name="Sets of tosses, one per line")
    box.fill("HTTH\nHTXH\nHHHT")
    box.press("Control+Enter")
    expect(page.get_by_text(re.compile(r"Line 2 \('HTXH'\) has 'X'"))).to_be_visible(
        timeout=30_000
    )
    expect(heading(page)).to_have_text("Iteration 1 · after M-step")
    expect(page.get_by_test_id("stTable").get_by_text("HHHHTHHHHH")).to_be_visible()
    assert page.get_by_text("Traceback").count() == 0
    assert page.console_errors == []


def test_the_digit_prototypes_update_at_every_step(page: Page, app_url: str):
    open_bernoulli(page, app_url)
    page.get_by_text("Binarised digits", exact=True).click()
    page.wait_for_selector(f"{PROTOTYPES} .main-svg", timeout=60_000)
    start = plotted(page, PROTOTYPES, 0, "z")
    speed = page.get_by_role("radio", name="Instant")
    expect(speed).to_have_count(1)  # the two coins' controls, stale a moment, are gone
    speed.click()
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.get_by_text(re.compile(r"Converged after \d+ iterations"))).to_be_visible(
        timeout=60_000
    )
    page.wait_for_function(
        f"() => document.querySelector(\"{PROTOTYPES}\")?.dataset.rendered !== '0'"
    )
    assert plotted(page, PROTOTYPES, 0, "z") != start
    assert page.locator(f"{PROTOTYPES} .heatmaplayer image, {PROTOTYPES} .hm").count() >= 3
    assert page.console_errors == []


def test_a_link_reproduces_a_digits_set_up(page: Page, app_url: str):
    """Every setting of the page lives in its URL: a lecturer's link opens the same demo."""
    failed = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto(
        f"{app_url}/bernoulli?demo=Binarised+digits&digits_k=5"
        "&digits_classes=0&digits_classes=1&digits_rs=4"
    )
    page.wait_for_selector(f"{PROTOTYPES} .main-svg", timeout=60_000)
    expect(page.get_by_text(re.compile(r"images of the digits 0, 1 "))).to_be_visible()
    page.wait_for_function(
        f'() => document.querySelector("{PROTOTYPES}")._fullData.filter('
        "t => t.type === 'heatmap').length === 5"
    )
    page.get_by_role("button", name="Step", exact=True).click()
    expect(heading(page)).to_have_text("Iteration 1 · after M-step", timeout=30_000)
    assert "digits_k=5" in page.url and "digits_rs=4" in page.url
    # Opening a page's own URL, Streamlit first probes for its server under that path.
    assert all(re.search(r"/bernoulli/_stcore/(health|host-config)$", url) for url in failed)
    assert len(page.console_errors) == len(failed)


def test_a_demos_run_and_speed_survive_a_visit_to_another_page(page: Page, app_url: str):
    """Kept by Streamlit (persist_state), which AppTest cannot tell from the browser."""
    open_bernoulli(page, app_url)
    page.get_by_role("radio", name="12 / s").click()
    for n in (1, 2):
        page.get_by_role("button", name="Step", exact=True).click()
        expect(heading(page)).to_have_text(f"Iteration {n} · after M-step", timeout=30_000)
    page.get_by_role("link", name="Explorer").click()
    page.wait_for_selector(".em-viz-plot[data-name='mixture'] .main-svg", timeout=60_000)
    page.get_by_role("link", name="Bernoulli mixtures").click()
    expect(heading(page)).to_have_text("Iteration 2 · after M-step", timeout=30_000)
    expect(page.get_by_role("radio", name="12 / s")).to_be_checked()
    expect(page.get_by_test_id("stTable").get_by_text("HHHHTHHHHH")).to_be_visible()
    assert page.console_errors == []
