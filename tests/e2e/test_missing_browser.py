"""The explorer with hidden coordinates in headless Chromium: a link hides 30% of the
points' x2, the hollow points move at each E-step, the fit on complete rows is drawn
dashed, and each mechanism's converged picture is kept as a screenshot."""

import re

from conftest import SCREENSHOTS
from playwright.sync_api import Page, expect
from test_explorer_browser import MIXTURE, heading, plotted, wait_drawn

from em_viz.figures.points import HOLLOW, SYMBOL_CODES
from em_viz.ui.labels import COMPLETE_ROWS_LABEL


def _hollow(page: Page) -> list[bool]:
    """Which points the browser draws hollow (Plotly takes a symbol's name or number)."""
    symbols = page.evaluate(
        f'() => Array.from(document.querySelector("{MIXTURE}")._fullData[0].marker.symbol)'
    )
    return [s in (HOLLOW, SYMBOL_CODES[HOLLOW]) for s in symbols]


def _overlay(page: Page) -> None:
    page.get_by_text(COMPLETE_ROWS_LABEL).click()
    page.wait_for_function(
        f'() => document.querySelector("{MIXTURE}")._fullData'
        ".some(t => t.name === 'complete rows only' && t.line && t.line.dash === 'dash')",
        timeout=30_000,
    )


def _converge(page: Page) -> None:
    page.get_by_role("radio", name="Instant").click()
    page.get_by_role("button", name="Run", exact=True).click()
    badge = page.get_by_text(re.compile(r"Converged after \d+ iterations"))
    expect(badge).to_be_visible(timeout=60_000)
    iterations = int(re.search(r"after (\d+)", badge.inner_text()).group(1))
    wait_drawn(page, MIXTURE, 2 * iterations)  # the last half-step's picture is drawn


def test_hidden_coordinates_move_at_each_e_step_and_show_their_bias(page: Page, app_url: str):
    page.goto(f"{app_url}/?hide=30.0&mech=mnar")
    page.wait_for_selector(f"{MIXTURE} .main-svg", timeout=60_000)
    expect(page.get_by_text("90 of the 300 points have a coordinate hidden")).to_be_visible()
    page.get_by_role("button", name="E-step", exact=True).click()
    wait_drawn(page, MIXTURE, 1)
    assert sum(_hollow(page)) == 90
    first = plotted(page, MIXTURE, 0, "y")
    page.get_by_role("button", name="M-step", exact=True).click()
    wait_drawn(page, MIXTURE, 2)
    page.get_by_role("button", name="E-step", exact=True).click()
    wait_drawn(page, MIXTURE, 3)
    expect(heading(page)).to_have_text("Iteration 2 · after E-step")
    second = plotted(page, MIXTURE, 0, "y")
    hollow = _hollow(page)
    moved = [abs(a - b) > 1e-3 for a, b, h in zip(first, second, hollow, strict=True) if h]
    assert sum(moved) > 45  # the hollow points moved, the others stayed (frames are float32)
    assert all(abs(a - b) < 1e-5 for a, b, h in zip(first, second, hollow, strict=True) if not h)
    _overlay(page)
    _converge(page)
    expect(page.get_by_text(re.compile(r"Mean of x2: \d\.\d{3} before hiding"))).to_be_visible()
    page.mouse.move(1270, 400)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "missing_mnar.png")
    for mechanism in ("mcar", "mar"):
        page.goto(f"{app_url}/?hide=30.0&mech={mechanism}")
        page.wait_for_selector(f"{MIXTURE} .main-svg", timeout=60_000)
        _overlay(page)
        _converge(page)
        page.mouse.move(1270, 400)
        page.screenshot(path=SCREENSHOTS / f"missing_{mechanism}.png")
    assert page.console_errors == []
