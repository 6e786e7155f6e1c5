"""DAVE as Discord's voice gateway runs it: one MLS group per call, the gateway its external sender.

The gateway turns key packages (op 26) into Add proposals and departures into Remove
proposals (op 27), takes the first valid commit of an epoch (op 28), announces it to the
group (op 29) and welcomes the added members (op 30), then runs the transition: ready
(op 23) from every member, execute (op 22). Transition 0, the commit that creates the
group, executes at once.
"""

from __future__ import annotations

import asyncio
import logging
import struct
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.emulator.listener import Listener
from bot.emulator.mls import (
    PROPOSAL_ADD,
    PROPOSAL_REMOVE,
    ExternalSender,
    MalformedMessage,
    group_id,
    parse_commit_welcome,
    proposal_ref,
    proposals_payload,
)

_log = logging.getLogger(__name__)

TRANSITION_TIMEOUT = 5.0


class DaveOp:
    PREPARE_TRANSITION = 21
    EXECUTE_TRANSITION = 22
    TRANSITION_READY = 23
    PREPARE_EPOCH = 24
    EXTERNAL_SENDER = 25
    KEY_PACKAGE = 26
    PROPOSALS = 27
    COMMIT_WELCOME = 28
    ANNOUNCE_COMMIT = 29
    WELCOME = 30
    INVALID_COMMIT_WELCOME = 31


SendBinary = Callable[[int, bytes], Awaitable[None]]
SendJson = Callable[[int, dict[str, int]], Awaitable[None]]


@dataclass
class ClientMember:
    """A real client (the bot) in the call, reached over its voice websocket."""

    user_id: int
    send_binary: SendBinary
    send_json: SendJson


@dataclass
class ListenerMember:
    """An emulated member whose client runs inside the emulator."""

    user_id: int
    listener: Listener


Member = ClientMember | ListenerMember


