"""An emulated member listening in a call: its own DAVE session, and what it heard."""

from __future__ import annotations

import logging
import time

import davey

from bot.emulator.audio import CapturedAudio, FrameStatus, OpusPacket

_log = logging.getLogger(__name__)

DAVE_MAGIC = b"\xfa\xfa"
OPUS_SILENCE = b"\xf8\xff\xfe"


class Listener:
    """A member's client in a call: joins the DAVE group (protocol 1) and decrypts frames.

    In a protocol 0 call (stage channels) it hears the transport-decrypted frames as they are.
    """

    def __init__(self, user_id: int, channel_id: int, protocol_version: int) -> None:
        self.user_id = user_id
        self.channel_id = channel_id
        self.protocol_version = protocol_version
        self.session = (
            davey.DaveSession(protocol_version, user_id, channel_id) if protocol_version else None
        )
        self.packets: list[OpusPacket] = []
        self.errors: list[str] = []

    @property
    def ready(self) -> bool:
        return self.session is None or self.session.ready

    def reset(self) -> None:
        """Leave the group, as a client does after a commit or welcome it cannot apply."""
        if self.session is not None:
            self.session.reinit(self.protocol_version, self.user_id, self.channel_id)

    def key_package(self, external_sender: bytes) -> bytes:
        assert self.session is not None
        self.session.set_external_sender(external_sender)
        return self.session.get_serialized_key_package()

    def process_proposals(self, body: bytes) -> bytes | None:
        """Op 27; the commit and welcome this member would send, or None."""
        assert self.session is not None
        operation = (
            davey.ProposalsOperationType.revoke if body[0] else davey.ProposalsOperationType.append
        )
        try:
            result = self.session.process_proposals(operation, body[1:])
        except ValueError as exc:
            self.errors.append(str(exc))
            return None
        if result is None:
            return None
        return result.commit + (result.welcome or b"")

    def process_commit(self, commit: bytes) -> bool:
        assert self.session is not None
        try:
            self.session.process_commit(commit)
        except ValueError as exc:
            self.errors.append(str(exc))
            return False
        return True

    def process_welcome(self, welcome: bytes) -> bool:
        assert self.session is not None
        try:
            self.session.process_welcome(welcome)
        except ValueError as exc:
            self.errors.append(str(exc))
            return False
        return True

    def receive(
        self, sender_id: int, sequence: int, timestamp: int, ssrc: int, payload: bytes
    ) -> None:
        """One frame from ``sender_id``, after transport decryption."""
        arrival = time.monotonic()
        if self.session is None or payload == OPUS_SILENCE:
            status, data = FrameStatus.CLEAR, payload
        elif not payload.endswith(DAVE_MAGIC):
            status, data = FrameStatus.PLAINTEXT, payload
        else:
            try:
                data = self.session.decrypt(sender_id, davey.MediaType.audio, payload)
                status = FrameStatus.DECRYPTED
            except Exception:
                status, data = FrameStatus.FAILED, payload
        self.packets.append(OpusPacket(arrival, sequence, timestamp, ssrc, data, status))

    def audio(self) -> CapturedAudio:
        return CapturedAudio(list(self.packets))
