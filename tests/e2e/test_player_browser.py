"""The explorer's run played in the browser: Run at display speed with glides, the
history slider and the keys with no round trip, and Stop where the picture is."""

import io
import re

import numpy as np
import pytest
from conftest import SCREENSHOTS
from PIL import Image, ImageChops
from playwright.sync_api import Page, expect

MIXTURE = ".em-viz-plot[data-name='mixture']"
HEADING = ".em-viz-heading"
SLIDER = ".em-viz-range"

SAMPLE = f"""() => [
    document.querySelector("{HEADING}").textContent,
    document.querySelector(".em-viz-slider-label").textContent,
    document.querySelector("{MIXTURE}").dataset.rendered,
    window.emVizPlayer.labels[Number(document.querySelector("{MIXTURE}").dataset.rendered)],
]"""
"""The heading, the slider's label, the frame the picture shows and that frame's label."""


def label_of(heading: str) -> str:
    """The slider's label for a heading: 'Iteration 3 · after E-step' -> '... · E-step'."""
    if heading.endswith("initial parameters"):
        return "Start"
    return re.sub(r" · after (.)-step$", r" · \1-step", heading)


def play_and_sample(page: Page, sample: str) -> tuple[list, list[str]]:
    """Press Run and evaluate ``sample`` every 40 ms while the browser plays; then the
    samples and the slider's labels. At least ten headings (the first of each sample)
    must have been seen."""
    page.get_by_role("button", name="Run", exact=True).click()
    page.wait_for_function("() => window.emVizPlayer?.playing === true", timeout=30_000)
    samples = []
    while page.evaluate("() => window.emVizPlayer.playing"):
        samples.append(page.evaluate(sample))
        page.wait_for_timeout(40)
    assert len({heading for heading, *_ in samples}) >= 10, "the run did not play"
    return samples, page.evaluate("() => window.emVizPlayer.labels")


def open_explorer(page: Page, url: str) -> None:
    page.goto(url + "/?data=Old+Faithful&k=3&init=random-points&rs=3")
    page.wait_for_selector(f"{MIXTURE} .main-svg", timeout=60_000)
    expect(page.locator(HEADING)).to_have_text("Iteration 0 · initial parameters")


def test_run_plays_in_the_browser_and_heading_slider_and_picture_agree(page: Page, app_url: str):
    open_explorer(page, app_url)
    page.get_by_text("12 / s", exact=True).click()
    samples, labels = play_and_sample(page, SAMPLE)
    for heading, label, rendered, _ in samples:
        # The picture may be gliding into the frame the heading names: it shows that
        # frame or the one before, never one ahead.
        assert label == label_of(heading)
        assert int(rendered) in (labels.index(label), labels.index(label) - 1), heading
    expect(page.get_by_text(re.compile(r"Converged after \d+ iterations"))).to_be_visible(
        timeout=30_000
    )
    last = page.evaluate("() => window.emVizPlayer.count - 1")
    expect(page.locator(MIXTURE)).to_have_attribute("data-rendered", str(last))
    assert page.console_errors == []


def test_scrubbing_and_keys_draw_a_frame_with_no_round_trip(page: Page, app_url: str):
    open_explorer(page, app_url)
    page.get_by_text("Instant", exact=True).click()
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.get_by_text(re.compile(r"Converged after \d+ iterations"))).to_be_visible(
        timeout=30_000
    )
    page.wait_for_function("() => window.emVizPlayer?.count > 6", timeout=30_000)
    # Drawn at once, in the same task as the input: the server has not been asked yet.
    drawn = page.evaluate(
        f"""() => {{
            const input = document.querySelector("{SLIDER}");
            input.value = "3";
            input.dispatchEvent(new Event("input"));
            const graph = document.querySelector("{MIXTURE}");
            return [graph.dataset.rendered, document.querySelector("{HEADING}").textContent];
        }}"""
    )
    assert drawn[0] == "3"
    assert drawn[1].startswith("Viewing Iteration 2 · after E-step (latest: Iteration")
    means = page.evaluate(f'() => document.querySelector("{MIXTURE}")._fullData[4].x[0]')
    page.evaluate("() => document.activeElement?.blur()")
    page.keyboard.press("ArrowRight")
    expect(page.locator(MIXTURE)).to_have_attribute("data-rendered", "4")
    expect(page.locator(HEADING)).to_contain_text("Viewing Iteration 2 · after M-step")
    page.wait_for_timeout(600)  # the glide, and the server's answer to where it stopped
    moved = page.evaluate(f'() => document.querySelector("{MIXTURE}")._fullData[4].x[0]')
    assert moved != means  # an M-step: the means moved
    expect(page.get_by_text("go on from here")).to_be_visible()  # the server follows
    page.keyboard.press("ArrowLeft")
    expect(page.locator(MIXTURE)).to_have_attribute("data-rendered", "3")
    page.screenshot(path=SCREENSHOTS / "player_scrubbed.png")
    assert page.console_errors == []


