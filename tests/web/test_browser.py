"""A real headless Chromium (the distribution's package, driven by Playwright): log in through
the emulator's OAuth2, upload a sound and play its preview, schedule with the live preview,
see the play in the week view (screenshot saved), cancel it; an admin changes the server's
settings, and every page passes an accessibility check (names, contrast light and dark, Tab
reaches every control, no sideways scroll at 375 px)."""

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


# What a screen reader, a keyboard and a phone need from every page, checked in the page:
# a language, a name for each control, link and image, WCAG AA contrast (4.5:1, 3:1 for
# large text) of each text against the background it is drawn on, and no sideways scroll.
AUDIT = """() => {
  const problems = [];
  if (!document.documentElement.lang) problems.push("<html> has no lang");
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden";
  };
  const text = (el) => (el ? el.textContent.trim() : "");
  const nameOf = (el) => {
    if (el.getAttribute("aria-label")) return el.getAttribute("aria-label").trim();
    const by = el.getAttribute("aria-labelledby");
    if (by) return by.split(/\\s+/).map((id) => text(document.getElementById(id))).join(" ");
    if (el.labels && el.labels.length) return Array.from(el.labels).map(text).join(" ");
    if (el.title) return el.title.trim();
    if (el.tagName === "IMG") return el.getAttribute("alt") || "";
    return text(el);
  };
  const describe = (el) => el.outerHTML.slice(0, 120);
  const controls = "input:not([type=hidden]), select, textarea, button, a[href], audio[controls]";
  for (const el of document.querySelectorAll(controls)) {
    if (visible(el) && !nameOf(el)) problems.push("no accessible name: " + describe(el));
  }
  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt")) problems.push("image without alt: " + describe(img));
  }
  const rgba = (colour) => {
    const parts = colour.match(/[\\d.]+/g).map(Number);
    return { r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1 };
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  });
  const background = (el) => {
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const colour = rgba(getComputedStyle(node).backgroundColor);
      if (colour.a > 0) layers.push(colour);
      if (colour.a === 1) break;
    }
    let result = { r: 255, g: 255, b: 255, a: 1 };
    const canvas = rgba(getComputedStyle(document.documentElement).backgroundColor);
    if (canvas.a === 1) result = canvas;
    for (const layer of layers.reverse()) result = over(layer, result);
    return result;
  };
  const luminance = (c) => {
    const channel = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  };
  for (const el of document.querySelectorAll("body *")) {
    const own = Array.from(el.childNodes).some(
      (n) => n.nodeType === 3 && n.textContent.trim()
    );
    if (!own || !visible(el)) continue;
    const style = getComputedStyle(el);
    const back = background(el);
    const fore = over(rgba(style.color), back);
    const [light, dark] = [luminance(fore), luminance(back)].sort((a, b) => b - a);
    const ratio = (light + 0.05) / (dark + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) {
      problems.push("contrast " + ratio.toFixed(2) + ": " + describe(el));
    }
  }
  if (document.documentElement.scrollWidth > window.innerWidth) {
    problems.push(
      "scrolls sideways: " + document.documentElement.scrollWidth + " > " + window.innerWidth
    );
  }
  return problems;
}"""

CONTROLS = "input:not([type=hidden]), select, textarea, button, a[href], audio[controls]"
NUMBER_CONTROLS = """(selector) => {
  const shown = Array.from(document.querySelectorAll(selector)).filter(
    (el) => el.getBoundingClientRect().width > 0 && !el.disabled
  );
  shown.forEach((el, index) => el.setAttribute("data-audit", String(index)));
  return shown.map((el) => el.outerHTML.slice(0, 160));
}"""


async def unreachable_by_keyboard(page: object) -> list[str]:
    """The visible controls that pressing Tab from the top, round to the top, never focuses."""
    assert isinstance(page, playwright_api.Page)
    controls = await page.evaluate(NUMBER_CONTROLS, CONTROLS)
    await page.evaluate(
        """() => {
            const start = document.createElement("span");
            start.tabIndex = -1;
            document.body.prepend(start);
            start.focus();
            start.remove();
        }"""
    )
    reached: set[str] = set()
    last = None
    # An <audio> takes several Tabs (its play button, timeline, volume) as one element.
    for _ in range(6 * len(controls) + 5):
        await page.keyboard.press("Tab")
        index = await page.evaluate(
            "() => document.activeElement && document.activeElement.getAttribute('data-audit')"
        )
        if index is None or (index in reached and index != last):
            break
        reached.add(index)
        last = index
    return [html for i, html in enumerate(controls) if str(i) not in reached]


