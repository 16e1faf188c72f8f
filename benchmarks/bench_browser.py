"""The explorer in headless Chromium, for growing data: Step (a round trip), Run played
in the browser, and scrubbing the history slider.

Starts the app, opens it for Three Gaussians with N points (through the page's link) and
reports

- page load: from opening the page's link until its picture is drawn;
- Step: the median time from the click until the new figure has reached the graph in
  the page and is being drawn, and until it is drawn, including the 350 ms glide;
- Run at the fastest animated speed: the half-steps shown per second, and the frames
  drawn per second while the ellipses glide (one Plotly update each);
- scrubbing: the median time from the slider's input to the frame drawn on screen (the
  next animation frame after the graph's update).

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
PLAY_SIZES = (2_000, 10_000)
SCRUB_SIZES = (2_000, 10_000)
FASTEST = "12 / s"
MIXTURE = ".em-viz-plot[data-name='mixture']"


def wait_for(page: Page, attribute: str, value: int) -> None:
    page.wait_for_function(
        f"() => document.querySelector(\"{MIXTURE}\")?.dataset.{attribute} === '{value}'",
        timeout=120_000,
        polling="raf",
    )


def time_steps(page: Page, url: str, n_samples: int) -> tuple[float, list[float], list[float]]:
    """Seconds from opening the page to its picture drawn, and from each Step click to
    the figure arriving and to it being drawn."""
    start = time.perf_counter()
    page.goto(f"{url}/?data=Three+Gaussians&npc={n_samples // 3}&k=3&init=random-points&rs=1")
    wait_for(page, "rendered", 0)
    loaded = time.perf_counter() - start
    arrived, drawn = [], []
    step = page.get_by_role("button", name="Step", exact=True)
    for click in range(1, CLICKS + 1):
        if not step.is_enabled():  # converged
            break
        start = time.perf_counter()
        step.click()
        wait_for(page, "revision", 2 * click)
        arrived.append(time.perf_counter() - start)
        wait_for(page, "rendered", 2 * click)
        drawn.append(time.perf_counter() - start)
    return loaded, arrived, drawn


def open_run(page: Page, url: str, n_samples: int) -> None:
    page.goto(f"{url}/?data=Three+Gaussians&npc={n_samples // 3}&k=3&init=random-points&rs=1")
    wait_for(page, "rendered", 0)


COUNT_UPDATES = f"""() => {{
    const graph = document.querySelector("{MIXTURE}");
    window.benchUpdates = [];
    graph.on("plotly_update", () => window.benchUpdates.push(performance.now()));
    window.benchShown = [];
    new MutationObserver(() => window.benchShown.push([performance.now(), graph.dataset.rendered]))
        .observe(graph, {{ attributes: true, attributeFilter: ["data-rendered"] }});
}}"""


def time_play(page: Page, url: str, n_samples: int) -> tuple[float, float, float]:
    """During Run at the fastest speed: the half-steps the run advances per second, the
    pictures of half-steps drawn per second, and the Plotly updates per second (frames,
    the glides' included)."""
    open_run(page, url, n_samples)
    page.get_by_text(FASTEST, exact=True).click()
    page.wait_for_timeout(500)
    page.evaluate(COUNT_UPDATES)
    page.get_by_role("button", name="Run", exact=True).click()
    page.wait_for_function("() => window.emVizPlayer?.playing === true", timeout=120_000)
    page.wait_for_function("() => !window.emVizPlayer.playing", timeout=300_000)
    shown = [(t, int(value)) for t, value in page.evaluate("() => window.benchShown") if value]
    updates = page.evaluate("() => window.benchUpdates")
    (start, first), (end, last) = shown[0], shown[-1]
    seconds = (end - start) / 1e3
    drawn = len({value for _, value in shown}) - 1
    during = [t for t in updates if start <= t <= end]
    return (last - first) / seconds, drawn / seconds, len(during) / seconds


SCRUB = f"""async (index) => {{
    const input = document.querySelector(".em-viz-range");
    const start = performance.now();
    input.value = String(index);
    input.dispatchEvent(new Event("input"));
    await new Promise((resolve) => requestAnimationFrame(() => resolve()));
    const graph = document.querySelector("{MIXTURE}");
    return [performance.now() - start, graph.dataset.rendered];
}}"""


def time_scrub(page: Page, url: str, n_samples: int) -> list[float]:
    """Milliseconds from a slider input to the frame on screen, over the run's half-steps."""
    open_run(page, url, n_samples)
    page.get_by_text("Instant", exact=True).click()
    page.get_by_role("button", name="Run", exact=True).click()
    page.wait_for_function("() => window.emVizPlayer?.count > 6", timeout=120_000)
    page.wait_for_timeout(1_000)
    times = []
    count = page.evaluate("() => window.emVizPlayer.count")
    for index in list(range(count - 2, 0, -1))[:20]:
        elapsed, shown = page.evaluate(SCRUB, index)
        assert shown == str(index), (shown, index)
        times.append(elapsed)
    return times


def main() -> None:
    port = free_port()
    server = start_app(port)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            print(
                f"{'N':>7} {'page load':>10} {'click -> new figure (median)':>30}"
                f" {'click -> drawn (median)':>26}"
            )
            for n_samples in SIZES:
                loaded, arrived, drawn = time_steps(page, f"http://127.0.0.1:{port}", n_samples)
                print(
                    f"{n_samples:>7} {loaded:>8.1f} s {statistics.median(arrived) * 1e3:>27.0f} ms"
                    f" {statistics.median(drawn) * 1e3:>23.0f} ms"
                )
            url = f"http://127.0.0.1:{port}"
            print(
                f"\n{'N':>7} {'Run at ' + FASTEST + ': half-steps / s':>32}"
                f" {'pictures / s':>13} {'frames / s':>11}"
            )
            for n_samples in PLAY_SIZES:
                rate, pictures, fps = time_play(page, url, n_samples)
                print(f"{n_samples:>7} {rate:>32.1f} {pictures:>13.1f} {fps:>11.0f}")
            print(f"\n{'N':>7} {'scrub: input -> drawn (median)':>32}")
            for n_samples in SCRUB_SIZES:
                times = time_scrub(page, url, n_samples)
                print(f"{n_samples:>7} {statistics.median(times):>29.0f} ms")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
