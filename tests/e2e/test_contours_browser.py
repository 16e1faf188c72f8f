"""The explorer's density contours in the browser: drawn under the ellipses when the
toggle is on, redrawn by a Step, and played with the run's frames."""

from playwright.sync_api import Page, expect

MIXTURE = ".em-viz-plot[data-name='mixture']"
HEADING = ".em-viz-heading"
LINES = f"""() => Array.from(
    document.querySelectorAll("{MIXTURE} .contourlayer .contourlevel path"),
    (path) => path.getAttribute("d"),
).filter((d) => d && d !== "M0,0").join(" ")"""
"""The contour lines' SVG paths, as one string."""


def test_density_contours_are_drawn_and_follow_the_run(page: Page, app_url: str):
    page.goto(app_url + "/?data=Three+Gaussians&npc=667&k=3&init=random-points&rs=1")
    page.wait_for_selector(f"{MIXTURE} .main-svg", timeout=60_000)
    assert page.evaluate(LINES) == ""
    page.get_by_text("Density contours", exact=True).click()
    page.wait_for_function(f"() => ({LINES})().length > 0", timeout=30_000)
    at_start = page.evaluate(LINES)
    page.get_by_role("button", name="Step", exact=True).click()
    expect(page.locator(HEADING)).to_have_text("Iteration 1 · after M-step", timeout=30_000)
    page.wait_for_function(f"(before) => ({LINES})() !== before", arg=at_start, timeout=30_000)
    after_step = page.evaluate(LINES)
    # Back to the start with the slider (the run's frames): the first contours again.
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    expect(page.locator(HEADING)).to_contain_text("Viewing Iteration 0 · initial parameters")
    page.wait_for_function(f"(then) => ({LINES})() !== then", arg=after_step, timeout=30_000)
    page.get_by_role("button", name="Step", exact=True).click()  # from the start again
    expect(page.locator(HEADING)).to_have_text("Iteration 1 · after M-step", timeout=30_000)
    assert page.console_errors == []
