"""The explorer end to end in headless Chromium: what a lecturer does in front of a class."""

import itertools
import re

from playwright.sync_api import Page, expect

MIXTURE = ".em-viz-plot[data-name='mixture']"
CURVE = ".em-viz-plot[data-name='log_likelihood']"


def open_app(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(f"{MIXTURE} .main-svg", timeout=60_000)


def heading(page: Page):
    return page.locator("h3, .em-viz-heading").first


def choose(page: Page, label: str, option: str) -> None:
    """Pick an option of a sidebar selectbox by its label."""
    page.get_by_test_id("stSelectbox").filter(has_text=label).click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).click()


def plotted(page: Page, selector: str, trace: int, axis: str) -> list[float]:
    return page.evaluate(
        f'() => Array.from(document.querySelector("{selector}")._fullData[{trace}].{axis})'
    )


def wait_drawn(page: Page, selector: str, revision: int) -> None:
    """Until the graph shows the server's figure of ``revision`` with no glide under way,
    so that its numbers are the half-step's own (a step made ahead is drawn at the press,
    and glides there before the server's figure arrives)."""
    page.wait_for_function(
        f"""() => {{
            const graph = document.querySelector("{selector}");
            const gliding = Object.values(window.emVizTimelines || {{}}).some((timeline) =>
                Object.values(timeline.views).some((view) => view.glide || view.svgGlide));
            return graph?.dataset.rendered === '{revision}'
                && graph.dataset.revision === '{revision}' && !gliding;
        }}""",
        timeout=30_000,
    )


def test_pick_a_preset_and_step_five_times(page: Page, app_url: str):
    open_app(page, app_url)
    choose(page, "Data set", "Old Faithful")
    expect(page.get_by_text("272 eruptions")).to_be_visible()
    page.wait_for_function(
        f'() => document.querySelector("{MIXTURE}")._fullData[0].x.length === 272'
    )
    step = page.get_by_role("button", name="Step", exact=True)
    n = 0
    while n < 5 and step.is_enabled():  # Step is disabled once the run has converged
        step.click()
        n += 1
        expect(heading(page)).to_have_text(f"Iteration {n} · after M-step", timeout=30_000)
    if n < 5:
        expect(page.get_by_text(f"Converged after {n} iterations")).to_be_visible()
    wait_drawn(page, CURVE, 2 * n)
    curve = plotted(page, CURVE, 0, "y")
    assert len(curve) == 2 * n + 1
    assert all(b >= a for a, b in itertools.pairwise(curve))
    assert page.console_errors == []


def test_an_m_step_moves_the_ellipses_visibly(page: Page, app_url: str):
    open_app(page, app_url)
    page.get_by_role("button", name="E-step", exact=True).click()
    wait_drawn(page, MIXTURE, 1)
    # The E-step's redraw is a 350 ms transition of its own: a figure arriving during it
    # is drawn at once (Plotly cuts a transition short), so wait for it to end.
    page.wait_for_timeout(800)
    ellipse = f"{MIXTURE} .scatterlayer .trace:nth-child(4) path.js-line"  # 1-sigma, component 1
    before = page.locator(ellipse).get_attribute("d")
    # The drawn path at every animation frame, in the page, while it glides to its new
    # place (however long the browser or the server take).
    page.evaluate(
        f"""() => {{
            const shapes = (window.shapes = new Set());
            const sample = () => {{
                shapes.add(document.querySelector("{ellipse}").getAttribute("d"));
                requestAnimationFrame(sample);
            }};
            sample();
        }}"""
    )
    page.get_by_role("button", name="M-step", exact=True).click()
    wait_drawn(page, MIXTURE, 2)
    page.wait_for_timeout(500)  # the server's figure after the glide
    after = page.locator(ellipse).get_attribute("d")
    shapes = set(page.evaluate("() => Array.from(window.shapes)"))
    assert after != before
    assert len(shapes - {before, after}) >= 2, "no in-between frames: the motion was not shown"


