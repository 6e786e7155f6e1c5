"""``/sound import`` and ``/sound export`` (the server's soundboard), and its gateway events."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.container import Services
from bot.errors import InvalidInput, NotPermitted
from bot.permissions import EXPRESSIONS, missing
from bot.services.soundboard import export_refusal
from bot.ui import soundboard as ui
from bot.ui import sounds as sounds_ui
from bot.ui.checks import is_admin
from bot.ui.followups import send_followup
from bot.ui.formatting import safe

log = logging.getLogger(__name__)

MAX_EMOJI_LENGTH = 16


class SoundboardCommands:
    """Mixed into the ``/sound`` group cog (one group, two cogs' worth of commands)."""

    services: Services

    @app_commands.command(
        name="import", description="Add the server's soundboard sounds to the library"
    )
    @app_commands.describe(sound="A soundboard sound (default: all of them)")
    async def import_(self, interaction: discord.Interaction, sound: str | None = None) -> None:
        guild = _guild(interaction)
        await _check_may_manage_expressions(interaction, "import soundboard sounds")
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            board = await guild.fetch_soundboard_sounds()
        except discord.HTTPException as exc:
            raise InvalidInput(
                f"Could not read the server's soundboard ({exc}). Try again."
            ) from None
        if not board:
            raise InvalidInput("This server's soundboard has no sounds to import.")
        picked = _pick(board, sound)
        sources = [ui.source_of(s) for s in picked]
        results = await self.services.soundboard.import_all(guild.id, interaction.user.id, sources)
        await send_followup(interaction, ui.import_summary(results))

    @app_commands.command(
        name="export", description="Put a library sound on the server's soundboard"
    )
    @app_commands.describe(
        sound="A library sound of at most 5.2 s", emoji="An emoji shown with it on the soundboard"
    )
    async def export(
        self, interaction: discord.Interaction, sound: str, emoji: str | None = None
    ) -> None:
        guild = _guild(interaction)
        await _check_may_manage_expressions(interaction, "export sounds to the soundboard")
        mine = guild.me.guild_permissions
        if missing(mine, EXPRESSIONS) and not mine.manage_expressions:
            raise InvalidInput(
                "I lack the Create Expressions permission, so I cannot add soundboard sounds. "
                "Ask an admin to grant it."
            )
        found = await self.services.sounds.find(guild.id, sound)
        if found.soundboard_sound_id is not None and guild.get_soundboard_sound(
            found.soundboard_sound_id
        ):
            raise InvalidInput(f"**{safe(found.name)}** is on the soundboard already.")
        partial = _emoji(emoji)
        await interaction.response.defer(ephemeral=True, thinking=True)
        export = await self.services.soundboard.prepare_export(guild.id, found.id)
        try:
            created = await guild.create_soundboard_sound(
                name=export.name,
                sound=export.data,
                emoji=partial,
                reason=f"/sound export by {interaction.user}",
            )
        except discord.Forbidden:
            raise InvalidInput(
                "Discord refused: I lack the Create Expressions permission. Ask an admin."
            ) from None
        except discord.HTTPException as exc:
            if exc.code == 30045:
                raise InvalidInput(
                    "The server's soundboard is full. Remove a sound from it, or boost the "
                    "server for more slots."
                ) from None
            raise InvalidInput(f"Discord refused the sound: {exc.text or exc}") from None
        shown = str(partial) if partial is not None else None
        await self.services.soundboard.link(guild.id, found.id, created.id, shown)
        await send_followup(
            interaction,
            f"📤 {shown + ' ' if shown else ''}**{safe(found.name)}** is on the server's "
            "soundboard now; scheduled plays of it play natively.",
        )

    @import_.autocomplete("sound")
    async def _board_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        guild = interaction.guild
        if guild is None:
            return []
        board = list(guild.soundboard_sounds)
        imported = await self.services.soundboard.imported_ids(guild.id, [s.id for s in board])
        return ui.import_choices(board, imported, current)

    @export.autocomplete("sound")
    async def _exportable_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Library sounds short enough for the soundboard."""
        if interaction.guild_id is None:
            return []
        found = await self.services.sounds.autocomplete(interaction.guild_id, current, limit=100)
        fitting = [s for s in found if export_refusal(s.name, s.duration_seconds, 0) is None]
        return sounds_ui.choices(fitting[:25])

    @commands.Cog.listener()
    async def on_soundboard_sound_delete(self, sound: discord.SoundboardSound) -> None:
        unlinked = await self.services.soundboard.soundboard_sound_deleted(sound.guild.id, sound.id)
        if unlinked is None:
            return
        log.info(
            "guild %s: soundboard sound %s deleted; library sound #%s keeps playing, streamed",
            sound.guild.id,
            sound.id,
            unlinked.sound.id,
        )
        for channel_id, tasks in unlinked.tasks_by_channel.items():
            channel = sound.guild.get_channel(channel_id) if channel_id else None
            if not isinstance(channel, discord.abc.Messageable):
                continue
            try:
                await channel.send(ui.unlinked_notice(unlinked.sound.name, tasks))
            except discord.HTTPException as exc:
                log.warning("could not tell channel %s about a removed sound: %s", channel_id, exc)

    @commands.Cog.listener()
    async def on_soundboard_sound_update(
        self, before: discord.SoundboardSound, after: discord.SoundboardSound
    ) -> None:
        if before.name != after.name:
            log.info(
                "guild %s: soundboard sound %s renamed %r -> %r; the library keeps its name",
                after.guild.id,
                after.id,
                before.name,
                after.name,
            )


def _guild(interaction: discord.Interaction) -> discord.Guild:
    if interaction.guild is None:
        raise app_commands.NoPrivateMessage
    return interaction.guild


async def _check_may_manage_expressions(interaction: discord.Interaction, what: str) -> None:
    if interaction.permissions.create_expressions or await is_admin(interaction):
        return
    raise NotPermitted(
        f"Only admins and members with the Create Expressions permission can {what}."
    )


def _pick(
    board: list[discord.SoundboardSound], wanted: str | None
) -> list[discord.SoundboardSound]:
    if wanted is None or wanted.strip() in ("", ui.ALL):
        return board
    text = wanted.strip()
    by_id = next((s for s in board if str(s.id) == text), None)
    by_name = [s for s in board if s.name.casefold() == text.casefold()]
    if by_id is not None:
        return [by_id]
    if by_name:
        return by_name[:1]
    raise InvalidInput(f"The soundboard has no sound named {safe(text)!r}. Pick one from the list.")


def _emoji(text: str | None) -> discord.PartialEmoji | None:
    """A standard emoji ("🔔") or one of the server's (``<:bell:123>``); ``InvalidInput`` if not."""
    if text is None or not text.strip():
        return None
    partial = discord.PartialEmoji.from_str(text.strip())
    if partial.id is None and (
        len(partial.name) > MAX_EMOJI_LENGTH
        or any(c.isascii() and c.isalnum() for c in partial.name)
    ):
        raise InvalidInput(
            f"{safe(text)!r} is not an emoji. Pick one with the emoji picker (for example 🔔)."
        )
    return partial
