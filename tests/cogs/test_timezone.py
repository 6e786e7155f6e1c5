"""``/timezone set|show``: a member picks the zone their times are read in."""

from __future__ import annotations

from tests.cogs.conftest import App
from tests.support.library import extensions as extensions


async def test_show_before_setting_names_the_server_default(app: App) -> None:
    reply = await app.world.alice.slash("timezone show")

    assert reply.ephemeral
    assert reply.content == (
        "🕘 You have not set a time zone, so times you type are read in this server's default, "
        "**UTC** (Coordinated Universal Time, UTC+00:00, 12:00 there now). "
        "Set yours with `/timezone set`."
    )


async def test_set_with_an_alias_then_show(app: App) -> None:
    alice = app.world.alice

    reply = await alice.slash("timezone set", zone="EST")
    shown = await alice.slash("timezone show")

    assert reply.ephemeral
    assert reply.content.startswith(
        "🕘 Your time zone is now **America/New_York** (Eastern Time, UTC-05:00, 07:00 there now)."
    )
    assert shown.content.startswith("🕘 Your time zone is **America/New_York**")
    assert await app.services.settings.member_timezone(alice.id) == "America/New_York"
    assert await app.services.settings.member_timezone(app.world.bob.id) is None


async def test_set_with_a_city(app: App) -> None:
    await app.world.bob.slash("timezone set", zone="paris")

    assert await app.services.settings.member_timezone(app.world.bob.id) == "Europe/Paris"


async def test_show_another_zone(app: App) -> None:
    reply = await app.world.alice.slash("timezone show", zone="Tokyo")

    assert reply.content == (
        "🕘 **Asia/Tokyo** (Japan, UTC+09:00, 21:00 there now). Make it yours with `/timezone set`."
    )
    assert await app.services.settings.member_timezone(app.world.alice.id) is None


async def test_autocomplete_offers_aliases_cities_and_iana_names(app: App) -> None:
    alice = app.world.alice

    est = await alice.autocomplete("timezone set", focused="zone", zone="EST")
    paris = await alice.autocomplete("timezone set", focused="zone", zone="Paris")
    eastern = await alice.autocomplete("timezone set", focused="zone", zone="Eastern")
    iana = await alice.autocomplete("timezone set", focused="zone", zone="asia/tok")
    empty = await alice.autocomplete("timezone set", focused="zone")

    assert est[0].value == "America/New_York"
    assert est[0].name == "EST → America/New_York (UTC-05:00, 07:00 now)"
    assert paris[0].value == "Europe/Paris"
    assert paris[0].name == "Europe/Paris (UTC+01:00, 13:00 now)"
    assert eastern[0].value == "America/New_York"
    assert [c.value for c in iana] == ["Asia/Tokyo"]
    assert len(empty) == 15
    assert all(len(c.name) <= 100 for c in est + paris + eastern + empty)


async def test_an_unknown_zone_is_explained(app: App) -> None:
    reply = await app.world.alice.slash("timezone set", zone="Narnia")

    assert reply.ephemeral
    assert reply.content.startswith("❌ 'Narnia' is not a time zone I know.")
    assert "a city ('Paris') or an abbreviation ('EST')" in reply.content
    assert await app.services.settings.member_timezone(app.world.alice.id) is None


async def test_a_region_is_not_a_zone(app: App) -> None:
    reply = await app.world.alice.slash("timezone set", zone="Europe")

    assert reply.ephemeral
    assert reply.content.startswith("❌ 'Europe' is not a time zone I know.")
    assert await app.services.settings.member_timezone(app.world.alice.id) is None