@dataclass
class DaveCall:
    """The DAVE state of one voice channel's call."""

    channel_id: int
    sender: ExternalSender = field(default_factory=ExternalSender)
    epoch: int | None = None  # None until a commit creates the group
    leaves: list[int | None] = field(default_factory=list)
    members: dict[int, Member] = field(default_factory=dict)
    key_packages: dict[int, bytes] = field(default_factory=dict)
    stale: set[int] = field(default_factory=set)  # members whose leaf must be removed
    pending: dict[bytes, tuple[int, int]] = field(default_factory=dict)  # ref: (type, user)
    transitions: dict[int, set[int]] = field(default_factory=dict)
    rejected_commits: list[str] = field(default_factory=list)
    invalid_reports: list[tuple[int, int]] = field(default_factory=list)
    commits: int = 0
    _offered: dict[int, set[int]] = field(default_factory=dict)  # new group: candidate: adds
    _next_transition: int = 1
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _timers: set[asyncio.TimerHandle] = field(default_factory=set)

    @property
    def group(self) -> bytes:
        return group_id(self.channel_id)

    @property
    def in_group(self) -> list[int]:
        """Members whose current session holds a leaf of the group."""
        return [u for u in self.leaves if u is not None and u not in self.stale]

    def listener(self, user_id: int) -> Listener | None:
        member = self.members.get(user_id)
        return member.listener if isinstance(member, ListenerMember) else None

    async def join(self, member: Member) -> None:
        async with self._lock:
            self.members[member.user_id] = member
            if isinstance(member, ClientMember):
                await member.send_binary(DaveOp.EXTERNAL_SENDER, self.sender.package)
                return
            self._listener_key_package(member)
            await self._propose()

    async def leave(self, user_id: int) -> None:
        async with self._lock:
            if self.members.pop(user_id, None) is None:
                return
            self.key_packages.pop(user_id, None)
            self._offered.pop(user_id, None)
            for waiting in self.transitions.values():
                waiting.discard(user_id)
            if user_id in self.leaves:
                self.stale.add(user_id)
            await self._propose()

    async def on_key_package(self, user_id: int, key_package: bytes) -> None:
        async with self._lock:
            if user_id not in self.members:
                return
            if user_id in self.leaves:
                self.stale.add(user_id)
            self.key_packages[user_id] = key_package
            # A new key package is a new MLS client: it has seen none of the earlier offers.
            self._offered.pop(user_id, None)
            await self._propose()

    async def on_commit_welcome(self, user_id: int, data: bytes) -> None:
        async with self._lock:
            await self._commit(user_id, data)

    async def on_transition_ready(self, user_id: int, transition_id: int) -> None:
        async with self._lock:
            waiting = self.transitions.get(transition_id)
            if waiting is not None:
                waiting.discard(user_id)
                await self._maybe_execute(transition_id)

    async def on_invalid_commit_welcome(self, user_id: int, transition_id: int) -> None:
        """Op 31: the member could not apply a commit or welcome; it will send a new key
        package, and its leaf (if any) is removed when that is added."""
        async with self._lock:
            self.invalid_reports.append((user_id, transition_id))
            if user_id in self.leaves:
                self.stale.add(user_id)
            waiting = self.transitions.get(transition_id)
            if waiting is not None:
                waiting.discard(user_id)
                await self._maybe_execute(transition_id)

    def close(self) -> None:
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()

    def _listener_key_package(self, member: ListenerMember) -> None:
        if member.user_id in self.leaves:
            self.stale.add(member.user_id)
        self.key_packages[member.user_id] = member.listener.key_package(self.sender.package)

    async def _propose(self) -> None:
        if self.epoch is not None and not self.in_group:
            self.epoch, self.leaves, self.stale = None, [], set()
            self.pending.clear()
            self._offered.clear()
        if self.epoch is None:
            await self._propose_new_group()
            return
        removing = {u for t, u in self.pending.values() if t == PROPOSAL_REMOVE}
        adding = {u for t, u in self.pending.values() if t == PROPOSAL_ADD}
        messages: list[bytes] = []
        for user in sorted(self.stale - removing):
            if user in self.leaves:
                leaf = self.leaves.index(user)
                message = self.sender.propose_remove(self.group, self.epoch, leaf)
                self.pending[proposal_ref(message)] = (PROPOSAL_REMOVE, user)
                messages.append(message)
        for user, key_package in self.key_packages.items():
            if user not in adding:
                message = self.sender.propose_add(self.group, self.epoch, key_package)
                self.pending[proposal_ref(message)] = (PROPOSAL_ADD, user)
                messages.append(message)
        if messages:
            await self._send_proposals(self.in_group, messages)

    async def _propose_new_group(self) -> None:
        """Each candidate builds its own group adding the others; the first commit wins."""
        clients = [u for u in self.key_packages if isinstance(self.members[u], ClientMember)]
        candidates = clients or list(self.key_packages)[:1]
        for candidate in candidates:
            offered = self._offered.setdefault(candidate, set())
            messages = []
            for user, key_package in self.key_packages.items():
                if user != candidate and user not in offered:
                    message = self.sender.propose_add(self.group, 0, key_package)
                    self.pending[proposal_ref(message)] = (PROPOSAL_ADD, user)
                    messages.append(message)
                    offered.add(user)
            if messages:
                await self._send_proposals([candidate], messages)

    async def _send_proposals(self, recipients: list[int], messages: list[bytes]) -> None:
        body = proposals_payload(messages)
        clients_receive = any(isinstance(self.members.get(u), ClientMember) for u in recipients)
        commits: list[tuple[int, bytes]] = []
        for user in recipients:
            member = self.members.get(user)
            if isinstance(member, ClientMember):
                await member.send_binary(DaveOp.PROPOSALS, body)
            elif isinstance(member, ListenerMember):
                commit = member.listener.process_proposals(body)
                if commit is not None and not clients_receive:
                    commits.append((user, commit))
        for user, commit in commits[:1]:
            await self._commit(user, commit)

    async def _commit(self, user_id: int, data: bytes) -> None:
        try:
            commit = parse_commit_welcome(data)
        except MalformedMessage as exc:
            self.rejected_commits.append(f"malformed: {exc}")
            return
        creating = self.epoch is None
        problem = None
        if commit.group_id != self.group:
            problem = "wrong group"
        elif creating and (commit.epoch != 0 or user_id not in self.members):
            problem = "not a commit creating the group"
        elif not creating and commit.epoch != self.epoch:
            problem = f"epoch {commit.epoch}, the group is at {self.epoch}"
        elif not creating and (
            user_id not in self.in_group or self.leaves[commit.committer] != user_id
        ):
            problem = "the committer is not in the group"
        elif any(ref not in self.pending for ref in commit.proposal_refs):
            problem = "it references unknown proposals"
        if problem is not None:
            self.rejected_commits.append(problem)
            return
        before = [] if creating else self.in_group
        if creating:
            self.leaves = [user_id]
        added = self._apply(commit.proposal_refs)
        self.epoch = commit.epoch + 1
        self.commits += 1
        self.pending.clear()
        self._offered.clear()
        if creating:
            self.key_packages.pop(user_id, None)
        transition_id = 0 if creating else self._take_transition_id()
        announced = [u for u in (before or [user_id]) if u in self.in_group]
        waiting = set()
        for user in announced:
            if not await self._deliver(user, DaveOp.ANNOUNCE_COMMIT, transition_id, commit.message):
                continue
            if isinstance(self.members.get(user), ClientMember):
                waiting.add(user)
        for user in added:
            if not await self._deliver(user, DaveOp.WELCOME, transition_id, commit.welcome):
                continue
            if isinstance(self.members.get(user), ClientMember):
                waiting.add(user)
        if transition_id:
            self.transitions[transition_id] = waiting
            timer = asyncio.get_running_loop().call_later(
                TRANSITION_TIMEOUT, self._expire, transition_id
            )
            self._timers.add(timer)
            await self._maybe_execute(transition_id)
        await self._propose()

    def _apply(self, refs: tuple[bytes, ...]) -> list[int]:
        proposals = [self.pending[ref] for ref in refs]
        for kind, user in proposals:
            if kind == PROPOSAL_REMOVE and user in self.leaves:
                self.leaves[self.leaves.index(user)] = None
                self.stale.discard(user)
        added = []
        for kind, user in proposals:
            if kind != PROPOSAL_ADD:
                continue
            if None in self.leaves:
                self.leaves[self.leaves.index(None)] = user
            else:
                self.leaves.append(user)
            self.key_packages.pop(user, None)
            added.append(user)
        while self.leaves and self.leaves[-1] is None:
            self.leaves.pop()
        return added

    async def _deliver(self, user: int, op: int, transition_id: int, message: bytes) -> bool:
        """Op 29 or 30 to one member; False if it could not apply it."""
        member = self.members.get(user)
        if isinstance(member, ClientMember):
            await member.send_binary(op, struct.pack(">H", transition_id) + message)
            return True
        if not isinstance(member, ListenerMember):
            return False
        listener = member.listener
        applied = (
            listener.process_commit(message)
            if op == DaveOp.ANNOUNCE_COMMIT
            else listener.process_welcome(message)
        )
        if not applied:
            self.invalid_reports.append((user, transition_id))
            listener.reset()
            self._listener_key_package(member)
        return applied

    async def _maybe_execute(self, transition_id: int) -> None:
        waiting = self.transitions.get(transition_id)
        if waiting is None or waiting:
            return
        del self.transitions[transition_id]
        for user in self.in_group:
            member = self.members.get(user)
            if isinstance(member, ClientMember):
                await member.send_json(DaveOp.EXECUTE_TRANSITION, {"transition_id": transition_id})

    def _expire(self, transition_id: int) -> None:
        waiting = self.transitions.get(transition_id)
        if waiting:
            waiting.clear()
            task = asyncio.get_running_loop().create_task(self._expire_now(transition_id))
            task.add_done_callback(lambda _: None)

    async def _expire_now(self, transition_id: int) -> None:
        async with self._lock:
            await self._maybe_execute(transition_id)

    def _take_transition_id(self) -> int:
        transition_id = self._next_transition
        self._next_transition = transition_id % 0xFFFF + 1
        return transition_id
