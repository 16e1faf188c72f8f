"""The hidden Markov models page end to end in headless Chromium: one path per demo, as
a lecturer goes through them, each leaving a 1280x720 screenshot to look at."""

import re

from conftest import SCREENSHOTS
from playwright.sync_api import Page, expect
from test_explorer_browser import heading, plotted, wait_drawn

STRIP = ".em-viz-plot[data-name='casino_strip']"
TRELLIS = ".em-viz-plot[data-name='trellis_figure']"
STATES = ".em-viz-plot[data-name='regimes_states']"


def test_the_casino_learns_its_dice_and_mistyped_rolls_are_explained(page: Page, app_url: str):
    page.goto(app_url)
    page.get_by_role("link", name="Hidden Markov models").click()
    page.wait_for_selector(f"{STRIP} .main-svg", timeout=60_000)
    assert set(plotted(page, STRIP, 2, "y")) == {0}  # no band before an E-step
    page.get_by_role("button", name="E-step", exact=True).click()
    expect(heading(page)).to_have_text("Iteration 1 · after E-step", timeout=30_000)
    wait_drawn(page, STRIP, 1)
    band = plotted(page, STRIP, 2, "y")
    assert len(band) == 300 and all(0 <= p <= 1 for p in band)
    page.get_by_role("radio", name="Instant").click()
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.get_by_text(re.compile(r"Converged after \d+ iterations"))).to_be_visible(
        timeout=60_000
    )
    expect(page.get_by_text(re.compile(r"Viterbi decoding is right on"))).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "hmm_casino.png")
    page.get_by_text("Typed in", exact=True).click()
    box = page.get_by_role("textbox", name="Rolls, as digits 1 to 6")
    box.fill("3 1 6 9 2")
    box.press("Control+Enter")
    expect(
        page.get_by_text(re.compile(r"Roll 4 is '9', which is not a face of a die"))
    ).to_be_visible(timeout=30_000)
    assert page.get_by_text("Traceback").count() == 0
    assert page.console_errors == []


def probes(page: Page) -> list[str]:
    """The addresses that answer 404: opening a page's own URL, Streamlit first probes
    for its server under that path (the only ones allowed)."""
    failed = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    return failed


def only_probes(page: Page, failed: list[str]) -> None:
    assert all(re.search(r"/hmm/_stcore/(health|host-config)$", url) for url in failed)
    assert len(page.console_errors) == len(failed)


def test_the_trellis_shows_forward_backward_numbers_and_the_counts(page: Page, app_url: str):
    failed = probes(page)
    page.goto(f"{app_url}/hmm?hmm_demo=The+trellis&trellis_window=11")
    page.wait_for_selector(f"{TRELLIS} .main-svg", timeout=60_000)
    page.get_by_role("button", name="E-step", exact=True).click()
    expect(heading(page)).to_have_text("Iteration 1 · after E-step", timeout=30_000)
    wait_drawn(page, TRELLIS, 1)
    header = page.evaluate(f'() => document.querySelector("{TRELLIS}")._fullData.at(-1).text')
    assert header[0].startswith("roll 11") and len(header) == 8
    expect(page.get_by_text("Expected transitions → A")).to_be_visible()
    expect(
        page.get_by_test_id("stTable").first.get_by_text(re.compile(r" = 0\.\d\d$")).first
    ).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "hmm_trellis.png")
    only_probes(page, failed)


def test_gaussian_states_become_the_mixture_when_rows_equal_the_weights(page: Page, app_url: str):
    failed = probes(page)
    page.goto(f"{app_url}/hmm?hmm_demo=Gaussian+states")
    page.wait_for_selector(f"{STATES} .main-svg", timeout=60_000)
    for n in (1, 2):
        page.get_by_role("button", name="Step", exact=True).click()
        expect(heading(page)).to_have_text(f"Iteration {n} · after M-step", timeout=30_000)
    page.screenshot(path=SCREENSHOTS / "hmm_gaussian.png")
    page.get_by_test_id("stCheckbox").get_by_text("Every row of A equal to the weights").click()
    expect(heading(page)).to_have_text("Iteration 0 · initial parameters", timeout=30_000)
    page.get_by_role("button", name="Step", exact=True).click()
    tiny = re.compile("largest difference \\de\N{MINUS SIGN}\\d\\d")  # e.g. 6e-16
    expect(page.get_by_text(tiny)).to_be_visible(timeout=30_000)
    assert "regimes_mixture=true" in page.url
    only_probes(page, failed)
