"""The explorer's Export menu in headless Chromium: the GIF downloaded and opened with
Pillow (one frame per half-step), and the run's JSON downloaded, then opened again to
bring the run back to the half-step it was saved at."""

from pathlib import Path

from conftest import SCREENSHOTS
from PIL import Image
from playwright.sync_api import Page, expect
from test_explorer_browser import heading, open_app


def test_download_the_gif_and_reopen_the_json(page: Page, app_url: str, tmp_path: Path):
    open_app(page, app_url)
    title = heading(page)
    for n in (1, 2):
        page.get_by_role("button", name="Step", exact=True).click()
        expect(title).to_have_text(f"Iteration {n} · after M-step", timeout=30_000)

    page.get_by_role("button", name="Export").click()
    gif = page.get_by_role("button", name="GIF", exact=True)
    expect(gif).to_be_visible()
    for label in ("PNG", "JSON", "CSV"):
        expect(page.get_by_role("button", name=label, exact=True)).to_be_visible()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "export_menu.png")

    gif.click()
    save = page.get_by_role("button", name="Save the GIF")
    expect(save).to_be_visible(timeout=120_000)
    with page.expect_download() as download:
        save.click()
    frames = Image.open(download.value.path())
    assert frames.format == "GIF"
    assert frames.n_frames == 5  # the start and four half-steps

    with page.expect_download() as download:
        page.get_by_role("button", name="JSON", exact=True).click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "em-run.json"

    page.keyboard.press("Escape")
    page.get_by_role("button", name="Step", exact=True).click()
    expect(title).to_have_text("Iteration 3 · after M-step", timeout=30_000)
    page.get_by_role("button", name="Export").click()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(saved)
    expect(title).to_have_text("Iteration 2 · after M-step", timeout=30_000)
    expect(page.get_by_text("Opened em-run.json at Iteration 2 · after M-step")).to_be_visible()
    assert page.console_errors == []
