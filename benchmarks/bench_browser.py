"""The explorer in headless Chromium, for growing data: Step (a round trip), Run played
in the browser, and scrubbing the history slider.

Starts the app, opens it for Three Gaussians with N points (through the page's link) and
reports

- page load: from opening the page's link until its picture is drawn;
- Step, timed in the page from the press (pointer down) on the button: the median time
  until the server's new figure has reached the graph, and until its frame is drawn (a
  glide's first frame: at the press, from the frames of the Step the server made ahead);
  and the glide of its M-step: the animation frames per second in which the ellipses
  moved;
- Run at the fastest animated speed: the half-steps shown per second, the pictures of
  half-steps drawn per second, and the frames per second of the M-steps' glides;
- scrubbing: per half-step, the time from the slider's input to the frame drawn on
  screen (the next animation frame after the graph's update). Scrubbed back one at a
  time, an E-step's frame differs from the M-step after it in the ellipses and means
  ("means move"), an M-step's from the E-step after it in the points' colours
  ("colours change").

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
GLIDE_MS = 350


def wait_for(page: Page, attribute: str, value: int) -> None:
    page.wait_for_function(
        f"() => document.querySelector(\"{MIXTURE}\")?.dataset.{attribute} === '{value}'",
        timeout=120_000,
        polling="raf",
    )


WATCH = f"""() => {{
    const graph = document.querySelector("{MIXTURE}");
    const bench = (window.bench = {{ click: 0, marks: [], moves: [] }});
    document.addEventListener("pointerdown", () => {{ bench.click = performance.now(); }}, true);
    new MutationObserver((changes) => {{
        for (const change of changes) {{
            const name = change.attributeName;
            const value = graph.getAttribute(name);
            // A frame counts as drawn at the next animation frame, after the graph's
            // own work for it (its WebGL redraw) has run.
            if (name === "data-rendered") {{
                requestAnimationFrame(() => bench.marks.push([name, performance.now(), value]));
            }} else {{
                bench.marks.push([name, performance.now(), value]);
            }}
        }}
    }}).observe(graph, {{ attributeFilter: ["data-revision", "data-rendered"] }});
    let last = "";
    const sample = () => {{
        const lines = graph.querySelectorAll(".scatterlayer path.js-line");
        const now = Array.from(lines, (line) => line.getAttribute("d")).join();
        if (now !== last) bench.moves.push(performance.now());
        last = now;
        requestAnimationFrame(sample);
    }};
    requestAnimationFrame(sample);
}}"""
"""In the page: the time of the last press (pointer down), the graph's ``data-revision``
(a figure arrived) and ``data-rendered`` (a frame drawn, timed at the next animation
frame) with their times, and the animation frames in which an ellipse moved (their SVG
paths changed)."""


def open_run(page: Page, url: str, n_samples: int) -> float:
    """Open the explorer on Three Gaussians with ``n_samples`` points; seconds until its
    picture is drawn."""
    start = time.perf_counter()
    page.goto(f"{url}/?data=Three+Gaussians&npc={n_samples // 3}&k=3&init=random-points&rs=1")
    wait_for(page, "rendered", 0)
    loaded = time.perf_counter() - start
    page.evaluate(WATCH)
    return loaded


def glide_rate(moves: list[float], start: float, end: float) -> float:
    """Frames per second in which the ellipses moved, from their first move after
    ``start`` to their last before ``end`` (ms)."""
    during = [t for t in moves if start <= t <= end]
    if len(during) < 2:
        return 0.0
    return (len(during) - 1) / (during[-1] - during[0]) * 1e3


def time_steps(page: Page, url: str, n_samples: int) -> tuple[float, list, list, list]:
    """Seconds from opening the page to its picture drawn; per Step press, milliseconds
    until the figure arrived in the page and until its frame was drawn (in the page,
    from the press); and the glide's frames per second."""
    loaded = open_run(page, url, n_samples)
    arrived, drawn, glides = [], [], []
    step = page.get_by_role("button", name="Step", exact=True)
    for click in range(1, CLICKS + 1):
        if not step.is_enabled():  # converged
            break
        page.wait_for_timeout(600)  # the glide before is over
        step.click()
        wait_for(page, "revision", 2 * click)
        wait_for(page, "rendered", 2 * click)
        page.wait_for_timeout(GLIDE_MS + 100)
        bench = page.evaluate("window.bench")
        press = bench["click"]
        target = str(2 * click)
        arrived.append(
            next(
                t
                for name, t, v in bench["marks"]
                if name == "data-revision" and v == target and t > press
            )
            - press
        )
        shown = next(
            t
            for name, t, v in bench["marks"]
            if name == "data-rendered" and v == target and t > press
        )
        drawn.append(shown - press)
        glides.append(glide_rate(bench["moves"], shown, shown + GLIDE_MS))
    return loaded, arrived, drawn, glides


