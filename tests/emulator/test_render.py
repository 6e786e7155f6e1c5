"""Messages rendered as the member's client shows them."""

from __future__ import annotations

from bot.emulator import Emulator, Message
from bot.emulator.render import render_message, render_text


def test_markup_becomes_what_the_client_shows(emulator: Emulator) -> None:
    guild = emulator.add_guild()
    lounge = emulator.add_voice_channel(guild, "Lounge")
    alice = emulator.add_member(guild, "alice")
    text = f"**bell** for <@{alice.id}> in <#{lounge.id}> at <t:1798142400:F> (<t:1798142400:R>)"

    shown = render_text(emulator, text, now=1798142400 - 90)

    assert shown == "bell for @alice in 🔊Lounge at Thu 24 Dec 2026 20:00:00 UTC (in 1 minute)"


def test_embeds_fields_and_buttons_are_listed(emulator: Emulator) -> None:
    message = Message(1, 2, None, emulator.bot_user, content="Done")
    message.embeds = [
        {
            "title": "Scheduled",
            "fields": [{"name": "Runs left", "value": "1"}],
            "footer": {"text": "#4"},
        }
    ]
    message.components = [
        {
            "type": 1,
            "components": [
                {"type": 2, "custom_id": "carillon:cancel:4", "label": "Cancel"},
                {
                    "type": 2,
                    "custom_id": "carillon:pause:4",
                    "label": "Pause",
                    "emoji": {"name": "⏸️"},
                    "disabled": True,
                },
            ],
        }
    ]

    assert render_message(emulator, message) == [
        "Done",
        "Scheduled",
        "Runs left: 1",
        "#4",
        "[Cancel]",
        "[⏸️ Pause (disabled)]",
    ]
