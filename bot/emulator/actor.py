"""A member of an emulated guild: slash commands, autocomplete, button clicks, voice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.emulator.interactions import (
    CallbackType,
    InteractionRecord,
    InteractionType,
    NoResponseError,
    Reply,
)
from bot.emulator.model import Attachment, Channel, ChannelType, Guild, Member, Message, Role, User

if TYPE_CHECKING:
    from bot.emulator.server import Emulator

SUBCOMMAND, SUBCOMMAND_GROUP = 1, 2
TEXT_INPUT = 4
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = range(3, 12)

# Discord shows "The application did not respond" after three seconds.
RESPONSE_TIMEOUT = 3.0
# How long a member watches "Carillon is thinking…" before a test gives up on the answer.
SETTLE_TIMEOUT = 15.0


@dataclass(frozen=True)
class Choice:
    """One autocomplete suggestion."""

    name: str
    value: str | int | float


class Actor:
    """Acts as ``member`` does in the Discord client, through an ``Emulator``."""

    def __init__(
        self, emulator: Emulator, member: Member, *, channel: Channel | None = None
    ) -> None:
        self.emulator = emulator
        self.member = member
        self.channel = channel or next(
            (c for c in self.guild.channels.values() if c.type == ChannelType.TEXT), None
        )

    def __repr__(self) -> str:
        return f"<Actor {self.member.user.username}>"

    @property
    def guild(self) -> Guild:
        return self.emulator.guilds[self.member.guild_id]

    @property
    def id(self) -> int:
        return self.member.id

    @property
    def mention(self) -> str:
        return self.member.mention

    async def slash(
        self,
        command: str,
        /,
        *,
        channel: Channel | None = None,
        timeout: float = RESPONSE_TIMEOUT,
        settle: float | None = SETTLE_TIMEOUT,
        options: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Reply:
        """Run ``/command`` (``"schedule sound"`` for a subcommand) and return the bot's answer.

        Options are keywords, or ``options={...}`` for an option named ``channel``, ``timeout``
        or ``settle``; ``channel`` is where the member types it (default: the actor's channel).
        ``timeout`` bounds the bot's acknowledgement; if it deferred ("thinking…"), the call
        waits up to ``settle`` seconds for the real answer (``settle=None`` returns at once).
        """
        values = {**(options or {}), **kwargs}
        data = self._command_data(command, values, focused=None)
        record = await self._start(InteractionType.APPLICATION_COMMAND, data, channel)
        await self._await_answer(record, timeout, f"/{command}")
        return await self._settled(Reply(self.emulator, record), settle, f"/{command}")

    async def autocomplete(
        self,
        command: str,
        /,
        *,
        focused: str,
        channel: Channel | None = None,
        timeout: float = RESPONSE_TIMEOUT,
        options: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> list[Choice]:
        """Type into option ``focused`` of ``/command`` and return the suggestions shown."""
        values = {**(options or {}), **kwargs}
        values.setdefault(focused, "")
        data = self._command_data(command, values, focused=focused)
        record = await self._start(InteractionType.AUTOCOMPLETE, data, channel)
        await self._await_answer(record, timeout, f"autocomplete of /{command} {focused}")
        return [Choice(c["name"], c["value"]) for c in record.choices or []]

    async def click(
        self,
        message: Message | Reply,
        custom_id: str,
        *,
        timeout: float = RESPONSE_TIMEOUT,
        settle: float | None = SETTLE_TIMEOUT,
    ) -> Reply:
        """Press the button ``custom_id`` on ``message`` and return the bot's answer."""
        reply = await self._component(message, custom_id, None, timeout)
        return await self._settled(reply, settle, f"click on {custom_id}")

    async def select(
        self,
        message: Message | Reply,
        custom_id: str,
        values: list[str],
        *,
        timeout: float = RESPONSE_TIMEOUT,
        settle: float | None = SETTLE_TIMEOUT,
    ) -> Reply:
        """Pick ``values`` in the select menu ``custom_id`` on ``message``."""
        reply = await self._component(message, custom_id, values, timeout)
        return await self._settled(reply, settle, f"choice in {custom_id}")

    async def submit(
        self,
        reply: Reply,
        values: dict[str, str],
        *,
        timeout: float = RESPONSE_TIMEOUT,
        settle: float | None = SETTLE_TIMEOUT,
    ) -> Reply:
        """Fill in the modal the bot opened in ``reply`` (text inputs by custom_id) and send it."""
        modal = reply.modal
        if modal is None:
            raise AssertionError("the bot did not open a modal")
        unknown = set(values) - set(_text_inputs(modal["components"]))
        if unknown:
            raise AssertionError(f"the modal has no inputs {sorted(unknown)}")
        data = {
            "custom_id": modal["custom_id"],
            "components": _answers(modal["components"], values),
        }
        record = await self._start(
            InteractionType.MODAL_SUBMIT, data, reply.record.channel, reply.record.source_message
        )
        await self._await_answer(record, timeout, f"modal {modal['custom_id']}")
        return await self._settled(Reply(self.emulator, record), settle, "the modal")

    async def join_voice(self, channel: Channel) -> None:
        """Join ``channel`` as the client allows: with Connect, and only if it is not full."""
        refusal = self.emulator.voice_refusal(self.guild, self.member.id, channel.id)
        if refusal is not None:
            raise AssertionError(
                f"{self.member.user.username} cannot join {channel.name}: {refusal}"
            )
        await self.emulator.set_voice_channel(self.member, channel)

    async def leave_voice(self) -> None:
        await self.emulator.set_voice_channel(self.member, None)

    async def _component(
        self, message: Message | Reply, custom_id: str, values: list[str] | None, timeout: float
    ) -> Reply:
        target = message.message if isinstance(message, Reply) else message
        if target is None or target.deleted:
            raise AssertionError("there is no message to click on")
        component = target.find_component(custom_id)
        if component is None:
            raise AssertionError(
                f"no component {custom_id!r} on the message; it has {target.custom_ids()}"
            )
        if component.get("disabled"):
            raise AssertionError(f"{custom_id!r} is disabled")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component["type"]}
        if values is not None:
            data["values"] = values
        channel = self.emulator.find_channel(target.channel_id) or self.channel
        record = await self._start(InteractionType.MESSAGE_COMPONENT, data, channel, target)
        await self._await_answer(record, timeout, f"click on {custom_id}")
        return Reply(self.emulator, record)

    async def _start(
        self,
        kind: int,
        data: dict[str, Any],
        channel: Channel | None,
        source: Message | None = None,
    ) -> InteractionRecord:
        where = channel or self.channel
        if where is None:
            raise ValueError(f"{self.guild.name} has no text channel to run commands in")
        return await self.emulator.start_interaction(
            kind, self.guild, where, self.member, data, source_message=source
        )

    @staticmethod
    async def _settled(reply: Reply, settle: float | None, what: str) -> Reply:
        """Wait out a deferred "thinking…" answer (a deferred update has nothing to wait for)."""
        if settle is None or reply.record.callback_type != CallbackType.DEFERRED_CHANNEL_MESSAGE:
            return reply
        try:
            return await reply.wait_until_ready(timeout=settle)
        except TimeoutError:
            raise NoResponseError(
                f"{what}: the bot deferred and never answered within {settle}s"
            ) from None

    async def _await_answer(self, record: InteractionRecord, timeout: float, what: str) -> None:
        try:
            await self.emulator.changed.wait_for(lambda: record.acknowledged, timeout, what)
        except TimeoutError:
            raise NoResponseError(
                f"The application did not respond to {what} within {timeout}s "
                f"(unknown routes so far: {self.emulator.unknown_routes})"
            ) from None

    def _command_data(
        self, command: str, values: dict[str, Any], *, focused: str | None
    ) -> dict[str, Any]:
        path = command.strip().lstrip("/").split()
        registered = self.emulator.find_command(path[0], self.guild.id)
        if registered is None:
            known = sorted(
                {c["name"] for cmds in self.emulator.commands.values() for c in cmds.values()}
            )
            raise AssertionError(f"/{path[0]} is not registered; registered: {known}")
        self._check_visible(registered)
        data: dict[str, Any] = {
            "id": registered["id"],
            "name": registered["name"],
            "type": 1,
            "options": [],
        }
        if registered.get("guild_id"):
            data["guild_id"] = registered["guild_id"]
        resolved: dict[str, dict[str, Any]] = {}
        definitions: list[dict[str, Any]] = registered.get("options", [])
        container: list[dict[str, Any]] = data["options"]
        for name in path[1:]:
            sub = next((o for o in definitions if o["name"] == name and o["type"] in (1, 2)), None)
            if sub is None:
                names = [o["name"] for o in definitions if o["type"] in (1, 2)]
                raise AssertionError(f"/{command}: no subcommand {name!r} (has {names})")
            entry: dict[str, Any] = {"type": sub["type"], "name": name, "options": []}
            container.append(entry)
            container = entry["options"]
            definitions = sub.get("options", [])
        by_name = {o["name"]: o for o in definitions}
        for name, value in values.items():
            if name not in by_name:
                raise AssertionError(f"/{command} has no option {name!r} (has {sorted(by_name)})")
            container.append(self._option(by_name[name], value, name == focused, resolved))
        if focused is None:
            missing = [
                o["name"] for o in definitions if o.get("required") and o["name"] not in values
            ]
            if missing:
                raise AssertionError(f"/{command}: required options missing: {missing}")
        if resolved:
            data["resolved"] = resolved
        return data

    def _lookup(self, kind: int, value: Any) -> Any:
        """An id given for a user, channel or role option becomes that object, to resolve it."""
        if isinstance(value, bool) or not isinstance(value, int):
            return value
        guild = self.guild
        if kind == CHANNEL:
            return guild.channels.get(value, value)
        if kind == ROLE:
            return guild.roles.get(value, value)
        if kind in (USER, MENTIONABLE):
            return guild.members.get(value) or guild.roles.get(value) or value
        return value

    def _check_visible(self, command: dict[str, Any]) -> None:
        required = command.get("default_member_permissions")
        if not self.emulator.command_permissions or required is None:
            return
        wanted = int(required)
        if self.guild.base_permissions(self.member) & wanted != wanted:
            raise AssertionError(
                f"{self.member.user.username} cannot see /{command['name']}: "
                f"it needs permissions {wanted} (default_member_permissions)"
            )

    def _option(
        self,
        definition: dict[str, Any],
        value: Any,
        focused: bool,
        resolved: dict[str, dict[str, Any]],
    ) -> dict[str, Any]:
        kind = definition["type"]
        option: dict[str, Any] = {"name": definition["name"], "type": kind}
        if focused:
            return option | {"value": str(value), "focused": True}
        value = self._lookup(kind, value)
        if kind in (USER, MENTIONABLE) and isinstance(value, Member | User | Actor):
            member = value.member if isinstance(value, Actor) else value
            user = member.user if isinstance(member, Member) else member
            resolved.setdefault("users", {})[str(user.id)] = user.payload()
            if isinstance(member, Member):
                permissions = self.guild.base_permissions(member)
                member_data = member.payload(permissions=permissions)
                member_data.pop("user")
                resolved.setdefault("members", {})[str(user.id)] = member_data
            value = user.id
        elif kind == CHANNEL and isinstance(value, Channel):
            channel_data = value.payload() | {
                "permissions": str(self.guild.permissions_in(self.member, value))
            }
            resolved.setdefault("channels", {})[str(value.id)] = channel_data
            value = value.id
        elif kind in (ROLE, MENTIONABLE) and isinstance(value, Role):
            resolved.setdefault("roles", {})[str(value.id)] = value.payload()
            value = value.id
        elif kind == ATTACHMENT and isinstance(value, Attachment):
            resolved.setdefault("attachments", {})[str(value.id)] = value.payload()
            value = value.id
        if kind in (USER, CHANNEL, ROLE, MENTIONABLE, ATTACHMENT):
            option["value"] = str(value)
        elif kind == INTEGER:
            option["value"] = int(value)
        elif kind == NUMBER:
            option["value"] = float(value)
        elif kind == BOOLEAN:
            option["value"] = bool(value)
        else:
            option["value"] = str(value)
        return option


def _text_inputs(components: list[dict[str, Any]]) -> list[str]:
    found: list[str] = []
    for component in components:
        if component["type"] == 1:
            found += _text_inputs(component.get("components", []))
        elif component["type"] == 18:
            found += _text_inputs([component["component"]])
        elif component["type"] == TEXT_INPUT:
            found.append(component["custom_id"])
    return found


def _answers(components: list[dict[str, Any]], values: dict[str, str]) -> list[dict[str, Any]]:
    """The submitted components: the modal's layout with each text input's value."""
    answers: list[dict[str, Any]] = []
    for component in components:
        if component["type"] == 1:
            answers.append({"type": 1, "components": _answers(component["components"], values)})
        elif component["type"] == 18:
            inner = _answers([component["component"]], values)
            answers.append({"type": 18, "component": inner[0]} if inner else component)
        elif component["type"] == TEXT_INPUT:
            custom_id = component["custom_id"]
            value = values.get(custom_id, component.get("value") or "")
            if component.get("required", True) and not value:
                raise AssertionError(f"the modal's input {custom_id!r} is required")
            answers.append({"type": TEXT_INPUT, "custom_id": custom_id, "value": value})
    return answers