def test_stop_keeps_the_run_where_the_picture_is(page: Page, app_url: str):
    open_explorer(page, app_url)
    page.get_by_text("1 / s", exact=True).click()
    page.get_by_role("button", name="Run", exact=True).click()
    page.wait_for_function("() => window.emVizPlayer?.playing === true", timeout=30_000)
    page.wait_for_function("() => window.emVizPlayer.position >= 3", timeout=30_000)
    page.evaluate("() => document.activeElement?.blur()")
    page.keyboard.press("r")
    stopped = page.evaluate(f'() => document.querySelector("{HEADING}").textContent')
    main = page.get_by_test_id("stMainBlockContainer")
    expect(main.get_by_role("button", name="Run", exact=True)).to_be_enabled(timeout=30_000)
    # The half-steps computed ahead but not shown are dropped: the shown one is the latest.
    expect(page.locator(HEADING)).to_have_text(stopped)
    assert not stopped.startswith("Viewing")
    page.wait_for_function(  # the slider's half-steps are the run's, to the one shown
        "() => window.emVizPlayer.count === window.emVizPlayer.position + 1", timeout=30_000
    )
    page.screenshot(path=SCREENSHOTS / "player_stopped.png")
    assert page.console_errors == []


DRAWING = f"""() => {{
    const graph = document.querySelector("{MIXTURE}");
    const numbers = (text) => (text || "").match(/-?[0-9.]+(e-?[0-9]+)?/g) || [];
    const read = (trace, selector, attributes) => Array.from(
        trace.querySelectorAll(selector),
        (node) => attributes.flatMap((name) => numbers(node.getAttribute(name))),
    );
    return Array.from(graph.querySelectorAll(".scatterlayer .trace"), (trace) => [
        ...read(trace, "path.js-line", ["d"]),
        ...read(trace, "path.point", ["transform"]),
        ...read(trace, "g.textpoint text", ["x", "y"]),
    ].flat().map(Number));
}}"""
"""Every number of the graph's SVG lines, markers and texts, trace by trace."""

SCRUB_THROUGH = f"""(positions) => {{
    const graph = document.querySelector("{MIXTURE}");
    const input = document.querySelector("{SLIDER}");
    let plotted = 0;
    graph.on("plotly_afterplot", () => plotted++);
    for (const position of positions) {{
        plotted = 0;
        input.value = String(position);
        input.dispatchEvent(new Event("input"));
    }}
    return plotted;
}}"""
"""Move the history slider through ``positions``: how often Plotly drew the last one."""


def run_instantly(page: Page) -> None:
    """Run at "Instant", until the browser has the frames and has drawn the last."""
    page.get_by_text("Instant", exact=True).click()
    page.get_by_role("button", name="Run", exact=True).click()
    page.wait_for_function("() => window.emVizPlayer?.count > 6", timeout=30_000)
    page.wait_for_timeout(1_000)


def test_a_scrubbed_frame_is_drawn_as_plotly_draws_it(page: Page, app_url: str):
    open_explorer(page, app_url)
    run_instantly(page)
    before = page.evaluate(DRAWING)
    # From an E-step to the M-step after it: only the ellipses and means move, drawn
    # straight into the SVG, with no drawing by Plotly.
    assert page.evaluate(SCRUB_THROUGH, [3, 4]) == 0
    scrubbed = page.evaluate(DRAWING)
    page.evaluate(f'() => window.Plotly.redraw(document.querySelector("{MIXTURE}"))')
    drawn = page.evaluate(DRAWING)
    assert scrubbed != before  # the ellipses moved
    assert [len(trace) for trace in scrubbed] == [len(trace) for trace in drawn]
    for mine, plotly in zip(scrubbed, drawn, strict=True):
        assert mine == pytest.approx(plotly, abs=0.01)
    assert page.console_errors == []


