"""A real headless Chromium (the distribution's package, driven by Playwright): log in through
the emulator's OAuth2, upload a sound and play its preview, schedule with the live preview,
see the play in the week view (screenshot saved), cancel it."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.audio.tones import tone
from tests.cogs.conftest import App
from tests.web.conftest import base_url

playwright_api = pytest.importorskip("playwright.async_api")

ARTIFACTS = Path(os.environ.get("CARILLON_TEST_ARTIFACTS", "test-artifacts"))


@pytest.fixture(scope="module", autouse=True)
def artifacts_folder() -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser test: .ci/run installs chromium")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return found


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """One backend is enough: the browser test is about the pages, not the store."""
    return sqlite_url


@pytest.fixture
async def page(app: App) -> AsyncIterator[object]:
    async with playwright_api.async_playwright() as driver:
        browser = await driver.chromium.launch(
            executable_path=chromium_path(),
            headless=True,
            args=["--autoplay-policy=no-user-gesture-required", "--no-sandbox"],
        )
        context = await browser.new_context(timezone_id="Europe/Paris", locale="en-GB")
        yield await context.new_page()
        await browser.close()


async def test_log_in_upload_preview_schedule_see_and_cancel(
    app: App, page: object, tmp_path: Path
) -> None:
    assert isinstance(page, playwright_api.Page)
    root = base_url(app)
    app.emulator.oauth.allow_redirect(f"{root}/auth/callback")
    app.emulator.oauth.consent_as(app.world.alice.id)
    expect = playwright_api.expect

    await page.goto(root + "/")
    await page.get_by_role("link", name="Log in with Discord").click()
    await expect(page.get_by_role("heading", name="Your servers")).to_be_visible()
    await page.get_by_role("link", name=app.world.guild.name).click()

    await page.get_by_role("link", name="Sounds").click()
    wav = tmp_path / "bell.wav"
    wav.write_bytes(tone(440, 0.5, "wav"))
    await page.get_by_label("Name").fill("bell")
    await page.get_by_label("Audio file").set_input_files(str(wav))
    await page.get_by_role("button", name="Upload").click()
    audio = page.get_by_label("Preview bell")
    await expect(audio).to_be_visible()
    played = await audio.evaluate(
        """async (element) => {
            await element.play();
            await new Promise((done) => element.addEventListener("ended", done, { once: true }));
            return { duration: element.duration, ended: element.ended };
        }"""
    )
    assert played["ended"]
    assert 0.4 < played["duration"] < 0.6

    await page.get_by_role("link", name="Week").click()
    await expect(page.locator("#zone")).to_have_text("Europe/Paris")
    await page.get_by_label("When").fill("tomorrow at 9am")
    await expect(page.locator("#when-preview")).to_contain_text("first")
    await page.get_by_label("Name (optional)").fill("wake up")
    await page.get_by_role("button", name="Schedule").click()
    play = page.locator(".play", has_text="wake up")
    await expect(play).to_be_visible()
    await expect(play.locator("time")).to_have_text("09:00")
    await page.screenshot(path=str(ARTIFACTS / "week-view.png"), full_page=True)

    await play.get_by_role("button", name="Cancel").click()
    await expect(page.locator("#no-plays")).to_be_visible()
    tasks = await app.services.scheduler.get_user_tasks(app.world.alice.id)
    assert [t.status for t in tasks] == ["cancelled"]
