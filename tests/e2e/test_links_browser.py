"""Links to the exact step in headless Chromium, on the pages beyond the explorer: a
non-default set-up at a middle half-step, its URL opened in a fresh browser, shows the
same headings and numbers."""

import re

from conftest import SCREENSHOTS
from playwright.sync_api import Browser, Page, expect
from test_explorer_browser import choose, heading

RUN_HEADINGS = ".em-viz-text[data-name^='compare_run_heading_']"
"""Compare runs: each run's panel heading."""
GROUP_HEADING = ".em-viz-heading-small[data-name='compare_heading']"
"""Compare runs: the half-step shown, above the panels."""
BOUND = ".em-viz-plot[data-name='bound']"
NUMBERS = re.compile(r"log-likelihood .* · bound .* · gap")
"""Why EM works: the line of numbers beside the bound."""


def _fresh(browser: Browser, link: str, name: str, check) -> None:
    """Open ``link`` in a new browser context, run ``check`` on it, keep a screenshot."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    fresh = context.new_page()
    try:
        fresh.goto(link)
        check(fresh)
        assert fresh.url == link
        fresh.screenshot(path=SCREENSHOTS / f"{name}.png")
    finally:
        context.close()


def _table_cells(page: Page) -> list[str]:
    """The runs' table without its time column (the last)."""
    rows = page.get_by_test_id("stTable").locator("tbody tr")
    return [" ".join(row.locator("td").all_inner_texts()[:-1]) for row in rows.all()]


def test_a_compare_link_opens_the_same_runs_at_a_middle_half_step(
    browser: Browser, page: Page, app_url: str
):
    page.goto(f"{app_url}/compare")
    expect(page.locator(GROUP_HEADING)).to_have_text(
        "Iteration 0 · initial parameters", timeout=60_000
    )
    choose(page, "Data set", "Anisotropic blobs")
    page.wait_for_url("**data=Anisotropic+blobs**")
    seed = page.get_by_test_id("stSidebar").get_by_test_id("stExpander").nth(1)
    seed = seed.get_by_label("Init seed")
    seed.fill("7")
    seed.press("Enter")
    page.wait_for_url("**rs2=7**")
    for name, shown in (
        ("E-step", "Iteration 1 · after E-step"),
        ("M-step", "Iteration 1 · after M-step"),
        ("E-step", "Iteration 2 · after E-step"),
    ):
        page.get_by_role("button", name=name, exact=True).click()
        expect(page.locator(GROUP_HEADING)).to_have_text(shown, timeout=20_000)
    page.wait_for_url("**compare_step=3**")
    expect(page.locator(RUN_HEADINGS).nth(1)).to_have_text("Run 2 · seed 7 · k-means++")
    rows = page.get_by_test_id("stTable").locator("tbody tr")
    for row in (0, 1):  # the table is redrawn after the headings: one iteration done
        expect(rows.nth(row).locator("td").first).to_have_text("1")
    runs, cells = page.locator(RUN_HEADINGS).all_inner_texts(), _table_cells(page)

    def same(fresh: Page) -> None:
        expect(fresh.locator(GROUP_HEADING)).to_have_text(
            "Iteration 2 · after E-step", timeout=60_000
        )
        expect(fresh.locator(RUN_HEADINGS)).to_have_text(runs)
        expect(fresh.get_by_test_id("stTable").locator("tbody tr")).to_have_count(len(cells))
        assert _table_cells(fresh) == cells

    _fresh(browser, page.url, "compare_link_opened_fresh", same)


def test_a_why_em_works_link_starts_the_run_it_describes(
    browser: Browser, page: Page, app_url: str
):
    page.goto(app_url)
    expect(heading(page)).to_have_text("Iteration 0 · initial parameters", timeout=60_000)
    choose(page, "Data set", "Two moons")
    components = page.get_by_role("spinbutton", name="Components K")
    components.fill("4")
    components.press("Enter")
    page.wait_for_url("**k=4**")
    page.get_by_role("link", name="Why EM works").click()
    expect(heading(page)).to_have_text("Iteration 0 · initial parameters", timeout=60_000)
    page.wait_for_url("**data=Two+moons**")
    for name, shown in (
        ("Step", "Iteration 1 · after M-step"),
        ("E-step", "Iteration 2 · after E-step"),
    ):
        page.get_by_role("button", name=name, exact=True).click()
        expect(heading(page)).to_have_text(shown, timeout=20_000)
    page.wait_for_url("**step=3**")
    assert "k=4" in page.url
    # Right after an E-step the bound touches the log-likelihood (read once redrawn).
    expect(page.get_by_text(NUMBERS)).to_contain_text("gap 0.000")
    numbers = page.get_by_text(NUMBERS).inner_text()

    def same(fresh: Page) -> None:
        expect(heading(fresh)).to_have_text("Iteration 2 · after E-step", timeout=60_000)
        expect(fresh.get_by_text(NUMBERS)).to_have_text(numbers)
        fresh.wait_for_selector(f"{BOUND} .main-svg", timeout=30_000)

    _fresh(browser, page.url, "bound_link_opened_fresh", same)


