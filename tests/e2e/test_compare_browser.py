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


def test_stop_ends_the_starts_and_the_page_says_how_many_ran(page: Page, app_url: str):
    # 90,000 points: a start takes a good fraction of a second, so Stop comes mid-way.
    failed = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto(f"{app_url}/compare?data=Three+Gaussians&npc=30000")
    page.wait_for_selector(f"{PANEL.format(1)} .main-svg", timeout=60_000)
    page.get_by_role("tab", name="Multi-start").click()
    page.get_by_role("button", name="Run the starts").click()
    bar = page.get_by_test_id("stProgress")
    expect(bar).to_contain_text(re.compile(r"[1-9]\d* of 50 starts"), timeout=60_000)
    page.get_by_role("button", name="Stop the starts").click()
    stopped = page.get_by_text(re.compile(r"Stopped after (\d+) of 50 starts"))
    expect(stopped).to_be_visible(timeout=30_000)
    done = int(re.search(r"after (\d+) of", stopped.inner_text()).group(1))
    assert 1 <= done < 50
    expect(bar).to_have_count(0)
    expect(page.get_by_role("button", name="Stop the starts")).to_have_count(0)
    summary = page.get_by_text(re.compile(r"distinct optim(um|a)\s+in \d+ starts"))
    expect(summary).to_contain_text(f"in {done} starts")
    # Opening a page's own URL, Streamlit first probes for its server under that path.
    assert all(re.search(r"/compare/_stcore/(health|host-config)$", url) for url in failed)
    assert len(page.console_errors) == len(failed)
