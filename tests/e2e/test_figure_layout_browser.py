"""What only a browser shows: legends in one row, views of the same ranges, formulas and
labels whole, at 1280x720."""

from urllib.parse import quote

from playwright.sync_api import Page, expect

MIXTURE = ".em-viz-plot[data-name='mixture']"
PLACING = ".em-viz-plot[data-name='mixture_clicks']"
CURVE = ".em-viz-plot[data-name='log_likelihood']"


def open_explorer(page: Page, url: str, query: str, plot: str = MIXTURE) -> None:
    page.goto(f"{url}/?{query}")
    page.wait_for_selector(f"{plot} .main-svg", timeout=60_000)
    page.wait_for_timeout(500)  # Plotly's legend is laid out after the first draw


def legend_rows(page: Page, plot: str) -> int:
    """How many rows the plot's legend entries take."""
    return page.evaluate(
        f"""() => new Set(Array.from(document.querySelectorAll("{plot} .legend .traces"))
            .map(entry => Math.round(entry.getBoundingClientRect().top))).size"""
    )


def entries_overlap_or_overflow(page: Page, plot: str) -> list[str]:
    """Legend entries (symbol and text) that run into the next entry of their row or out
    of the figure."""
    return page.evaluate(
        f"""() => {{
            const box = document.querySelector("{plot} .main-svg").getBoundingClientRect();
            const entries = Array.from(document.querySelectorAll("{plot} .legend .traces"))
                .map(entry => [entry.textContent, entry.getBoundingClientRect()]);
            const bad = [];
            entries.forEach(([name, r], i) => {{
                if (r.right > box.right + 0.5) bad.push(name + " overflows");
                const next = entries[i + 1];
                if (next && Math.abs(next[1].top - r.top) < 2 && next[1].left < r.right - 0.5)
                    bad.push(name + " runs into " + next[0]);
            }});
            return bad;
        }}"""
    )


def x_range(page: Page, plot: str) -> list[float]:
    return page.evaluate(f'() => document.querySelector("{plot}")._fullLayout.xaxis.range')


def test_the_mixture_legend_is_one_row_at_three_and_at_ten_components(page: Page, app_url: str):
    for k in (3, 10):
        open_explorer(page, app_url, f"data={quote('Four tight blobs')}&k={k}")
        page.wait_for_function(
            f'() => document.querySelector("{MIXTURE}")._fullData.length === {2 + 3 * k + 3}'
        )
        assert legend_rows(page, MIXTURE) == 1
        assert entries_overlap_or_overflow(page, MIXTURE) == []
    assert page.console_errors == []


def test_the_curves_legend_is_whole_with_a_long_objective_name(page: Page, app_url: str):
    open_explorer(page, app_url, "alg=hard")
    page.get_by_role("button", name="Step", exact=True).click()
    page.wait_for_function(
        f'() => document.querySelector("{CURVE}")?.dataset.rendered === "2"', timeout=30_000
    )
    names = page.evaluate(
        f"""() => Array.from(document.querySelectorAll("{CURVE} .legend .legendtext"))
            .map(t => t.textContent)"""
    )
    assert "shown now" in names
    assert entries_overlap_or_overflow(page, CURVE) == []


def test_placing_means_shows_the_run_views_ranges_and_one_toast(page: Page, app_url: str):
    open_explorer(
        page, app_url, f"data={quote('Two moons')}&k=2&init={quote('click on the plot')}", PLACING
    )
    placing = x_range(page, PLACING)
    clicks = page.locator(f"{PLACING} .nsewdrag")
    box = clicks.bounding_box()
    for n, (fx, fy) in enumerate([(0.3, 0.5), (0.7, 0.5)], start=1):
        page.mouse.move(box["x"] + fx * box["width"], box["y"] + fy * box["height"], steps=5)
        page.wait_for_timeout(150)
        page.mouse.down()
        page.mouse.up()
        if n == 1:
            expect(page.locator("h3").first).to_have_text("Click on the plot to place mean 2 of 2")
            assert page.get_by_test_id("stToast").count() == 0  # still placing: no toast
    expect(page.locator("h3, .em-viz-heading").first).to_have_text(
        "Iteration 0 · initial parameters", timeout=30_000
    )
    page.wait_for_selector(f"{MIXTURE} .main-svg")
    expect(page.get_by_test_id("stToast")).to_have_count(1)
    expect(page.get_by_test_id("stToast")).to_contain_text("Initial means placed")
    run = x_range(page, MIXTURE)
    assert abs(run[0] - placing[0]) < 1e-6 and abs(run[1] - placing[1]) < 1e-6
    assert page.console_errors == []


def test_how_em_works_shows_its_formulas_whole_and_its_symbols_typeset(page: Page, app_url: str):
    open_explorer(page, app_url, "k=3")
    page.get_by_text("How EM works here").click()
    expander = page.get_by_test_id("stExpander")
    expect(expander.locator(".katex-display").first).to_be_visible()
    cut = page.evaluate(
        """() => Array.from(document.querySelectorAll("[data-testid=stExpander] .katex-display"))
            .filter(f => f.querySelector(".katex-html").getBoundingClientRect().width
                > f.getBoundingClientRect().width + 0.5).length"""
    )
    assert cut == 0
    prose = expander.get_by_test_id("stMarkdownContainer").all_inner_texts()
    assert not any("π_k" in text or "μ_k" in text or "$" in text for text in prose)
    assert expander.locator("[data-testid=stMarkdownContainer] .katex").count() >= 3
