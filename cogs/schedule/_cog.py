"""The ``/schedule`` commands."""

from __future__ import annotations

from dataclasses import replace

import discord
from discord import app_commands
from discord.ext import commands

from bot.services.bundle import Services
from bot.services.task_requests import WhenInput
from bot.task_kinds import TaskStatus
from bot.ui.buttons import (
    ListScope,
    paused_text,
    resumed_text,
    skipped_text,
    task_list,
    task_view,
)
from bot.ui.first_run import nudge_text, nudge_view
from bot.ui.formatting import safe
from bot.ui.playlists import playlist_choices
from bot.ui.soundboard import native_note
from bot.ui.sounds import sound_choices
from bot.ui.task_input import (
    REPEAT_OPTIONS,
    STATUS_OPTIONS,
    actor_of,
    member_actor,
    play_target,
    task_choices,
    task_ref_of,
    when_choices,
)
from bot.ui.task_messages import send_tracked, send_tracked_list
from bot.ui.tasks import TASK_NAME_LIMIT, details_embed, task_embed
from bot.voice.play import PlaylistMode

Choice = app_commands.Choice
Name = app_commands.Range[str, 1, 100]
Count = app_commands.Range[int, 1, 100_000]
Text = app_commands.Range[str, 1, 200]

MODE_OPTIONS = [Choice(name=mode.value, value=mode.value) for mode in PlaylistMode]

_WHEN = 'When: "in 2 hours", "tomorrow 9am", "every weekday at 9am"…'
_OPTION_HELP = {
    "when": _WHEN,
    "channel": "Voice channel to play in (default: the one you are in)",
    "repeat": "Repeat the time given in when",
    "cron": "A five-field cron expression, in your timezone",
    "count": "How many runs in total",
    "until": "The last time a run may start",
    "name": "A name for the task",
    "announce": 'Post "now playing" in this channel at each run (default: yes)',
    "skip_if_empty": "Skip a run when nobody is in the voice channel (not charged)",
}
_NATIVE = "Soundboard sounds: play through the soundboard, not streamed (default: where I may)"


_EDIT_OPTIONS = ("when", "repeat", "cron", "count", "until", "name")


def _repeat(choice: Choice[str] | None) -> str | None:
    return choice.value if choice is not None else None


