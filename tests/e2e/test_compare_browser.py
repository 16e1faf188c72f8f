"""The compare page end to end in headless Chromium: two seeds of the same model, run to
convergence side by side, read back from the table."""

import re

from playwright.sync_api import Page, expect

PANEL = ".em-viz-plot[data-name='compare_mixture_{}']"


def test_two_seeds_run_to_convergence_side_by_side(page: Page, app_url: str):
    page.goto(app_url)
    page.get_by_role("link", name="Compare runs").click()
    page.wait_for_selector(f"{PANEL.format(1)} .main-svg", timeout=60_000)
    sidebar = page.get_by_test_id("stSidebar")
    seed = sidebar.get_by_test_id("stExpander").nth(1).get_by_label("Init seed")
    seed.fill("7")
    seed.press("Enter")
    second = page.locator("h6").filter(has_text="Run 2")
    expect(second).to_contain_text("seed 7", timeout=30_000)

    page.get_by_role("button", name="Run", exact=True).click()
    for number in (1, 2):
        heading = page.locator("h6").filter(has_text=f"Run {number} ·")
        expect(heading).to_contain_text(re.compile(r"iteration \d+ · converged"), timeout=30_000)
    expect(page.get_by_role("button", name="Run", exact=True)).to_be_disabled()

    rows = page.get_by_test_id("stTable").locator("tbody tr")
    expect(rows).to_have_count(2)
    for number, row in enumerate(rows.all(), start=1):
        cells = row.locator("th, td").all_inner_texts()
        heading = page.locator("h6").filter(has_text=f"Run {number} ·").inner_text()
        iterations = re.search(r"iteration (\d+)", heading).group(1)
        assert cells[0] == f"Run {number}"
        assert cells[1] == iterations and cells[2] == "yes"
        assert float(cells[4]) < 0  # mean log-likelihood per point
    curves = page.evaluate(
        "() => document.querySelector(\".em-viz-plot[data-name='compare_curves']\")"
        "._fullData.map(t => t.name)"
    )
    assert curves == ["Run 1", "Run 2"]
    page.evaluate(  # back to the top for the screenshot
        "() => document.querySelectorAll('*').forEach(e => { if (e.scrollTop) e.scrollTop = 0; })"
    )
    assert page.console_errors == []