def test_recoloured_webgl_points_are_drawn_as_plotly_draws_them(page: Page, app_url: str):
    page.goto(app_url + "/?data=Three+Gaussians&npc=667&k=3&init=random-points&rs=1")
    page.wait_for_selector(f"{MIXTURE} .main-svg", timeout=60_000)
    run_instantly(page)
    assert page.evaluate(f'() => document.querySelector("{MIXTURE}")._fullData[0].type') == (
        "scattergl"
    )
    # From an M-step to the E-step after it: only the points' colours change, drawn
    # straight into their WebGL scene, with no drawing by Plotly.
    assert page.evaluate(SCRUB_THROUGH, [4, 5]) == 0
    page.wait_for_timeout(100)
    graph = page.locator(MIXTURE)
    mine = Image.open(io.BytesIO(graph.screenshot())).convert("RGB")
    page.evaluate(f'() => window.Plotly.redraw(document.querySelector("{MIXTURE}"))')
    page.wait_for_timeout(300)
    plotly = Image.open(io.BytesIO(graph.screenshot())).convert("RGB")
    difference = np.asarray(ImageChops.difference(mine, plotly))
    assert difference.max() <= 2, np.argwhere(difference.max(axis=2) > 2)[:5]
    page.evaluate(SCRUB_THROUGH, [4])
    page.wait_for_timeout(100)
    assert np.asarray(Image.open(io.BytesIO(graph.screenshot())).convert("RGB")).tolist() != (
        np.asarray(plotly).tolist()
    )  # the colours of the M-step before are not those
    assert page.console_errors == []


PRESS = f"""([name, graph]) => {{
    const button = Array.from(document.querySelectorAll("button"))
        .find((b) => b.textContent.trim() === name);
    button.click();
    return [
        document.querySelector(graph).dataset.rendered,
        document.querySelector("{HEADING}").textContent,
        document.querySelector(".em-viz-slider-label").textContent,
    ];
}}"""
"""Press a step button; in the same task (before any answer from the server), the frame
the graph shows, the heading and the slider's label."""


def wait_for_ahead(page: Page, count: int) -> None:
    """Until the browser has the run's ``count`` half-steps and the next Step made ahead."""
    page.wait_for_function(
        f"""() => window.emVizPlayer?.count === {count} && window.emVizPlayer.pressed === null
            && Object.keys(window.emVizPlayer.ahead || {{}}).some((k) => k.endsWith("Step"))""",
        timeout=30_000,
    )
    page.wait_for_timeout(500)  # the glide before, and the server's figure after it


def test_a_step_is_drawn_at_the_press_from_half_steps_made_ahead(page: Page, app_url: str):
    open_explorer(page, app_url)
    wait_for_ahead(page, 1)
    # The half-steps made ahead are not on the slider until pressed.
    assert page.evaluate(f'() => document.querySelector("{SLIDER}").max') == "0"
    shown = page.evaluate(PRESS, ["Step", MIXTURE])
    assert shown == ["2", "Iteration 1 · after M-step", "Iteration 1 · M-step"]
    page.wait_for_timeout(450)  # the glide
    ahead = page.evaluate(DRAWING)
    wait_for_ahead(page, 3)  # the server made them history, and the next Step ahead
    answered = page.evaluate(DRAWING)  # the server's figure, drawn by Plotly after the glide
    assert [len(trace) for trace in ahead] == [len(trace) for trace in answered]
    for mine, plotly in zip(ahead, answered, strict=True):
        assert mine == pytest.approx(plotly, abs=0.01)
    expect(page.locator(HEADING)).to_have_text("Iteration 1 · after M-step")
    # E-step, M-step and the next key show theirs at the press too.
    assert page.evaluate(PRESS, ["E-step", MIXTURE])[:2] == ["3", "Iteration 2 · after E-step"]
    wait_for_ahead(page, 4)
    assert page.evaluate(PRESS, ["M-step", MIXTURE])[:2] == ["4", "Iteration 2 · after M-step"]
    wait_for_ahead(page, 5)
    page.evaluate("() => document.activeElement?.blur()")
    page.keyboard.press("ArrowRight")
    assert page.evaluate(f'() => document.querySelector("{MIXTURE}").dataset.rendered') == "5"
    wait_for_ahead(page, 6)
    expect(page.locator(HEADING)).to_have_text("Iteration 3 · after E-step")
    page.get_by_role("button", name="Back", exact=True).click()  # the server's history
    expect(page.locator(HEADING)).to_have_text("Iteration 2 · after M-step")
    assert page.console_errors == []
