"""REST under ``/api/v10``: the calls discord.py makes, answered from the emulator's state."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.emulator.interactions import CallbackType, InteractionRecord
from bot.emulator.model import Channel, Message, Permission

if TYPE_CHECKING:
    from bot.emulator.server import Emulator

API_PREFIX = "/api/v10"


def json_response(data: Any, status: int = 200) -> web.Response:
    """JSON with ``Content-Type`` exactly ``application/json``, as discord.py requires."""
    body = b"" if data is None else json.dumps(data).encode()
    headers = {"Content-Type": "application/json", "Via": "1.1 carillon-emulator"}
    return web.Response(body=body, status=status, headers=headers)


def error(status: int, message: str, code: int = 0) -> web.Response:
    return json_response({"message": message, "code": code}, status)


def unauthorized() -> web.Response:
    return error(401, "401: Unauthorized")


def invalid_webhook_token() -> web.Response:
    return error(401, "Invalid Webhook Token", 50027)


def cloudflare_ban(seconds_left: float) -> web.Response:
    """What Cloudflare answers an IP banned for invalid requests: a page, not Discord's JSON."""
    headers = {"Retry-After": str(math.ceil(seconds_left))}
    return web.Response(
        status=429, text="error code: 1015", content_type="text/plain", headers=headers
    )


def route_of(request: web.Request) -> str | None:
    """``"POST /channels/{channel_id}/messages"`` for an emulated route, else ``None``."""
    info = request.match_info.get_info()
    template = info.get("formatter") or info.get("path") or ""
    if not template.startswith(API_PREFIX):
        return None
    return f"{request.method} {template[len(API_PREFIX) :]}"


def no_content() -> web.Response:
    return web.Response(status=204, headers={"Via": "1.1 carillon-emulator"})


async def read_body(request: web.Request) -> tuple[dict[str, Any], list[tuple[str, bytes, str]]]:
    """The JSON payload and uploaded files of a JSON or multipart request."""
    if request.content_type.startswith("multipart/"):
        payload: dict[str, Any] = {}
        files: list[tuple[str, bytes, str]] = []
        reader = await request.multipart()
        async for part in reader:
            if part.name == "payload_json":
                payload = json.loads(await part.text())  # type: ignore[union-attr]
            elif part.filename:
                content_type = part.headers.get("Content-Type", "application/octet-stream")
                files.append((part.filename, await part.read(), content_type))  # type: ignore[union-attr]
        return payload, files
    raw = await request.read() if request.body_exists else b""
    return (json.loads(raw) if raw else {}), []


