"""Many visitors at once, in headless Chromium on the loopback server: twelve browser
sessions, each opened on its own link and stepped in turn with the others, each showing
what its link alone gives (the engine's run of that set-up), never another's."""

import urllib.parse

import numpy as np
from playwright.sync_api import Browser, Page, expect
from test_explorer_browser import CURVE, MIXTURE, heading, plotted, wait_drawn

from em_viz.data import PRESETS
from em_viz.engine.gaussian_em import GaussianSettings

LINKS = [
    (preset, k, seed)
    for preset, k in [
        ("Three Gaussians", 3),
        ("Four tight blobs", 4),
        ("Two uniform squares", 2),
        ("Anisotropic blobs", 3),
        ("Unequal sizes and overlap", 3),
        ("Old Faithful", 2),
    ]
    for seed in (0, 7)
]
"""Twelve set-ups: each preset with its own K, at two seeds."""
TIMEOUT_MS = 60_000


def steps_for(number: int) -> int:
    """How many Steps session ``number`` takes: 1 to 3, so that the sessions differ."""
    return 1 + number % 3


def expected_objectives(preset: str, k: int, seed: int, steps: int) -> list[float]:
    em = GaussianSettings(n_components=k, random_state=seed).build(PRESETS[preset].make().X)
    for _ in range(steps):
        em.step()
    return [record.objective for record in em.history]


def open_link(browser: Browser, url: str) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.goto(url)
    return page


def test_twelve_sessions_on_twelve_links_stepped_in_turn_each_show_their_own_run(
    browser: Browser, app_url: str
):
    assert urllib.parse.urlparse(app_url).hostname == "127.0.0.1"
    pages = [
        open_link(browser, f"{app_url}/?{urllib.parse.urlencode({'data': p, 'k': k, 'rs': s})}")
        for p, k, s in LINKS
    ]
    try:
        for page in pages:
            page.wait_for_selector(f"{MIXTURE} .main-svg", timeout=TIMEOUT_MS)
        for round_ in range(1, 4):  # every session still stepping clicks, then all are read
            stepping = [n for n in range(len(pages)) if steps_for(n) >= round_]
            for n in stepping:
                pages[n].get_by_role("button", name="Step", exact=True).click()
            for n in stepping:
                expect(heading(pages[n])).to_have_text(
                    f"Iteration {round_} · after M-step", timeout=TIMEOUT_MS
                )
        for n, (page, (preset, k, seed)) in enumerate(zip(pages, LINKS, strict=True)):
            steps = steps_for(n)
            wait_drawn(page, CURVE, 2 * steps)
            assert len(plotted(page, MIXTURE, 0, "x")) == len(PRESETS[preset].make().X)
            np.testing.assert_allclose(
                plotted(page, CURVE, 0, "y"),
                expected_objectives(preset, k, seed, steps),
                rtol=1e-9,
                err_msg=f"session {n} ({preset}, K={k}, seed {seed})",
            )
            assert page.get_by_test_id("stException").count() == 0
    finally:
        for page in pages:
            page.context.close()
