"""Iris's four measurements played in the browser as two features are: Run at display
speed with the heading, the slider and the pairs grid agreeing, and the history slider
scrubbing the grid (and the principal components) with no round trip."""

import re

from conftest import SCREENSHOTS
from playwright.sync_api import Page, expect
from test_player_browser import HEADING, MIXTURE, SAMPLE, SLIDER, label_of

IRIS4 = "/?data=Iris%2C+four+measurements&k=3&init=random-points&rs=3"
MEANS_X = f'() => document.querySelector("{MIXTURE}")._fullData.find(t => t.name === "means").x[0]'
"""The first mean's x in the grid's first cell of points."""


RECORD = f"""() => {{
    window.emVizSamples = [];
    const sample = {SAMPLE};
    const record = () => {{
        if (window.emVizPlayer?.playing) window.emVizSamples.push(sample());
        if (window.emVizSamples) requestAnimationFrame(record);
    }};
    requestAnimationFrame(record);
}}"""
"""Record the heading, the slider's label and the frame drawn at every paint while Run
plays, in the page: the grid's frames take long enough to draw on a slow machine that
asking from here each time would see too few of them."""


def play_and_record(page: Page) -> tuple[list, list[str]]:
    """Press Run and record :data:`RECORD`'s samples until the browser stops playing;
    then the samples and the slider's labels."""
    page.evaluate(RECORD)
    page.get_by_role("button", name="Run", exact=True).click()
    page.wait_for_function("() => window.emVizPlayer?.playing === true", timeout=30_000)
    page.wait_for_function("() => window.emVizPlayer.playing === false", timeout=60_000)
    samples = page.evaluate(
        "() => { const s = window.emVizSamples; delete window.emVizSamples; return s; }"
    )
    assert len({heading for heading, *_ in samples}) >= 10, "the run did not play"
    return samples, page.evaluate("() => window.emVizPlayer.labels")


def open_iris4(page: Page, url: str) -> None:
    page.goto(url + IRIS4)
    page.wait_for_function(  # the grid: four histograms
        f'() => document.querySelector("{MIXTURE}")?._fullData'
        '?.filter(t => t.name === "histogram").length === 4',
        timeout=60_000,
    )
    expect(page.locator(HEADING)).to_have_text("Iteration 0 · initial parameters")


def scrub_to(page: Page, index: int) -> list[str]:
    """Move the history slider to ``index`` and read, in the same task (before any answer
    from the server could arrive), the frame drawn and the heading; then let it go there
    (the server hears where it stopped)."""
    return page.evaluate(
        f"""() => {{
            const input = document.querySelector("{SLIDER}");
            input.value = "{index}";
            input.dispatchEvent(new Event("input"));
            const graph = document.querySelector("{MIXTURE}");
            const heading = document.querySelector("{HEADING}").textContent;
            const drawn = [graph.dataset.rendered, heading];
            input.dispatchEvent(new Event("change"));
            return drawn;
        }}"""
    )


def test_run_plays_the_pairs_grid_in_the_browser_with_heading_slider_and_grid_agreeing(
    page: Page, app_url: str
):
    open_iris4(page, app_url)
    page.get_by_text("12 / s", exact=True).click()
    samples, labels = play_and_record(page)
    for heading, label, rendered, _ in samples:
        # The grid may be gliding into the frame the heading names: it shows that frame
        # or the one before, never one ahead.
        assert label == label_of(heading)
        assert int(rendered) in (labels.index(label), labels.index(label) - 1), heading
    expect(page.get_by_text(re.compile(r"Converged after \d+ iterations"))).to_be_visible(
        timeout=30_000
    )
    last = page.evaluate("() => window.emVizPlayer.count - 1")
    expect(page.locator(MIXTURE)).to_have_attribute("data-rendered", str(last))
    assert page.console_errors == []


def test_the_slider_scrubs_the_grid_and_the_principal_components_with_no_round_trip(
    page: Page, app_url: str
):
    open_iris4(page, app_url)
    page.get_by_text("Instant", exact=True).click()
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.get_by_text(re.compile(r"Converged after \d+ iterations"))).to_be_visible(
        timeout=30_000
    )
    page.wait_for_function("() => window.emVizPlayer?.count > 8", timeout=30_000)
    rendered, heading = scrub_to(page, 3)
    assert rendered == "3"
    assert heading.startswith("Viewing Iteration 2 · after E-step (latest: Iteration")
    means = page.evaluate(MEANS_X)
    rendered, heading = scrub_to(page, 4)  # an M-step: the means move
    assert rendered == "4" and heading.startswith("Viewing Iteration 2 · after M-step")
    page.wait_for_timeout(600)  # the glide, and the server's answer to where it stopped
    assert page.evaluate(MEANS_X) != means
    expect(page.get_by_text("go on from here")).to_be_visible()  # the server follows
    expect(page.get_by_text("Parameters · Iteration 2 · after M-step")).to_be_visible()
    scrub_to(page, 8)
    page.mouse.move(1270, 710)  # no tooltip over the grid
    page.wait_for_timeout(600)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "pairs_player_scrubbed.png")
    page.get_by_role("radio", name="Principal components").click()
    page.wait_for_function(
        f'() => document.querySelector("{MIXTURE}")?._fullLayout?.xaxis.title.text'
        '.startsWith("PC1 ")',
        timeout=30_000,
    )
    expect(page.locator(MIXTURE)).to_have_attribute("data-rendered", "8")
    page.wait_for_timeout(600)  # the new view's frames arrive with it
    rendered, heading = scrub_to(page, 2)
    assert rendered == "2" and heading.startswith("Viewing Iteration 1 · after M-step")
    assert page.console_errors == []
