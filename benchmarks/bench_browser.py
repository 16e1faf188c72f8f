"""Click-to-redraw time of the explorer in headless Chromium, for growing data.

Starts the app, opens it for Three Gaussians with N points (through the page's link),
clicks Step several times and reports the median time from the click until

- the new figure has reached the graph in the page and is being drawn, and
- the graph has finished drawing, including the 350 ms glide of the ellipses.

Run with ``make bench-browser``. Headless Chromium here renders WebGL in software, so a
laptop with a GPU draws large N faster than these numbers.
"""

import statistics
import sys
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, free_port, start_app  # noqa: E402

SIZES = (500, 2_000, 10_000, 50_000)
CLICKS = 7
MIXTURE = ".em-viz-plot[data-name='mixture']"


def wait_for(page: Page, attribute: str, value: int) -> None:
    page.wait_for_function(
        f"() => document.querySelector(\"{MIXTURE}\")?.dataset.{attribute} === '{value}'",
        timeout=120_000,
        polling="raf",
    )


def time_steps(page: Page, url: str, n_samples: int) -> tuple[list[float], list[float]]:
    """Seconds from each Step click to the figure arriving, and to it being drawn."""
    page.goto(f"{url}/?data=Three+Gaussians&npc={n_samples // 3}&k=3&init=k-means%2B%2B")
    wait_for(page, "rendered", 0)
    arrived, drawn = [], []
    for click in range(1, CLICKS + 1):
        start = time.perf_counter()
        page.get_by_role("button", name="Step", exact=True).click()
        wait_for(page, "revision", 2 * click)
        arrived.append(time.perf_counter() - start)
        wait_for(page, "rendered", 2 * click)
        drawn.append(time.perf_counter() - start)
    return arrived, drawn


def main() -> None:
    port = free_port()
    server = start_app(port)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            print(f"{'N':>7} {'click -> new figure (median)':>30} {'click -> drawn (median)':>26}")
            for n_samples in SIZES:
                arrived, drawn = time_steps(page, f"http://127.0.0.1:{port}", n_samples)
                print(
                    f"{n_samples:>7} {statistics.median(arrived) * 1e3:>27.0f} ms"
                    f" {statistics.median(drawn) * 1e3:>23.0f} ms"
                )
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