@app_commands.guild_only()
class ScheduleCog(commands.GroupCog, group_name="schedule"):
    """Schedule sounds and playlists, and manage your tasks."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.tasks = services.member_tasks
        self.queries = services.task_queries

    @app_commands.command(name="sound", description="Play a sound in a voice channel later")
    @app_commands.describe(sound="The sound to play", native=_NATIVE, **_OPTION_HELP)
    @app_commands.choices(repeat=REPEAT_OPTIONS)
    async def sound(
        self,
        interaction: discord.Interaction,
        sound: str,
        when: Text,
        channel: discord.VoiceChannel | discord.StageChannel | None = None,
        repeat: Choice[str] | None = None,
        cron: Text | None = None,
        count: Count | None = None,
        until: Text | None = None,
        name: Name | None = None,
        announce: bool = True,
        skip_if_empty: bool = False,
        native: bool = True,
    ) -> None:
        target = replace(
            play_target(interaction, channel), announce=announce, skip_if_empty=skip_if_empty
        )
        task = await self.tasks.schedule_sound(
            actor_of(interaction),
            sound,
            WhenInput(when, _repeat(repeat), cron, count, until),
            target,
            name,
            native=native,
        )
        note = await native_note(interaction, self.services.sounds, task)
        await send_tracked(
            interaction,
            task,
            content=note,
            embed=task_embed(task, title="🔔 Scheduled"),
            view=task_view(task),
        )
        await self._nudge(interaction, task.timezone)

    @app_commands.command(name="playlist", description="Play a playlist in a voice channel later")
    @app_commands.describe(
        playlist="The playlist to play",
        mode="continuous, loop, loop_one, random or single",
        shuffle="Shuffle the order first",
        native=_NATIVE,
        **_OPTION_HELP,
    )
    @app_commands.choices(repeat=REPEAT_OPTIONS, mode=MODE_OPTIONS)
    async def playlist(
        self,
        interaction: discord.Interaction,
        playlist: str,
        when: Text,
        mode: Choice[str] | None = None,
        shuffle: bool = False,
        channel: discord.VoiceChannel | discord.StageChannel | None = None,
        repeat: Choice[str] | None = None,
        cron: Text | None = None,
        count: Count | None = None,
        until: Text | None = None,
        name: Name | None = None,
        announce: bool = True,
        skip_if_empty: bool = False,
        native: bool = True,
    ) -> None:
        target = replace(
            play_target(interaction, channel), announce=announce, skip_if_empty=skip_if_empty
        )
        task = await self.tasks.schedule_playlist(
            actor_of(interaction),
            playlist,
            WhenInput(when, _repeat(repeat), cron, count, until),
            target,
            name,
            mode=PlaylistMode(mode.value if mode else PlaylistMode.CONTINUOUS),
            shuffle=shuffle,
            native=native,
        )
        await send_tracked(
            interaction, task, embed=task_embed(task, title="🎶 Scheduled"), view=task_view(task)
        )
        await self._nudge(interaction, task.timezone)

    async def _nudge(self, interaction: discord.Interaction, zone: str) -> None:
        if await self.tasks.first_without_timezone(actor_of(interaction)):
            await interaction.followup.send(nudge_text(zone), view=nudge_view(), ephemeral=True)

    @app_commands.command(name="list", description="Your tasks in this server")
    @app_commands.describe(status="Which tasks to show (default: pending)")
    @app_commands.choices(status=STATUS_OPTIONS)
    async def list_(
        self, interaction: discord.Interaction, status: Choice[str] | None = None
    ) -> None:
        scope = ListScope(
            admin=False,
            viewer_id=interaction.user.id,
            status=status.value if status else "pending",
        )
        embed, view = await task_list(interaction, scope, 0)
        await send_tracked_list(interaction, scope, embed=embed, view=view)

    @app_commands.command(name="info", description="A task's details, next runs and last runs")
    @app_commands.describe(task="One of your tasks")
    async def info(self, interaction: discord.Interaction, task: str) -> None:
        details = await self.queries.details(member_actor(interaction), task_ref_of(task))
        await interaction.response.send_message(embed=details_embed(details), ephemeral=True)

    @app_commands.command(name="edit", description="Change a task's time, repetition or name")
    @app_commands.describe(
        task="One of your pending tasks",
        **{k: v for k, v in _OPTION_HELP.items() if k in _EDIT_OPTIONS},
    )
    @app_commands.choices(repeat=REPEAT_OPTIONS)
    async def edit(
        self,
        interaction: discord.Interaction,
        task: str,
        when: Text | None = None,
        repeat: Choice[str] | None = None,
        cron: Text | None = None,
        count: Count | None = None,
        until: Text | None = None,
        name: Name | None = None,
    ) -> None:
        edited = await self.tasks.edit(
            actor_of(interaction),
            task_ref_of(task),
            WhenInput(when, _repeat(repeat), cron, count, until),
            name,
        )
        await send_tracked(
            interaction,
            edited,
            embed=task_embed(edited, title="✏️ Task changed"),
            view=task_view(edited),
            ephemeral=True,
        )

    @app_commands.command(name="cancel", description="Cancel one of your tasks")
    @app_commands.describe(task="One of your active tasks")
    async def cancel(self, interaction: discord.Interaction, task: str) -> None:
        cancelled = await self.tasks.cancel(member_actor(interaction), task_ref_of(task))
        name = safe(cancelled.name, TASK_NAME_LIMIT)
        await interaction.response.send_message(
            f"✅ Cancelled task {cancelled.ref} **{name}**: it will not run again.",
            ephemeral=True,
        )

    @app_commands.command(
        name="pause", description="Pause a task: nothing plays until you resume it"
    )
    @app_commands.describe(task="One of your pending tasks")
    async def pause(self, interaction: discord.Interaction, task: str) -> None:
        paused = await self.tasks.pause(member_actor(interaction), task_ref_of(task))
        await interaction.response.send_message(
            paused_text(paused), embed=task_embed(paused, title="⏸️ Paused"), ephemeral=True
        )

    @app_commands.command(name="resume", description="Resume a paused task from its next run")
    @app_commands.describe(task="One of your paused tasks")
    async def resume(self, interaction: discord.Interaction, task: str) -> None:
        resumed = await self.tasks.resume(member_actor(interaction), task_ref_of(task))
        await send_tracked(
            interaction,
            resumed,
            content=resumed_text(resumed),
            embed=task_embed(resumed, title="▶️ Resumed"),
            view=task_view(resumed),
            ephemeral=True,
        )

    @app_commands.command(name="skip", description="Skip a repeating task's next run only")
    @app_commands.describe(task="One of your repeating tasks")
    async def skip(self, interaction: discord.Interaction, task: str) -> None:
        skipped, dropped = await self.tasks.skip(member_actor(interaction), task_ref_of(task))
        await send_tracked(
            interaction,
            skipped,
            content=skipped_text(skipped, dropped),
            embed=task_embed(skipped, title="⏭️ Skipped the next run"),
            view=task_view(skipped),
            ephemeral=True,
        )

    @sound.autocomplete("sound")
    async def _sounds(self, interaction: discord.Interaction, current: str) -> list[Choice[str]]:
        return await sound_choices(self.services.sounds, interaction.guild_id, current)

    @playlist.autocomplete("playlist")
    async def _playlists(self, interaction: discord.Interaction, current: str) -> list[Choice[str]]:
        return await playlist_choices(self.services.playlists, interaction.guild_id, current)

    @sound.autocomplete("when")
    @playlist.autocomplete("when")
    @edit.autocomplete("when")
    async def _when(self, interaction: discord.Interaction, current: str) -> list[Choice[str]]:
        return await when_choices(self.tasks, interaction, current)

    @cancel.autocomplete("task")
    @edit.autocomplete("task")
    async def _active_tasks(
        self, interaction: discord.Interaction, current: str
    ) -> list[Choice[str]]:
        return await task_choices(self.queries, interaction, current)

    @pause.autocomplete("task")
    @skip.autocomplete("task")
    async def _pending_tasks(
        self, interaction: discord.Interaction, current: str
    ) -> list[Choice[str]]:
        return await task_choices(
            self.queries, interaction, current, statuses=(TaskStatus.PENDING,)
        )

    @resume.autocomplete("task")
    async def _paused_tasks(
        self, interaction: discord.Interaction, current: str
    ) -> list[Choice[str]]:
        return await task_choices(self.queries, interaction, current, statuses=(TaskStatus.PAUSED,))

    @info.autocomplete("task")
    async def _any_task(self, interaction: discord.Interaction, current: str) -> list[Choice[str]]:
        return await task_choices(self.queries, interaction, current, active_only=False)
