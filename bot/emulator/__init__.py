"""A local Discord-compatible server for tests and ``python -m bot demo``.

The unmodified discord.py client connects to it: REST under ``/api/v10``, the gateway at
``gateway_url``, the voice gateway over TLS (a throwaway CA, trusted through
``emulator.connector()``) and voice UDP. Everything the bot does is recorded.

    async with Emulator() as emulator:
        guild = emulator.add_guild("Test")
        general = emulator.add_text_channel(guild, "general")
        lounge = emulator.add_voice_channel(guild, "Lounge", user_limit=5)
        alice = emulator.actor(emulator.add_member(guild, "alice"), channel=general)
        ...  # start the bot with api_base_url/gateway_url and connector=emulator.connector()
        reply = await alice.slash("schedule sound", sound="bell", when="in 5 minutes")
        assert reply.ephemeral and "bell" in reply.text
        choices = await alice.autocomplete("schedule sound", focused="when", when="tomorrow")
        await alice.click(reply, "carillon:cancel:1")
        await alice.join_voice(lounge)
        audio = await emulator.wait_for_audio(guild, frames=100)
        audio.frames, audio.duration, audio.pcm(), audio.dominant_frequency()

Soundboards: ``emulator.soundboard.add(guild, "airhorn", mp3_bytes, emoji_name="📯")``,
``await emulator.soundboard.delete(sound)`` and ``rename(sound, name)`` (gateway events), the
CDN at ``emulator.cdn_url``; ``emulator.soundboard.sent`` lists what the bot sent natively
(``send-soundboard-sound``, with Discord's 50013/50167/50168 refusals) and who heard it.
``await emulator.server_voice(guild, user_id, mute=True)`` server-mutes someone.

Faults: ``emulator.fail("POST /channels/*/messages", 502)``, ``fail(pattern, 429,
retry_after=0.5)``, ``fail(pattern, delay=1.0)``, ``drop_gateway()``, ``drop_voice(guild)``,
``gateway.ask_to_reconnect()``, ``move_voice(guild)`` (a voice server move),
``disconnect_from_voice(guild, user_id)`` (4014), ``end_call(channel)`` (4022),
``invalidate_session(resumable=...)`` (op 9). Initial answers later than three seconds are
refused (10062).

Discord's limits hold (``bot/emulator/ratelimits.py``): REST needs the bot token (else 401);
per-route buckets answer ``X-RateLimit-*`` headers and 429 past their limit; 50 requests a
second per token outside interaction endpoints; 10,000 401/403/429 answers in ten minutes get
the IP banned (Cloudflare's 1015 page). ``Emulator(rate_limits=RateLimitPolicy(...))`` changes
them, ``emulator.rate_limited()`` and ``unretried_429s()`` count the 429s. Follow-ups with an
interaction's token are refused after ``token_lifetime`` seconds (Discord's 15 minutes; 401,
code 50027).
"""

from bot.emulator.actor import Actor, Choice
from bot.emulator.audio import CapturedAudio, OpusPacket
from bot.emulator.faults import Fault, RecordedRequest
from bot.emulator.interactions import NoResponseError, Reply
from bot.emulator.model import (
    Attachment,
    Channel,
    ChannelType,
    Guild,
    Member,
    Message,
    Overwrite,
    Permission,
    Role,
    User,
)
from bot.emulator.ratelimits import Limit, RateLimitPolicy
from bot.emulator.server import Emulator

__all__ = [
    "Actor",
    "Attachment",
    "CapturedAudio",
    "Channel",
    "ChannelType",
    "Choice",
    "Emulator",
    "Fault",
    "Guild",
    "Limit",
    "Member",
    "Message",
    "NoResponseError",
    "OpusPacket",
    "Overwrite",
    "Permission",
    "RateLimitPolicy",
    "RecordedRequest",
    "Reply",
    "Role",
    "User",
]
