"""A mean dragged by hand in the explorer, over WebGL points: its ellipses follow it, the
history records the move, and EM goes on from there."""

from playwright.sync_api import Browser, Page, expect

MIXTURE = ".em-viz-plot[data-name='mixture']"
HEADING = ".em-viz-heading"

MEAN = f"""(component) => {{
    const graph = document.querySelector("{MIXTURE}");
    const trace = graph._fullData.find(
        (t) => t.legendgroup === `Component ${{component + 1}}` && t.mode === "markers+text"
    );
    const inner = graph._fullData.filter((t) => t.legendgroup === trace.legendgroup)[1];
    const {{ xaxis, yaxis }} = graph._fullLayout;
    const box = graph.getBoundingClientRect();
    return {{
        data: [trace.x[0], trace.y[0]],
        screen: [
            box.left + xaxis._offset + xaxis.d2p(trace.x[0]),
            box.top + yaxis._offset + yaxis.d2p(trace.y[0]),
        ],
        ellipse: [Array.from(inner.x).slice(0, 3), Array.from(inner.y).slice(0, 3)],
        layered: graph.classList.contains("em-viz-layered"),
        order: [".gl-container", ".main-svg"].map(
            (part) => Number(getComputedStyle(graph.querySelector(part)).zIndex)
        ),
    }};
}}"""
"""Component ``component``'s mean in data and on screen, the first points of its 1-sigma
ellipse, and how the graph stacks WebGL (the points) under SVG (the ellipses, means)."""


def test_a_mean_dragged_by_hand_moves_with_its_ellipses_and_em_goes_on(
    page: Page, app_url: str, browser: Browser
):
    page.goto(app_url + "/?data=Three+Gaussians&npc=667&k=3&init=random-points&rs=1")
    page.wait_for_selector(f"{MIXTURE} .main-svg", timeout=60_000)
    page.get_by_role("button", name="Step", exact=True).click()
    expect(page.locator(HEADING)).to_have_text("Iteration 1 · after M-step", timeout=30_000)
    page.wait_for_timeout(800)  # the glide and the server's figure after it
    before = page.evaluate(MEAN, 0)
    assert before["layered"] and before["order"][0] < before["order"][1]  # SVG on top

    x, y = before["screen"]
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x + 8 * step, y - 5 * step)
    dragging = page.evaluate(MEAN, 0)
    page.mouse.up()

    # While dragged, the ellipse moves exactly as the mean does (its covariance kept).
    shift = [a - b for a, b in zip(dragging["data"], before["data"], strict=True)]
    assert abs(dragging["screen"][0] - (x + 80)) < 2 and abs(dragging["screen"][1] - (y - 50)) < 2
    for axis in (0, 1):
        for moved, start in zip(dragging["ellipse"][axis], before["ellipse"][axis], strict=True):
            assert abs(moved - start - shift[axis]) < 1e-6 * max(1.0, abs(start))

    expect(page.locator(HEADING)).to_have_text(
        "Iteration 1 · mean 1 moved by hand", timeout=30_000
    )
    page.wait_for_timeout(800)
    after = page.evaluate(MEAN, 0)  # the server's figure: the mean where it was let go
    for axis in (0, 1):
        assert abs(after["data"][axis] - dragging["data"][axis]) < 1e-6 * max(
            1.0, abs(dragging["data"][axis])
        )
    slider = page.locator(".em-viz-slider-label")
    expect(slider).to_have_text("Iteration 1 · mean 1 moved by hand")

    page.get_by_role("button", name="Step", exact=True).click()
    expect(page.locator(HEADING)).to_have_text("Iteration 2 · after M-step", timeout=30_000)
    assert page.console_errors == []

    # The link holds the move: opened in a fresh browser, the same run at the same step.
    page.wait_for_function("() => new URL(location.href).searchParams.get('step') === '5'")
    page.wait_for_timeout(800)  # the glide, whose means are in between until it ends
    link, moved = page.url, page.evaluate(MEAN, 0)["data"]
    assert "moves=" in link
    fresh = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        other = fresh.new_page()
        other.goto(link)
        expect(other.locator(HEADING)).to_have_text("Iteration 2 · after M-step", timeout=60_000)
        other.wait_for_timeout(800)
        shown = other.evaluate(MEAN, 0)["data"]  # (a frame's numbers are float32)
        assert all(abs(a - b) < 1e-6 * max(1.0, abs(b)) for a, b in zip(shown, moved, strict=True))
    finally:
        fresh.close()
