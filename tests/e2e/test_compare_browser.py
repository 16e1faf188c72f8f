"""The compare page end to end in headless Chromium: two seeds of the same model, run to
convergence side by side, read back from the table."""

import re

from conftest import SCREENSHOTS
from playwright.sync_api import Page, expect

PANEL = ".em-viz-plot[data-name='compare_mixture_{}']"
RUN_HEADING = ".em-viz-text[data-name^='compare_run_heading_']"
GROUP_HEADING = ".em-viz-heading-small[data-name='compare_heading']"
SEEN_HEADINGS = f"""() => {{
    window.seenHeadings = [];
    new MutationObserver(() => {{
        const shown = document.querySelector("{GROUP_HEADING}")?.textContent;
        if (shown && shown !== window.seenHeadings.at(-1)) window.seenHeadings.push(shown);
    }}).observe(document.body, {{subtree: true, childList: true, characterData: true}});
}}"""
"""Records every text the runs' heading shows, however briefly."""


def test_two_seeds_run_to_convergence_side_by_side(page: Page, app_url: str):
    page.goto(app_url)
    page.get_by_role("link", name="Compare runs").click()
    page.wait_for_selector(f"{PANEL.format(1)} .main-svg", timeout=60_000)
    sidebar = page.get_by_test_id("stSidebar")
    seed = sidebar.get_by_test_id("stExpander").nth(1).get_by_label("Init seed")
    seed.fill("7")
    seed.press("Enter")
    second = page.locator(RUN_HEADING).filter(has_text="Run 2")
    expect(second).to_contain_text("seed 7", timeout=30_000)

    page.get_by_role("radio", name="12 / s").click()
    page.get_by_role("button", name="Run", exact=True).click()
    for number in (1, 2):
        heading = page.locator(RUN_HEADING).filter(has_text=f"Run {number} ·")
        expect(heading).to_contain_text("converged", timeout=60_000)
    expect(page.get_by_role("button", name="Run", exact=True)).to_be_disabled()
    last = re.search(r"Iteration (\d+) · after M-step", page.locator(GROUP_HEADING).inner_text())

    rows = page.get_by_test_id("stTable").locator("tbody tr")
    expect(rows).to_have_count(2)
    for number in (1, 2):  # the table is redrawn after the headings: wait for it
        expect(rows.nth(number - 1).locator("th, td").nth(2)).to_have_text("yes")
    iterations = []
    for number, row in enumerate(rows.all(), start=1):
        cells = row.locator("th, td").all_inner_texts()
        assert cells[0] == f"Run {number}" and cells[2] == "yes"
        iterations.append(int(cells[1]))
        assert float(cells[4]) < 0  # mean log-likelihood per point
    assert max(iterations) == int(last.group(1))  # the heading shows the latest half-step
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


def assert_panels_fit(page: Page) -> None:
    """Every run's panel, axis titles included, lies between the header and the bottom
    of a 1280x720 screen, with the page at its top (as a lecturer sees it)."""
    page.evaluate(
        "() => document.querySelectorAll('*').forEach(e => { if (e.scrollTop) e.scrollTop = 0; })"
    )
    header = page.get_by_test_id("stHeader").bounding_box()
    for number in range(4):
        box = page.locator(PANEL.format(number)).bounding_box()
        assert box["y"] >= header["y"] + header["height"]
        assert box["y"] + box["height"] <= 720, f"Run {number + 1}'s panel is cut"


def test_four_runs_fit_the_screen_and_run_animates_with_a_history_slider(page: Page, app_url: str):
    page.goto(app_url)
    page.get_by_role("link", name="Compare runs").click()
    page.wait_for_selector(f"{PANEL.format(1)} .main-svg", timeout=60_000)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("radio", name="4", exact=True).click()
    page.wait_for_selector(f"{PANEL.format(3)} .main-svg", timeout=30_000)
    assert_panels_fit(page)  # the same model: short headings
    # Models that differ: the headings name them too.
    algorithm = sidebar.get_by_test_id("stExpander").nth(1).get_by_test_id("stSelectbox").first
    algorithm.click()
    page.keyboard.type("k-means")
    page.keyboard.press("Enter")
    expect(page.locator(RUN_HEADING).filter(has_text="Run 2")).to_contain_text("K=3 · k-means")
    page.get_by_role("radio", name="3 / s").click()  # a pace a busy machine keeps up with
    page.evaluate(SEEN_HEADINGS)
    page.get_by_role("button", name="Run", exact=True).click()
    main = page.get_by_test_id("stMainBlockContainer")  # not the header's own Stop
    expect(main.get_by_role("button", name="Stop", exact=True)).to_be_visible(timeout=30_000)
    for number in range(1, 5):
        expect(page.locator(RUN_HEADING).filter(has_text=f"Run {number} ·")).to_contain_text(
            "converged", timeout=60_000
        )
    expect(page.get_by_role("button", name="Run", exact=True)).to_be_disabled()
    seen = page.evaluate("() => window.seenHeadings")
    assert "Iteration 1 · after E-step" in seen and "Iteration 2 · after M-step" in seen
    assert len(set(seen)) >= 6  # half-step by half-step, not one jump to the end
    for name in ("E-step", "M-step", "Step"):
        expect(page.get_by_role("button", name=name, exact=True)).to_be_disabled()
    assert_panels_fit(page)
    expect(page.locator(".em-viz-range")).to_have_count(1)  # one slider for all the runs
    slider = page.locator(".em-viz-slider-label")
    expect(slider).to_have_text(re.compile(r"Iteration \d+ · M-step"), timeout=30_000)
    assert page.console_errors == []


