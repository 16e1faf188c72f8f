"""Data in more than two dimensions in headless Chromium: Iris's four measurements as a
pairs grid stepped by EM, and the wine data on its principal components; screenshots at
1280x720 to look at as a lecturer's class would."""

import re

from conftest import SCREENSHOTS
from playwright.sync_api import Page, expect
from test_explorer_browser import MIXTURE, choose, heading, open_app, wait_drawn


def subplots(page: Page) -> int:
    """How many cells the mixture view draws (each has its own x axis, shown)."""
    return page.evaluate(
        f'() => {{ const layout = document.querySelector("{MIXTURE}")._fullLayout;'
        " return Object.keys(layout)"
        ".filter(name => /^xaxis[0-9]*$/.test(name) && layout[name].visible).length; }"
    )


def test_iris_in_four_dimensions_as_a_pairs_grid_then_on_its_principal_components(
    page: Page, app_url: str
):
    open_app(page, app_url)
    choose(page, "Data set", "Iris, four measurements")
    page.wait_for_function(
        f'() => document.querySelector("{MIXTURE}")?._fullData'
        '?.filter(t => t.name === "histogram").length === 4',
        timeout=30_000,
    )
    assert subplots(page) == 10  # four densities and six pairs
    for n in range(1, 4):
        page.get_by_role("button", name="Step", exact=True).click()
        expect(heading(page)).to_have_text(f"Iteration {n} · after M-step", timeout=30_000)
        wait_drawn(page, MIXTURE, 2 * n)
    page.mouse.move(1270, 710)  # no button's tooltip over the heading
    page.wait_for_timeout(600)  # the ellipses' glide
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "pairs_iris_grid.png")
    page.get_by_role("radio", name="Principal components").click()
    page.wait_for_function(
        f'() => document.querySelector("{MIXTURE}")?._fullLayout?.xaxis.title.text'
        '.startsWith("PC1 ")',
        timeout=30_000,
    )
    assert subplots(page) == 1
    assert page.console_errors == []


def test_wine_on_its_principal_components(page: Page, app_url: str):
    open_app(page, app_url)
    choose(page, "Data set", "Wine")
    expect(page.get_by_text("Features shown")).to_be_visible(timeout=30_000)
    page.get_by_role("radio", name="Principal components").click()
    page.wait_for_function(
        f'() => document.querySelector("{MIXTURE}")?._fullLayout?.xaxis.title.text'
        '.startsWith("PC1 ")',
        timeout=30_000,
    )
    page.get_by_role("radio", name="Instant").click()
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.get_by_text(re.compile("Converged after"))).to_be_visible(timeout=60_000)
    page.mouse.move(1270, 710)
    page.wait_for_timeout(800)
    points = page.evaluate(f'() => document.querySelector("{MIXTURE}")._fullData[0].x.length')
    assert points == 178
    page.screenshot(path=SCREENSHOTS / "pairs_wine_pca.png")
    assert page.console_errors == []