async def audit(page: object, where: str) -> None:
    """The page passes the checks on a desktop and on a 375 px phone, light and dark."""
    assert isinstance(page, playwright_api.Page)
    for scheme in ("light", "dark"):
        await page.emulate_media(color_scheme=scheme)
        for width, height in ((1280, 800), (375, 740)):
            await page.set_viewport_size({"width": width, "height": height})
            problems = await page.evaluate(AUDIT)
            assert problems == [], (where, scheme, width, problems)
    await page.set_viewport_size({"width": 1280, "height": 800})
    await page.emulate_media(color_scheme="light")
    assert await unreachable_by_keyboard(page) == [], where


async def test_admin_changes_a_setting_and_every_page_is_accessible(app: App, page: object) -> None:
    assert isinstance(page, playwright_api.Page)
    root = base_url(app)
    app.emulator.oauth.allow_redirect(f"{root}/auth/callback")
    app.emulator.oauth.consent_as(app.world.admin.id)
    expect = playwright_api.expect
    guild = app.world.guild.id
    sound = await app.services.sounds.upload(
        guild, app.world.admin.id, "bell", tone(440, 0.3, "wav")
    )
    await app.services.playlists.create(guild, app.world.admin.id, "mix")
    await app.services.playlists.add(guild, 1, sound.id, actor_id=app.world.admin.id, is_admin=True)

    await page.goto(root + "/")
    await audit(page, "home, logged out")
    await page.get_by_role("link", name="Log in with Discord").click()
    await expect(page.get_by_role("heading", name="Your servers")).to_be_visible()
    await audit(page, "servers")
    await page.get_by_role("link", name=app.world.guild.name).click()
    await page.get_by_label("When").fill("every day at 9am")
    await expect(page.locator("#when-preview")).to_contain_text("first")
    await page.get_by_role("button", name="Schedule", exact=True).click()
    await expect(page.locator(".play").first).to_be_visible()
    await audit(page, "week")
    for tab in ("Sounds", "Playlists", "Credits"):
        await page.get_by_role("link", name=tab, exact=True).click()
        await expect(page.get_by_role("link", name=tab, exact=True)).to_have_attribute(
            "aria-current", "page"
        )
        await audit(page, tab)

    await page.get_by_role("link", name="Admin", exact=True).click()
    await audit(page, "admin")
    await page.get_by_label("When").fill("blorp o'clock")
    await expect(page.locator("#when-preview.bad")).not_to_be_empty()
    await audit(page, "admin, a time the preview refuses")
    await page.get_by_label("Most active tasks per member").fill("9")
    await page.get_by_label("Where “now playing” is posted").select_option(label="Nowhere")
    await page.get_by_role("button", name="Save the settings").click()
    await expect(page.locator("p[role=status]")).to_have_text("Saved.")
    settings = await app.services.settings.guild(guild)
    assert settings.max_active_tasks == 9
    assert not settings.announces
    await expect(page.get_by_label("Most active tasks per member")).to_have_value("9")

    await page.get_by_label("Recharge cap (recharges never go above it)").fill("1")
    await page.get_by_role("button", name="Save the settings").click()
    await expect(page.get_by_role("alert")).to_contain_text("recharge cap")
    await audit(page, "admin with an error")
    assert (await app.services.settings.guild(guild)).recharge_cap != 1

    # The checks themselves catch what they look for.
    await page.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML("beforeend",
            '<p style="color:#999;background:#aaa">faint</p><input id="nameless">'
            + '<div style="width:2000px">wide</div>')"""
    )
    planted = await page.evaluate(AUDIT)
    assert [p.split(":")[0].split(" ")[0] for p in planted] == ["no", "contrast", "scrolls"]
    await page.evaluate(
        """() => document.getElementById("nameless").setAttribute("tabindex", "-1")"""
    )
    assert any("nameless" in html for html in await unreachable_by_keyboard(page))