def time_play(page: Page, url: str, n_samples: int) -> tuple[float, float, float]:
    """During Run at the fastest speed: the half-steps the run advances per second, the
    pictures of half-steps drawn per second, and the frames per second in which the
    ellipses move during the M-steps' glides."""
    open_run(page, url, n_samples)
    page.get_by_text(FASTEST, exact=True).click()
    page.wait_for_timeout(500)
    page.get_by_role("button", name="Run", exact=True).click()
    page.wait_for_function("() => window.emVizPlayer?.playing === true", timeout=120_000)
    page.wait_for_function("() => !window.emVizPlayer.playing", timeout=300_000)
    bench = page.evaluate("window.bench")
    glide = page.evaluate("window.emVizPlayer.glide")
    shown = [(t, int(v)) for name, t, v in bench["marks"] if name == "data-rendered" and v]
    shown = [(t, v) for t, v in shown if t > bench["click"]]
    (start, first), (end, last) = shown[0], shown[-1]
    seconds = (end - start) / 1e3
    drawn = len({value for _, value in shown}) - 1
    m_steps = [t for t, v in shown if v % 2 == 0 and v > first]
    rates = [glide_rate(bench["moves"], t, t + glide) for t in m_steps]
    return (last - first) / seconds, drawn / seconds, statistics.median(rates)


SCRUB = f"""async (index) => {{
    const input = document.querySelector(".em-viz-range");
    const start = performance.now();
    input.value = String(index);
    input.dispatchEvent(new Event("input"));
    await new Promise((resolve) => requestAnimationFrame(() => resolve()));
    const graph = document.querySelector("{MIXTURE}");
    return [performance.now() - start, graph.dataset.rendered];
}}"""


def time_scrub(page: Page, url: str, n_samples: int) -> list[tuple[int, float]]:
    """Per half-step scrubbed to, milliseconds from a slider input to its frame on screen."""
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
        times.append((index, elapsed))
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
            url = f"http://127.0.0.1:{port}"
            print(
                f"{'N':>7} {'page load':>10} {'press -> figure in page':>24}"
                f" {'press -> frame drawn':>21} {'glide':>13}   (medians)"
            )
            for n_samples in SIZES:
                loaded, arrived, drawn, glides = time_steps(page, url, n_samples)
                print(
                    f"{n_samples:>7} {loaded:>8.1f} s {statistics.median(arrived):>21.0f} ms"
                    f" {statistics.median(drawn):>18.0f} ms"
                    f" {statistics.median(glides):>8.0f} fps"
                )
            print(
                f"\n{'N':>7} {'Run at ' + FASTEST + ': half-steps / s':>32}"
                f" {'pictures / s':>13} {'glide fps':>10}"
            )
            for n_samples in PLAY_SIZES:
                rate, pictures, fps = time_play(page, url, n_samples)
                print(f"{n_samples:>7} {rate:>32.1f} {pictures:>13.1f} {fps:>10.0f}")
            print(
                f"\n{'N':>7} {'scrub: input -> drawn, median':>30} {'means move':>11}"
                f" {'colours change':>15} {'max':>6}"
            )
            for n_samples in SCRUB_SIZES:
                times = time_scrub(page, url, n_samples)
                means = [ms for index, ms in times if index % 2 == 1]
                colours = [ms for index, ms in times if index % 2 == 0]
                print(
                    f"{n_samples:>7} {statistics.median(ms for _, ms in times):>27.0f} ms"
                    f" {statistics.median(means):>8.0f} ms {statistics.median(colours):>12.0f} ms"
                    f" {max(ms for _, ms in times):>3.0f} ms"
                )
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
