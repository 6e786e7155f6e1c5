"""The few MLS (RFC 9420) structures a DAVE voice gateway writes and reads.

The gateway is the group's external sender: it signs Add and Remove proposals, and it reads
just enough of a member's commit to check it, reference its proposals and split off the
welcome that follows it. Ciphersuite 2 (P-256, AES-128-GCM, SHA-256), as DAVE v1 uses.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

MLS10 = 1
PUBLIC_MESSAGE = 1
SENDER_MEMBER = 1
SENDER_EXTERNAL = 2
CONTENT_PROPOSAL = 2
CONTENT_COMMIT = 3
PROPOSAL_ADD = 1
PROPOSAL_REMOVE = 3
PROPOSAL_BY_REFERENCE = 2
BASIC_CREDENTIAL = 1
LEAF_SOURCE_KEY_PACKAGE = 1
LEAF_SOURCE_COMMIT = 3


class MalformedMessage(ValueError):
    """Bytes that do not parse as the MLS structure expected."""


def varint(n: int) -> bytes:
    if n < 1 << 6:
        return bytes([n])
    if n < 1 << 14:
        return struct.pack(">H", n | 0x4000)
    if n < 1 << 30:
        return struct.pack(">I", n | 0x8000_0000)
    raise ValueError("too long for an MLS vector")


def opaque(data: bytes) -> bytes:
    return varint(len(data)) + data


def group_id(channel_id: int) -> bytes:
    """DAVE's MLS group id: the channel id, 8 bytes big-endian."""
    return channel_id.to_bytes(8, "big")


class Reader:
    """Reads TLS-presentation-language fields from a buffer, refusing to run past its end."""

    def __init__(self, data: bytes, offset: int = 0) -> None:
        self.data = data
        self.offset = offset

    def take(self, n: int) -> bytes:
        end = self.offset + n
        if n < 0 or end > len(self.data):
            raise MalformedMessage("truncated MLS message")
        chunk = self.data[self.offset : end]
        self.offset = end
        return chunk

    def uint(self, size: int) -> int:
        return int.from_bytes(self.take(size), "big")

    def varint(self) -> int:
        first = self.uint(1)
        prefix = first >> 6
        if prefix == 0:
            return first
        if prefix == 1:
            return ((first & 0x3F) << 8) | self.uint(1)
        if prefix == 2:
            return ((first & 0x3F) << 24) | self.uint(3)
        raise MalformedMessage("invalid MLS varint")

    def opaque(self) -> bytes:
        return self.take(self.varint())

    def vector(self) -> Reader:
        """A sub-reader over the next variable-length vector."""
        return Reader(self.opaque())

    @property
    def done(self) -> bool:
        return self.offset >= len(self.data)


@dataclass(frozen=True)
class Commit:
    """What the gateway needs of a member's commit (op 28)."""

    message: bytes
    group_id: bytes
    epoch: int
    committer: int
    proposal_refs: tuple[bytes, ...]
    welcome: bytes


class ExternalSender:
    """The voice gateway's signing identity in every DAVE group it runs."""

    def __init__(self) -> None:
        self._key = ec.generate_private_key(ec.SECP256R1())
        public = self._key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        self.package = opaque(public) + struct.pack(">H", BASIC_CREDENTIAL) + opaque(b"discord")

    def propose_add(self, group: bytes, epoch: int, key_package: bytes) -> bytes:
        return self._proposal(group, epoch, struct.pack(">H", PROPOSAL_ADD) + key_package)

    def propose_remove(self, group: bytes, epoch: int, leaf_index: int) -> bytes:
        return self._proposal(group, epoch, struct.pack(">HI", PROPOSAL_REMOVE, leaf_index))

    def _proposal(self, group: bytes, epoch: int, proposal: bytes) -> bytes:
        content = (
            opaque(group)
            + struct.pack(">QBI", epoch, SENDER_EXTERNAL, 0)
            + opaque(b"")
            + bytes([CONTENT_PROPOSAL])
            + proposal
        )
        framing = struct.pack(">HH", MLS10, PUBLIC_MESSAGE)
        to_sign = opaque(b"MLS 1.0 FramedContentTBS") + opaque(framing + content)
        signature = self._key.sign(to_sign, ec.ECDSA(hashes.SHA256()))
        return framing + content + opaque(signature)


def proposal_ref(message: bytes) -> bytes:
    """RFC 9420 ProposalRef of an external proposal's PublicMessage (no membership tag)."""
    authenticated_content = message[2:]
    value = opaque(b"MLS 1.0 Proposal Reference") + opaque(authenticated_content)
    return hashlib.sha256(value).digest()


def proposals_payload(messages: list[bytes], *, revoke: bool = False) -> bytes:
    """Op 27's body: the operation type, then the proposal messages (or refs) as one vector."""
    return bytes([int(revoke)]) + opaque(b"".join(messages))


def parse_commit_welcome(data: bytes) -> Commit:
    """Split op 28's body into the commit (a PublicMessage from a member) and its welcome."""
    reader = Reader(data)
    if (reader.uint(2), reader.uint(2)) != (MLS10, PUBLIC_MESSAGE):
        raise MalformedMessage("a commit must be an MLS 1.0 PublicMessage")
    group = reader.opaque()
    epoch = reader.uint(8)
    if reader.uint(1) != SENDER_MEMBER:
        raise MalformedMessage("a commit must come from a group member")
    committer = reader.uint(4)
    reader.opaque()
    if reader.uint(1) != CONTENT_COMMIT:
        raise MalformedMessage("not a commit")
    refs = _proposal_refs(reader.vector())
    if reader.uint(1):
        _skip_update_path(reader)
    reader.opaque()
    reader.opaque()
    reader.opaque()
    return Commit(data[: reader.offset], group, epoch, committer, refs, data[reader.offset :])


def _proposal_refs(reader: Reader) -> tuple[bytes, ...]:
    refs = []
    while not reader.done:
        if reader.uint(1) != PROPOSAL_BY_REFERENCE:
            raise MalformedMessage("a DAVE commit carries only proposals by reference")
        refs.append(reader.opaque())
    return tuple(refs)


def _skip_update_path(reader: Reader) -> None:
    reader.opaque()  # encryption key
    reader.opaque()  # signature key
    if reader.uint(2) != BASIC_CREDENTIAL:
        raise MalformedMessage("DAVE uses basic credentials")
    reader.opaque()
    for _ in range(5):  # capabilities: versions, suites, extensions, proposals, credentials
        reader.opaque()
    source = reader.uint(1)
    if source == LEAF_SOURCE_KEY_PACKAGE:
        reader.take(16)
    elif source == LEAF_SOURCE_COMMIT:
        reader.opaque()
    reader.opaque()  # extensions
    reader.opaque()  # signature
    reader.opaque()  # path nodes
