"""Large data in the explorer: about 50,000 points drawn as a density shading, one image
under the ellipses and means (SVG), recoloured by a Step."""

from playwright.sync_api import Page, expect

MIXTURE = ".em-viz-plot[data-name='mixture']"
HEADING = ".em-viz-heading"

PICTURE = f"""() => {{
    const graph = document.querySelector("{MIXTURE}");
    const image = graph.querySelector(".imagelayer image");
    return {{
        types: graph._fullData.map((trace) => trace.type),
        href: image ? image.getAttribute("href") : null,
        width: image ? Number(image.getAttribute("width")) : 0,
        ellipse: graph._fullData.filter((trace) => trace.name === "Component 1")[1].x.length,
        lines: graph.querySelectorAll(".scatterlayer .trace path.js-line").length,
    }};
}}"""
"""The mixture graph's trace types, its image's picture and width on screen, the length
of component 1's 1-sigma ellipse and the lines drawn in SVG."""


def test_fifty_thousand_points_are_a_shading_under_the_ellipses(page: Page, app_url: str):
    page.goto(app_url + "/?data=Three+Gaussians&npc=16667&k=3")
    page.wait_for_selector(f"{MIXTURE} .imagelayer image", timeout=60_000)
    before = page.evaluate(PICTURE)
    assert before["types"][0] == "image"
    assert set(before["types"][1:]) == {"scatter"}  # the ellipses and means, above it
    assert before["href"].startswith("data:image/png;base64,")
    assert before["width"] > 300  # across most of the plot, in px
    assert before["ellipse"] == 74  # 73 points and a gap: drawn

    page.get_by_role("button", name="Step", exact=True).click()
    expect(page.locator(HEADING)).to_have_text("Iteration 1 · after M-step", timeout=30_000)
    page.wait_for_function(
        f"() => document.querySelector(\"{MIXTURE}\").dataset.rendered === '2'", timeout=30_000
    )
    after = page.evaluate(PICTURE)
    assert after["types"] == before["types"]
    assert after["href"] != before["href"]  # grey before the E-step, coloured after
    assert after["lines"] >= 6  # two ellipses a component, at least, and the halo
    assert page.console_errors == []