def test_a_choose_k_link_runs_the_sweep_it_shows(browser: Browser, page: Page, app_url: str):
    page.goto(f"{app_url}/choose-k")
    choose(page, "Data set", "Old Faithful")
    page.wait_for_url("**data=Old+Faithful**")
    starts = page.get_by_role("spinbutton", name="Starts per model")
    starts.fill("1")
    starts.press("Enter")
    page.wait_for_url("**choose_k_n_init=1**")
    page.get_by_role("button", name="Run the sweep").click()
    chosen = page.get_by_text("the chosen model is")
    expect(chosen).to_be_visible(timeout=120_000)
    page.wait_for_url("**sweep=1**")
    sentence = chosen.inner_text()

    def same(fresh: Page) -> None:
        expect(fresh.get_by_text("the chosen model is")).to_have_text(sentence, timeout=120_000)

    _fresh(browser, page.url, "choose_k_link_opened_fresh", same)


def _optima(page: Page) -> str:
    """The multi-start's summary line (the optima's count, the best and its seed)."""
    summary = page.get_by_text(re.compile(r"distinct optim(um|a)\s+in \d+ starts"))
    expect(summary).to_be_visible(timeout=60_000)
    return summary.inner_text()


def test_a_multi_start_link_opens_the_tab_with_the_same_optima(
    browser: Browser, page: Page, app_url: str
):
    page.goto(f"{app_url}/compare?data=Two+moons")
    page.wait_for_selector(".em-viz-plot[data-name='compare_mixture_1'] .main-svg", timeout=60_000)
    page.get_by_role("tab", name="Multi-start").click()
    page.wait_for_url("**tab=multi**")
    page.get_by_role("button", name="Run the starts").click()
    shown = _optima(page)
    page.wait_for_url("**ms=1**")
    assert "in 50 starts" in shown
    cells = "[data-testid='stDataFrame'] [role='gridcell']"  # the table of optima
    expect(page.locator(cells).first).to_be_attached(timeout=20_000)
    optima = page.locator(cells).all_inner_texts()
    assert len(optima) >= 7  # a row at least

    def same_optima(fresh: Page) -> None:
        expect(fresh.get_by_role("tab", name="Multi-start")).to_have_attribute(
            "aria-selected", "true", timeout=60_000
        )
        assert _optima(fresh) == shown
        expect(fresh.locator(cells).first).to_be_attached(timeout=20_000)
        assert fresh.locator(cells).all_inner_texts() == optima

    _fresh(browser, page.url, "link_multi_start", same_optima)


def test_a_link_with_placed_means_starts_the_same_run(browser: Browser, page: Page, app_url: str):
    page.goto(f"{app_url}/?data=Old+Faithful&k=2&init=click+on+the+plot")
    expect(heading(page)).to_have_text("Click on the plot to place mean 1 of 2", timeout=60_000)
    clicks = page.locator(".em-viz-plot[data-name='mixture_clicks'] .nsewdrag")
    clicks.wait_for()
    box = clicks.bounding_box()
    for fx, fy in [(0.2, 0.8), (0.8, 0.2)]:
        page.mouse.move(box["x"] + fx * box["width"], box["y"] + fy * box["height"], steps=5)
        page.wait_for_timeout(150)  # Plotly reports the point hovered, as for a person
        page.mouse.down()
        page.mouse.up()
    expect(heading(page)).to_have_text("Iteration 0 · initial parameters", timeout=30_000)
    page.wait_for_url(re.compile(r"means=[-\d.e]+%2C[-\d.e]+%3B[-\d.e]+%2C[-\d.e]+"))
    page.get_by_role("button", name="Step", exact=True).click()
    expect(heading(page)).to_have_text("Iteration 1 · after M-step", timeout=20_000)
    page.wait_for_url("**step=2**")
    title = ".em-viz-plot[data-name='log_likelihood'] .gtitle"  # the objective's value
    page.wait_for_function(
        "() => document.querySelector(\".em-viz-plot[data-name='log_likelihood']\")"
        "?.dataset.rendered === '2'"
    )
    shown = page.locator(title).first.text_content()

    def same_run(fresh: Page) -> None:
        expect(heading(fresh)).to_have_text("Iteration 1 · after M-step", timeout=60_000)
        expect(fresh.locator(title).first).to_have_text(shown, timeout=20_000)

    _fresh(browser, page.url, "link_placed_means", same_run)
