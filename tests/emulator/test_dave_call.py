"""The emulator's DAVE call: who is offered the group, across a member's sessions."""

from __future__ import annotations

from bot.emulator.dave import ClientMember, DaveCall, DaveOp, ListenerMember
from bot.emulator.listener import Listener

CHANNEL = 7
BOT = 100
MEMBER = 1


class Session:
    """One voice websocket of the bot: what the call sent it."""

    def __init__(self) -> None:
        self.received: list[int] = []

    async def send_binary(self, op: int, _body: bytes) -> None:
        self.received.append(op)

    async def send_json(self, op: int, _data: dict[str, int]) -> None:
        self.received.append(op)

    def member(self) -> ClientMember:
        return ClientMember(BOT, self.send_binary, self.send_json)


async def _join(call: DaveCall, session: Session, client: Listener) -> None:
    await call.join(session.member())
    await call.on_key_package(BOT, client.key_package(call.sender.package))


async def test_a_session_gone_before_committing_leaves_the_next_one_offered_the_group() -> None:
    """The bot killed between the proposals and its commit; its next session creates the group."""
    call = DaveCall(CHANNEL)
    await call.join(ListenerMember(MEMBER, Listener(MEMBER, CHANNEL, 1)))
    first = Session()
    await _join(call, first, Listener(BOT, CHANNEL, 1))
    assert DaveOp.PROPOSALS in first.received

    await call.leave(BOT)
    second = Session()
    client = Listener(BOT, CHANNEL, 1)
    await _join(call, second, client)

    assert DaveOp.PROPOSALS in second.received


async def test_a_fresh_key_package_is_offered_the_group_again() -> None:
    """A client that re-initialises its session before committing gets the proposals anew."""
    call = DaveCall(CHANNEL)
    await call.join(ListenerMember(MEMBER, Listener(MEMBER, CHANNEL, 1)))
    session = Session()
    await _join(call, session, Listener(BOT, CHANNEL, 1))
    session.received.clear()

    await call.on_key_package(BOT, Listener(BOT, CHANNEL, 1).key_package(call.sender.package))

    assert session.received == [DaveOp.PROPOSALS]