SAMPLES = f"""() => {{
    window.samples = [];
    const sample = () => {{
        const player = window.emVizPlayer;
        const input = document.querySelector(".em-viz-range");
        if (!player?.playing || !input) return;
        const index = Number(input.value);
        const panels = [...document.querySelectorAll("{RUN_HEADING}")];
        window.samples.push({{
            index,
            label: document.querySelector(".em-viz-slider-label").textContent,
            playedLabel: player.labels[index],
            group: document.querySelector("{GROUP_HEADING}").textContent,
            headings: panels.map(e => e.textContent),
            played: panels.map(e => player.texts[e.dataset.name].data.texts[index]),
            rendered: [0, 1, 2, 3].map(n => Number(
                document.querySelector(`.em-viz-plot[data-name='compare_mixture_${{n}}']`)
                    .dataset.rendered)),
        }});
    }};
    new MutationObserver(sample).observe(
        document.body, {{subtree: true, childList: true, characterData: true, attributes: true}}
    );
}}"""
"""Records, at every change of the page while Run plays: where the slider is, its label,
the headings shown and those of the slider's frame, and the frame each run's picture
shows."""


def test_four_runs_play_in_the_browser_with_headings_slider_and_pictures_agreeing(
    page: Page, app_url: str
):
    page.goto(app_url)
    page.get_by_role("link", name="Compare runs").click()
    page.wait_for_selector(f"{PANEL.format(1)} .main-svg", timeout=60_000)
    page.get_by_test_id("stSidebar").get_by_role("radio", name="4", exact=True).click()
    page.wait_for_selector(f"{PANEL.format(3)} .main-svg", timeout=30_000)
    expect(page.locator(GROUP_HEADING)).to_have_text("Iteration 0 · initial parameters")
    page.get_by_role("radio", name="3 / s").click()
    page.evaluate(SAMPLES)
    page.get_by_role("button", name="Run", exact=True).click()
    page.wait_for_function("() => window.emVizPlayer?.playing === true", timeout=30_000)
    page.wait_for_function("() => window.emVizPlayer.position > 4", timeout=30_000)
    page.screenshot(path=SCREENSHOTS / "compare_four_runs_playing.png")
    expect(page.get_by_role("button", name="Run", exact=True)).to_be_disabled(timeout=60_000)
    samples = page.evaluate("() => window.samples")
    last = page.evaluate("() => window.emVizPlayer.count - 1")
    # Half-step by half-step, not one jump to the end (a busy machine skips a few frames:
    # the clock keeps the speed).
    assert len({sample["index"] for sample in samples}) >= min(6, last), "the runs did not play"
    for sample in samples:
        assert sample["label"] == sample["playedLabel"]
        assert sample["label"].replace("Start", "initial parameters") in (
            sample["group"].replace(" · after ", " · ")
        )
        assert sample["headings"] == sample["played"]
        assert sorted(text.split(" · ")[0] for text in sample["headings"]) == [  # two columns
            f"Run {number}" for number in range(1, 5)
        ]
        # A picture may be gliding into the slider's frame: it shows it or the one before.
        for rendered in sample["rendered"]:
            assert rendered in (sample["index"], sample["index"] - 1), sample
    for number in range(4):
        expect(page.locator(PANEL.format(number))).to_have_attribute("data-rendered", str(last))
        expect(page.locator(RUN_HEADING).nth(number)).to_contain_text("converged")
    assert_panels_fit(page)
    assert page.console_errors == []