class Rest:
    """The REST handlers for an ``Emulator``."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator

    def routes(self) -> list[web.RouteDef]:
        p = API_PREFIX
        app = "/applications/{app_id}"
        hook = "/webhooks/{app_id}/{token}"
        return [
            web.get(f"{p}/gateway/bot", self.get_bot_gateway),
            web.get(f"{p}/users/@me", self.get_me),
            web.get(f"{p}/users/{{user_id}}", self.get_user),
            web.post(f"{p}/users/@me/channels", self.create_dm),
            web.get(f"{p}/oauth2/applications/@me", self.get_application),
            web.get(f"{p}/applications/@me", self.get_application),
            web.put(f"{p}{app}/commands", self.put_commands),
            web.get(f"{p}{app}/commands", self.get_commands),
            web.put(f"{p}{app}/guilds/{{guild_id}}/commands", self.put_commands),
            web.get(f"{p}{app}/guilds/{{guild_id}}/commands", self.get_commands),
            web.post(f"{p}/interactions/{{interaction_id}}/{{token}}/callback", self.callback),
            web.post(f"{p}{hook}", self.create_followup),
            web.get(f"{p}{hook}/messages/{{message_id}}", self.get_webhook_message),
            web.patch(f"{p}{hook}/messages/{{message_id}}", self.edit_webhook_message),
            web.delete(f"{p}{hook}/messages/{{message_id}}", self.delete_webhook_message),
            web.get(f"{p}/channels/{{channel_id}}", self.get_channel),
            web.get(f"{p}/channels/{{channel_id}}/messages", self.list_messages),
            web.post(f"{p}/channels/{{channel_id}}/messages", self.create_message),
            web.get(f"{p}/channels/{{channel_id}}/messages/{{message_id}}", self.get_message),
            web.patch(f"{p}/channels/{{channel_id}}/messages/{{message_id}}", self.edit_message),
            web.delete(f"{p}/channels/{{channel_id}}/messages/{{message_id}}", self.delete_message),
            web.put(f"{p}/channels/{{channel_id}}/voice-status", self.set_voice_status),
            web.get(f"{p}/guilds/{{guild_id}}", self.get_guild),
            web.get(f"{p}/guilds/{{guild_id}}/channels", self.get_guild_channels),
            web.get(f"{p}/guilds/{{guild_id}}/roles", self.get_roles),
            web.get(f"{p}/guilds/{{guild_id}}/members", self.list_members),
            web.get(f"{p}/guilds/{{guild_id}}/members/{{user_id}}", self.get_member),
            web.get("/attachments/{attachment_id}/{filename}", self.download_attachment),
        ]

    # identity

    async def get_bot_gateway(self, request: web.Request) -> web.Response:
        """Where to connect and how many shards Discord recommends, as ``GET /gateway/bot``."""
        emulator = self.emulator
        return json_response(
            {
                "url": emulator.gateway_url,
                "shards": emulator.gateway.recommended_shards(),
                "session_start_limit": emulator.gateway.session_start_limit(),
            }
        )

    async def get_me(self, request: web.Request) -> web.Response:
        """The bot, or the user an OAuth2 bearer token speaks for."""
        user_id = self.emulator.oauth.bearer(request.headers.get("Authorization"), "identify")
        if user_id is not None:
            user = self.emulator.find_user(user_id)
            if user is not None:
                return json_response(user.payload())
        return json_response(self.emulator.bot_user.payload() | {"verified": True})

    async def get_user(self, request: web.Request) -> web.Response:
        user = self.emulator.find_user(int(request.match_info["user_id"]))
        return json_response(user.payload()) if user else error(404, "Unknown User", 10013)

    async def create_dm(self, request: web.Request) -> web.Response:
        payload, _ = await read_body(request)
        channel = self.emulator.dm_channel(int(payload["recipient_id"]))
        return json_response(channel)

    async def get_application(self, request: web.Request) -> web.Response:
        emulator = self.emulator
        owner = emulator.application_owner
        return json_response(
            {
                "id": str(emulator.application_id),
                "name": emulator.bot_user.username,
                "icon": None,
                "description": "",
                "rpc_origins": [],
                "bot_public": True,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "owner": owner.payload(),
                "team": None,
                "flags": 0,
                "bot": emulator.bot_user.payload(),
                "interactions_endpoint_url": None,
                "redirect_uris": [],
                "tags": [],
            }
        )

    # application commands

    async def put_commands(self, request: web.Request) -> web.Response:
        payload, _ = await read_body(request)
        guild_id = request.match_info.get("guild_id")
        registered = self.emulator.register_commands(payload, int(guild_id) if guild_id else None)
        return json_response(registered)

    async def get_commands(self, request: web.Request) -> web.Response:
        guild_id = request.match_info.get("guild_id")
        key = int(guild_id) if guild_id else None
        return json_response(list(self.emulator.commands.get(key, {}).values()))

    # interactions

    async def callback(self, request: web.Request) -> web.Response:
        emulator = self.emulator
        record = emulator.interactions.get(int(request.match_info["interaction_id"]))
        if record is None or record.token != request.match_info["token"]:
            return error(404, "Unknown interaction", 10062)
        if record.acknowledged:
            return error(400, "Interaction has already been acknowledged.", 40060)
        if record.expired(emulator.answer_window):
            emulator.late_callbacks.append(record)
            return error(404, "Unknown interaction", 10062)
        payload, files = await read_body(request)
        callback_type = int(payload["type"])
        data = payload.get("data") or {}
        record.callback_type = callback_type
        record.callback_data = data
        resource: dict[str, Any] | None = None
        message_id: str | None = None
        if callback_type in (CallbackType.CHANNEL_MESSAGE, CallbackType.DEFERRED_CHANNEL_MESSAGE):
            message = emulator.new_message(record.channel, data, files, interaction=record)
            if callback_type == CallbackType.DEFERRED_CHANNEL_MESSAGE:
                message.flags |= Message.LOADING
            record.original = message
            message_id = str(message.id)
            resource = {"type": callback_type, "message": message.payload()}
        elif callback_type == CallbackType.UPDATE_MESSAGE and record.source_message is not None:
            emulator.apply_edit(record.source_message, data, files)
            resource = {"type": callback_type, "message": record.source_message.payload()}
        elif callback_type == CallbackType.AUTOCOMPLETE_RESULT:
            record.choices = list(data.get("choices", []))
        elif callback_type == CallbackType.MODAL:
            record.modal = data
        shown = (
            record.source_message
            if callback_type in (CallbackType.DEFERRED_UPDATE_MESSAGE, CallbackType.UPDATE_MESSAGE)
            else record.original
        )
        record.answered_version = shown.version if shown is not None else -1
        emulator.changed.notify()
        answer: dict[str, Any] = {
            "interaction": {
                "id": str(record.id),
                "type": record.type,
                "response_message_id": message_id,
                "response_message_loading": callback_type == CallbackType.DEFERRED_CHANNEL_MESSAGE,
                "response_message_ephemeral": bool(data.get("flags", 0) & Message.EPHEMERAL),
            }
        }
        if resource is not None:
            answer["resource"] = resource
        return json_response(answer)

    def _webhook(self, request: web.Request) -> InteractionRecord | web.Response:
        """The interaction whose token the request carries, or Discord's refusal."""
        emulator = self.emulator
        if request.match_info["app_id"] != str(emulator.application_id):
            return error(404, "Unknown Webhook", 10015)
        record = emulator.interactions_by_token.get(request.match_info["token"])
        if record is None or record.token_expired(emulator.token_lifetime):
            return invalid_webhook_token()
        return record

    def _webhook_message(self, request: web.Request) -> Message | web.Response:
        record = self._webhook(request)
        if isinstance(record, web.Response):
            return record
        message_id = request.match_info["message_id"]
        if message_id == "@original":
            if record.callback_type in (
                CallbackType.DEFERRED_UPDATE_MESSAGE,
                CallbackType.UPDATE_MESSAGE,
            ):
                message = record.source_message
            else:
                message = record.original
        else:
            wanted = int(message_id) if message_id.isdigit() else 0
            candidates = [record.original, *record.followups]
            message = next((m for m in candidates if m is not None and m.id == wanted), None)
        if message is None or message.deleted:
            return error(404, "Unknown Message", 10008)
        return message

    async def create_followup(self, request: web.Request) -> web.Response:
        record = self._webhook(request)
        if isinstance(record, web.Response):
            return record
        if not record.acknowledged:
            return error(400, "Interaction has not been acknowledged.", 40060)
        payload, files = await read_body(request)
        if record.original is not None and record.original.loading and not record.followups:
            message = record.original
            # The first followup fills the "thinking…" message; the defer decided its visibility.
            extra = int(payload.get("flags") or 0) & ~Message.EPHEMERAL
            message.flags = (message.flags & ~Message.LOADING) | extra
            self.emulator.apply_edit(message, payload, files)
            record.followups.append(message)
        else:
            message = self.emulator.new_message(record.channel, payload, files, interaction=record)
            record.followups.append(message)
        self.emulator.changed.notify()
        return json_response(message.payload())

    async def get_webhook_message(self, request: web.Request) -> web.Response:
        message = self._webhook_message(request)
        if isinstance(message, web.Response):
            return message
        return json_response(message.payload())

    async def edit_webhook_message(self, request: web.Request) -> web.Response:
        message = self._webhook_message(request)
        if isinstance(message, web.Response):
            return message
        payload, files = await read_body(request)
        message.flags &= ~Message.LOADING
        self.emulator.apply_edit(message, payload, files)
        return json_response(message.payload())

    async def delete_webhook_message(self, request: web.Request) -> web.Response:
        message = self._webhook_message(request)
        if isinstance(message, web.Response):
            return message
        self.emulator.delete_message(message)
        return no_content()

    # channels and messages

    async def get_channel(self, request: web.Request) -> web.Response:
        channel_id = int(request.match_info["channel_id"])
        channel = self.emulator.find_channel(channel_id)
        if channel is not None:
            return json_response(channel.payload())
        dm = self.emulator.dm_channels.get(channel_id)
        return json_response(dm) if dm else error(404, "Unknown Channel", 10003)

    async def list_messages(self, request: web.Request) -> web.Response:
        channel_id = int(request.match_info["channel_id"])
        limit = int(request.query.get("limit", "50"))
        messages = self.emulator.messages_in(channel_id)
        return json_response([m.payload() for m in reversed(messages)][:limit])

    async def create_message(self, request: web.Request) -> web.Response:
        channel_id = int(request.match_info["channel_id"])
        channel = self.emulator.find_channel(channel_id)
        if channel is None and channel_id not in self.emulator.dm_channels:
            return error(404, "Unknown Channel", 10003)
        if channel is not None:
            refusal = self._posting_refusal(channel)
            if refusal is not None:
                return refusal
        payload, files = await read_body(request)
        if not (
            payload.get("content") or payload.get("embeds") or files or payload.get("components")
        ):
            return error(400, "Cannot send an empty message", 50006)
        message = self.emulator.new_message(channel or channel_id, payload, files)
        return json_response(message.payload())

    def _posting_refusal(self, channel: Channel) -> web.Response | None:
        """Discord's 403s for a bot posting where it may not see (50001) or send (50013)."""
        guild = self.emulator.guilds.get(channel.guild_id) if channel.guild_id else None
        if guild is None:
            return None
        granted = guild.permissions_in(self.emulator.bot_member(guild), channel)
        if not granted & Permission.VIEW_CHANNEL:
            return error(403, "Missing Access", 50001)
        if not granted & Permission.SEND_MESSAGES:
            return error(403, "Missing Permissions", 50013)
        return None

    def _channel_message(self, request: web.Request) -> Message | None:
        message = self.emulator.messages.get(int(request.match_info["message_id"]))
        if message is None or message.deleted or message.ephemeral:
            return None
        return message if message.channel_id == int(request.match_info["channel_id"]) else None

    async def get_message(self, request: web.Request) -> web.Response:
        message = self._channel_message(request)
        return json_response(message.payload()) if message else error(404, "Unknown Message", 10008)

    async def edit_message(self, request: web.Request) -> web.Response:
        message = self._channel_message(request)
        if message is None:
            return error(404, "Unknown Message", 10008)
        if message.author.id != self.emulator.bot_user.id:
            return error(403, "Cannot edit a message authored by another user", 50005)
        payload, files = await read_body(request)
        self.emulator.apply_edit(message, payload, files)
        return json_response(message.payload())

    async def delete_message(self, request: web.Request) -> web.Response:
        message = self._channel_message(request)
        if message is None:
            return error(404, "Unknown Message", 10008)
        self.emulator.delete_message(message)
        return no_content()

    async def set_voice_status(self, request: web.Request) -> web.Response:
        """Discord's ``PUT /channels/{id}/voice-status``: a voice channel only, by a member
        who sees it and has Set Voice Channel Status."""
        channel = self.emulator.find_channel(int(request.match_info["channel_id"]))
        if channel is None:
            return error(404, "Unknown Channel", 10003)
        if not channel.is_voice:
            return error(400, "Cannot execute action on this channel type", 50024)
        guild = self.emulator.guilds[channel.guild_id]
        granted = guild.permissions_in(self.emulator.bot_member(guild), channel)
        if not granted & Permission.VIEW_CHANNEL:
            return error(403, "Missing Access", 50001)
        if not granted & Permission.SET_VOICE_CHANNEL_STATUS:
            return error(403, "Missing Permissions", 50013)
        payload, _ = await read_body(request)
        status = payload.get("status")
        if status is not None and (not isinstance(status, str) or len(status) > 500):
            return error(400, "Invalid Form Body: status must be at most 500 characters", 50035)
        channel.status = status or None
        event = {"id": str(channel.id), "guild_id": str(guild.id), "status": status or ""}
        await self.emulator.gateway.dispatch("VOICE_CHANNEL_STATUS_UPDATE", event)
        self.emulator.changed.notify()
        return no_content()

    # guilds

    async def get_guild(self, request: web.Request) -> web.Response:
        guild = self.emulator.guilds.get(int(request.match_info["guild_id"]))
        if guild is None:
            return error(404, "Unknown Guild", 10004)
        return json_response(guild.payload() | {"approximate_member_count": len(guild.members)})

    async def get_guild_channels(self, request: web.Request) -> web.Response:
        guild = self.emulator.guilds.get(int(request.match_info["guild_id"]))
        if guild is None:
            return error(404, "Unknown Guild", 10004)
        return json_response([c.payload() for c in guild.channels.values()])

    async def get_roles(self, request: web.Request) -> web.Response:
        guild = self.emulator.guilds.get(int(request.match_info["guild_id"]))
        if guild is None:
            return error(404, "Unknown Guild", 10004)
        return json_response([r.payload() for r in guild.roles.values()])

    async def list_members(self, request: web.Request) -> web.Response:
        guild = self.emulator.guilds.get(int(request.match_info["guild_id"]))
        if guild is None:
            return error(404, "Unknown Guild", 10004)
        limit = int(request.query.get("limit", "1"))
        after = int(request.query.get("after", "0"))
        members = sorted((m for m in guild.members.values() if m.id > after), key=lambda m: m.id)
        return json_response([m.payload() for m in members[:limit]])

    async def get_member(self, request: web.Request) -> web.Response:
        guild = self.emulator.guilds.get(int(request.match_info["guild_id"]))
        member = guild.members.get(int(request.match_info["user_id"])) if guild else None
        if member is None:
            return error(404, "Unknown Member", 10007)
        return json_response(member.payload())

    async def download_attachment(self, request: web.Request) -> web.Response:
        attachment = self.emulator.attachments.get(int(request.match_info["attachment_id"]))
        if attachment is None or attachment.filename != request.match_info["filename"]:
            return web.Response(status=404, text="no such attachment")
        return web.Response(body=attachment.data, content_type=attachment.content_type)

    async def unknown(self, request: web.Request) -> web.Response:
        self.emulator.unknown_routes.append(f"{request.method} {request.path}")
        return error(404, f"Not emulated: {request.method} {request.path}")
