"""What members see of their time zone setting."""

from __future__ import annotations

from datetime import datetime

from bot.timezones import alias_label, local_clock, utc_offset


def describe(zone: str, now: datetime) -> str:
    """ "America/New_York (Eastern Time, UTC-05:00, 07:00 there now)"."""
    label = alias_label(zone)
    parts = [p for p in (label, utc_offset(zone, now), f"{local_clock(zone, now)} there now") if p]
    return f"**{zone}** ({', '.join(parts)})"


def set_text(zone: str, now: datetime) -> str:
    return (
        f"🕘 Your time zone is now {describe(zone, now)}. Times you type, such as "
        "“tomorrow 9am”, are read in it."
    )


def show_text(own: str | None, server: str, now: datetime) -> str:
    if own is not None:
        return f"🕘 Your time zone is {describe(own, now)}. Change it with `/timezone set`."
    return (
        f"🕘 You have not set a time zone, so times you type are read in this server's "
        f"default, {describe(server, now)}. Set yours with `/timezone set`."
    )


def other_text(zone: str, now: datetime) -> str:
    return f"🕘 {describe(zone, now)}. Make it yours with `/timezone set`."