def test_a_malformed_csv_leaves_the_data_in_place(page: Page, app_url: str):
    open_app(page, app_url)
    page.get_by_role("button", name="Step", exact=True).click()
    expect(heading(page)).to_have_text("Iteration 1 · after M-step")
    before = plotted(page, MIXTURE, 0, "x")
    page.get_by_text("Upload CSV").click()
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "broken.csv", "mimeType": "text/csv", "buffer": b"a,b\n1,2\n3,4,5\n"}]
    )
    expect(page.get_by_text(re.compile("Line 3 of the file"))).to_be_visible(timeout=30_000)
    expect(page.get_by_text(re.compile("already loaded stays"))).to_be_visible()
    expect(heading(page)).to_have_text("Iteration 1 · after M-step")
    assert plotted(page, MIXTURE, 0, "x") == before
    assert page.get_by_text("Traceback").count() == 0
    assert page.console_errors == []


def test_place_the_initial_means_by_clicking(page: Page, app_url: str):
    open_app(page, app_url)
    choose(page, "Initialisation", "click on the plot")
    expect(heading(page)).to_have_text("Click on the plot to place mean 1 of 3")
    clicks = page.locator(".em-viz-plot[data-name='mixture_clicks'] .nsewdrag")
    clicks.wait_for()
    box = clicks.bounding_box()
    for n, (fx, fy) in enumerate([(0.3, 0.75), (0.7, 0.3), (0.3, 0.3)], start=1):
        page.mouse.move(box["x"] + fx * box["width"], box["y"] + fy * box["height"], steps=5)
        page.wait_for_timeout(150)  # Plotly reports the point hovered, as for a person
        page.mouse.down()
        page.mouse.up()
        if n < 3:
            expect(heading(page)).to_have_text(f"Click on the plot to place mean {n + 1} of 3")
    expect(heading(page)).to_have_text("Iteration 0 · initial parameters", timeout=30_000)
    wait_drawn(page, MIXTURE, 0)
    means_x = [plotted(page, MIXTURE, trace, "x")[0] for trace in (4, 7, 10)]
    assert means_x[0] < means_x[1] and means_x[2] < means_x[1]
    assert page.console_errors == []


def test_run_animates_to_convergence(page: Page, app_url: str):
    open_app(page, app_url)
    page.get_by_text("12 / s", exact=True).click()
    page.get_by_role("button", name="Run", exact=True).click()
    main = page.get_by_test_id("stMainBlockContainer")
    expect(main.get_by_role("button", name="Stop", exact=True)).to_be_visible()
    seen = set()
    for _ in range(30):
        seen.add(heading(page).inner_text())
        page.wait_for_timeout(100)
    assert len(seen) >= 3, f"the run did not animate: {seen}"
    expect(page.get_by_text(re.compile(r"Converged after \d+ iterations"))).to_be_visible(
        timeout=90_000
    )
    expect(page.get_by_role("button", name="Run", exact=True)).to_be_disabled()
    assert page.console_errors == []


def test_a_link_made_before_opens_the_same_set_up(page: Page, app_url: str):
    page.goto(f"{app_url}/?data=Old+Faithful&k=2&cov=full&init=kmeans&rs=0&alg=soft")
    page.wait_for_selector(f"{MIXTURE} .main-svg", timeout=60_000)
    expect(page.get_by_text("272 eruptions")).to_be_visible()
    page.wait_for_function(
        f'() => document.querySelector("{MIXTURE}")._fullData.length === 2 + 3 * 2 + 3'
    )
    assert len(plotted(page, MIXTURE, 0, "x")) == 272
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_role("spinbutton", name="Components K")).to_have_value("2")
    expect(sidebar.get_by_role("combobox", name="Initialisation")).to_have_value("k-means fit")
    assert "data=Old+Faithful" in page.url and "k=2" in page.url
    assert page.console_errors == []
