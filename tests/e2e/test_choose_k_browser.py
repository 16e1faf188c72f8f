"""The page "How many components?" end to end in headless Chromium: run the sweep on Old
Faithful and read the figure back."""

import re

from playwright.sync_api import Page, expect

PLOT = ".em-viz-plot[data-name='choose_k_plot']"


def test_the_sweep_draws_one_line_per_covariance_type(page: Page, app_url: str):
    page.goto(f"{app_url}/?data=Old+Faithful")
    page.get_by_role("link", name="How many components?").click()
    page.get_by_role("button", name="Run the sweep").click()
    page.wait_for_selector(f"{PLOT} .main-svg", timeout=90_000)
    expect(page.get_by_text("the chosen model is")).to_contain_text(
        "tied (EEE) with K = 3", timeout=30_000
    )
    names = page.evaluate(f'() => document.querySelector("{PLOT}")._fullData.map(t => t.name)')
    assert names[:4] == ["spherical (VII)", "diag (VVI)", "tied (EEE)", "full (VVV)"]
    assert names[4].startswith("chosen: tied (EEE), K = 3")
    symbols = page.evaluate(f'() => document.querySelector("{PLOT}")._fullData[1].marker.symbol')
    assert symbols[4] == "square-open"  # diag K = 5, collapsed on whole minutes
    page.evaluate(  # back to the top for the screenshot
        "() => document.querySelectorAll('*').forEach(e => { if (e.scrollTop) e.scrollTop = 0; })"
    )
    assert page.console_errors == []


def test_a_click_on_the_chosen_star_opens_that_model_in_the_explorer(page: Page, app_url: str):
    failed = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto(
        f"{app_url}/choose-k?data=Old+Faithful&choose_k_types=tied&choose_k_k=2&choose_k_k=3"
    )
    page.get_by_role("button", name="Run the sweep").click()
    expect(page.get_by_text("the chosen model is")).to_contain_text(
        "tied (EEE) with K = 3", timeout=60_000
    )
    page.locator(PLOT).evaluate("graph => graph.scrollIntoView({block: 'center'})")
    box = page.locator(f"{PLOT} .scatterlayer .trace").last.locator(".point").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.get_by_text("Iteration 0", exact=False).first).to_be_visible(timeout=30_000)
    assert page.url.split("?")[0].rstrip("/") == app_url.rstrip("/")
    assert "k=3" in page.url and "cov=tied" in page.url
    # Opening a page's own URL, Streamlit first probes for its server under that path.
    assert all(re.search(r"/choose-k/_stcore/(health|host-config)$", url) for url in failed)
    assert len(page.console_errors) == len(failed)


def test_stop_interrupts_a_long_sweep_and_says_so(page: Page, app_url: str):
    failed = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto(
        f"{app_url}/choose-k?data=Old+Faithful&choose_k_n_init=20&choose_k_k=1&choose_k_k=15"
    )
    page.get_by_role("button", name="Run the sweep").click()
    page.get_by_role("button", name="Stop the sweep").click(timeout=30_000)
    expect(page.get_by_text("The sweep was stopped")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Run the sweep to score the models")).to_be_visible()
    assert all(re.search(r"/choose-k/_stcore/(health|host-config)$", url) for url in failed)
    assert len(page.console_errors) == len(failed)
