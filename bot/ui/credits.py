"""What members see of credits: a balance and its recent transactions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import discord

from bot.models.credits import CreditTransaction
from bot.ui import timestamps
from bot.ui.formatting import credits, safe, signed

COLOUR = discord.Colour.gold()


def _line(entry: CreditTransaction, task_numbers: Mapping[int, int]) -> str:
    reason = safe(entry.reason, 80)
    number = task_numbers.get(entry.task_id) if entry.task_id is not None else None
    if number is not None:
        reason += f" (task #{number})"
    return (
        f"{timestamps.relative(entry.created_at)} · **{signed(entry.amount)}** {reason}"
        f" → {entry.balance_after}"
    )


def balance_embed(
    member: discord.abc.User,
    balance: int,
    history: Sequence[CreditTransaction] | None,
    *,
    own: bool,
    task_numbers: Mapping[int, int] | None = None,
) -> discord.Embed:
    """``history`` None: the caller may not see this member's transactions; ``task_numbers``:
    the server's numbers of the tasks they name (by task id)."""
    whose = "Your credits" if own else f"Credits of {safe(member.display_name, 80)}"
    embed = discord.Embed(title=f"🪙 {whose}", colour=COLOUR)
    embed.description = f"**{credits(balance)}**"
    if history is None:
        embed.set_footer(text="Only the member and admins can see their transactions.")
    elif history:
        embed.add_field(
            name="Recent transactions",
            value="\n".join(_line(entry, task_numbers or {}) for entry in history)[:1024],
            inline=False,
        )
    else:
        embed.add_field(name="Recent transactions", value="None yet.", inline=False)
    if own:
        embed.set_footer(text="Playing a sound costs credits; recharges top them up.")
    return embed
