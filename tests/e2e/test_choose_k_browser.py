"""The page "How many components?" end to end in headless Chromium: run the sweep on Old
Faithful and read the figure back."""

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
