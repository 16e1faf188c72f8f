"""A symmetric start in headless Chromium: the badge says saddle point, never Converged,
and Run goes on to the optimum."""

import re

from playwright.sync_api import Page, expect

MIXTURE = ".em-viz-plot[data-name='mixture']"
LINK = "/?data=Old+Faithful&k=2&cov=full&init=random-responsibilities&rs=0&alg=soft"


def test_a_stop_at_a_saddle_point_is_named_and_run_goes_on(page: Page, app_url: str):
    page.goto(app_url + LINK)
    page.wait_for_selector(f"{MIXTURE} .main-svg", timeout=60_000)
    main = page.get_by_test_id("stMainBlockContainer")
    main.get_by_role("button", name="Step", exact=True).click()
    expect(main.get_by_text("Stopped at (or near) a saddle point", exact=True)).to_be_visible()
    expect(main.get_by_text(re.compile("Components 1 and 2 are nearly identical"))).to_be_visible()
    expect(main.get_by_text(re.compile("Converged after"))).to_have_count(0)
    run = main.get_by_role("button", name="Run", exact=True)
    expect(run).to_be_enabled()
    main.get_by_text("Instant", exact=True).click()
    run.click()
    expect(main.get_by_text(re.compile(r"Converged after \d+ iterations"))).to_be_visible(
        timeout=60_000
    )
    expect(main.get_by_text("Stopped at (or near) a saddle point")).to_have_count(0)
    expect(run).to_be_disabled()
    assert page.console_errors == []
