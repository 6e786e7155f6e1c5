"""A small extension that exercises what the emulator must carry, until the real cogs land."""

from __future__ import annotations

import asyncio
import hashlib
import io
import re

import discord
from discord import app_commands
from discord.ext import commands

from bot.audio.opus_source import OggOpusSource
from bot.audio.tones import tone

FRUITS = ["apple", "banana", "cherry", "mango", "orange", "pineapple"]


class CancelButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"carillon:cancel:(?P<id>\d+)"
):
    """The Cancel button every task message carries; it survives a restart."""

    def __init__(self, task_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Cancel",
                style=discord.ButtonStyle.danger,
                custom_id=f"carillon:cancel:{task_id}",
            )
        )
        self.task_id = task_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> CancelButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"Cancelled task {self.task_id}", ephemeral=True)


class StopButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"carillon:stop:(?P<guild>\d+)"
):
    """Answers by updating the message it is on (callback type 7)."""

    def __init__(self, guild_id: int) -> None:
        super().__init__(discord.ui.Button(label="Stop", custom_id=f"carillon:stop:{guild_id}"))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> StopButton:
        return cls(int(match["guild"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.edit_message(content="Stopped", view=None)


class CountButton(discord.ui.DynamicItem[discord.ui.Button], template=r"carillon:count:(?P<n>\d+)"):
    """Defers the update (callback type 6), then edits the message."""

    def __init__(self, count: int) -> None:
        super().__init__(
            discord.ui.Button(label=f"+1 ({count})", custom_id=f"carillon:count:{count}")
        )
        self.count = count

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> CountButton:
        return cls(int(match["n"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer()
        view = discord.ui.View(timeout=None)
        view.add_item(CountButton(self.count + 1))
        await interaction.edit_original_response(content=f"count {self.count + 1}", view=view)


class Pages(discord.ui.View):
    """An ordinary (not persistent) view on an ephemeral message."""

    def __init__(self) -> None:
        super().__init__(timeout=60)
        self.page = 1

    @discord.ui.button(label="Next", custom_id="pages:next")
    async def next_page(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.page += 1
        await interaction.response.edit_message(content=f"page {self.page}", view=self)


class Rename(discord.ui.Modal, title="Rename"):
    name: discord.ui.TextInput[Rename] = discord.ui.TextInput(label="New name", custom_id="name")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"renamed to {self.name.value}", ephemeral=True)


@app_commands.guild_only()
class Probe(commands.GroupCog, group_name="probe"):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(description="Answers privately")
    async def ping(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"pong {interaction.user.name}", ephemeral=True)

    @app_commands.command(description="Picks a fruit")
    async def pick(self, interaction: discord.Interaction, fruit: str) -> None:
        await interaction.response.send_message(f"You picked {fruit}", ephemeral=True)

    @pick.autocomplete("fruit")
    async def _fruits(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=f, value=f) for f in FRUITS if current.lower() in f][:25]

    @app_commands.command(description="Posts a task with a Cancel button")
    async def task(self, interaction: discord.Interaction, task_id: int) -> None:
        view = discord.ui.View(timeout=None)
        view.add_item(CancelButton(task_id))
        await interaction.response.send_message(f"Task {task_id} scheduled", view=view)

    @app_commands.command(description="Posts a panel with Stop and +1 buttons")
    async def panel(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        view = discord.ui.View(timeout=None)
        view.add_item(StopButton(interaction.guild_id))
        view.add_item(CountButton(0))
        await interaction.response.send_message("count 0", view=view)

    @app_commands.command(description="Answers after half a second, without deferring")
    async def late(self, interaction: discord.Interaction) -> None:
        await asyncio.sleep(0.5)
        await interaction.response.send_message("too late", ephemeral=True)

    @app_commands.command(description="Sends you a private message")
    async def dm(self, interaction: discord.Interaction) -> None:
        await interaction.user.send("a private hello")
        await interaction.response.send_message("check your messages", ephemeral=True)

    @app_commands.command(description="Answers with a file")
    async def export(self, interaction: discord.Interaction) -> None:
        file = discord.File(io.BytesIO(b"task,when\n42,tomorrow\n"), filename="tasks.csv")
        await interaction.response.send_message("your tasks", file=file, ephemeral=True)

    @app_commands.command(description="Pages through a private list")
    async def pages(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("page 1", view=Pages(), ephemeral=True)

    @app_commands.command(description="Echoes typed options")
    async def options(
        self,
        interaction: discord.Interaction,
        channel: discord.VoiceChannel,
        member: discord.Member,
        role: discord.Role,
        count: int,
        ratio: float,
        flag: bool,
    ) -> None:
        text = f"{channel.name} {member.name} {role.name} {count} {ratio} {flag}"
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(description="Asks for a name in a modal")
    async def rename(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(Rename())

    @app_commands.command(description="Thinks, then answers")
    async def slow(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await asyncio.sleep(0.2)
        await interaction.edit_original_response(content="done thinking")

    @app_commands.command(description="Posts to the channel")
    async def announce(self, interaction: discord.Interaction, text: str) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        assert isinstance(interaction.channel, discord.TextChannel)
        message = await interaction.channel.send(text)
        await message.edit(content=f"{text} (edited)")
        await interaction.followup.send("sent", ephemeral=True)

    @app_commands.command(description="Reads an attachment")
    async def upload(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        data = await file.read()
        digest = hashlib.sha256(data).hexdigest()
        await interaction.response.send_message(
            f"{file.filename} {len(data)} {digest}", ephemeral=True
        )

    @app_commands.command(description="Plays a 440 Hz tone in your voice channel")
    async def play(self, interaction: discord.Interaction, seconds: float = 2.0) -> None:
        assert isinstance(interaction.user, discord.Member)
        voice = interaction.user.voice
        if voice is None or voice.channel is None:
            await interaction.response.send_message("Join a voice channel first", ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild = interaction.guild
        assert guild is not None
        client = guild.voice_client
        if not isinstance(client, discord.VoiceClient) or not client.is_connected():
            client = await voice.channel.connect(timeout=10, self_deaf=True)
        data = await asyncio.to_thread(tone, 440.0, seconds, "opus")
        client.play(OggOpusSource(io.BytesIO(data)))
        assert isinstance(interaction.channel, discord.TextChannel)
        view = discord.ui.View(timeout=None)
        view.add_item(CancelButton(7))
        await interaction.channel.send(f"Now playing a {seconds:g} s tone", view=view)
        await interaction.followup.send("playing", ephemeral=True)


@app_commands.command(description="For members who can manage the server")
@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
async def secret(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("the secret", ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    bot.add_dynamic_items(CancelButton, StopButton, CountButton)
    bot.tree.add_command(secret)
    await bot.add_cog(Probe(bot))
