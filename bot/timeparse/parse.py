"""``parse_when``: one ``when`` text, plus the repeat/cron/count/until options, to a Schedule."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from bot.config import TimeConfig
from bot.scheduling.recurrence import Recurrence
from bot.task_kinds import RecurrenceType
from bot.timeparse.content import refuse_foreign_digits
from bot.timeparse.context import ParseContext, load_zone, make_context, out_of_range
from bot.timeparse.cron import first_cron_run, looks_like_cron, parse_cron
from bot.timeparse.dates import parse_day
from bot.timeparse.describe import describe_schedule, read_as
from bot.timeparse.errors import (
    ALL_EXAMPLES,
    INSTANT_EXAMPLES,
    RECURRENCE_EXAMPLES,
    TimeParseError,
)
from bot.timeparse.fallback import get_fallback
from bot.timeparse.instants import parse_instant
from bot.timeparse.languages import translate
from bot.timeparse.lexicon import normalize
from bot.timeparse.limits import Limits, strip_limits
from bot.timeparse.recurrences import looks_recurring, parse_recurrence
from bot.timeparse.schedule import Schedule
from bot.timeparse.spoken import rewrite
from bot.timeparse.validate import check_schedule
from bot.timeparse.zones import split_zone

MAX_TEXT = 200
REPEAT_CHOICES = ("none", "minutely", "hourly", "daily", "weekly", "monthly", "yearly")
_END_OF_DAY = time(23, 59, 59)


@dataclass(frozen=True, slots=True)
class _Parsed:
    first_run: datetime
    recurrence: Recurrence | None
    explicit_start: bool = False


def parse_when(
    text: str | None,
    *,
    now: datetime,
    timezone: str,
    config: TimeConfig | None = None,
    repeat: RecurrenceType | str | None = None,
    cron: str | None = None,
    count: int | None = None,
    until: str | datetime | None = None,
) -> Schedule:
    """Parse ``text`` (an instant, a recurrence or cron) and apply the refining options.

    ``now`` must be aware; ``timezone`` is the member's IANA zone. ``text`` may be empty when
    ``cron`` is given. Raises ``TimeParseError`` (an ``InvalidInput``) on anything wrong.
    """
    ctx = make_context(now, timezone, config)
    try:
        return _parse_when(ctx, text, repeat, cron, count, until)
    except OverflowError:
        raise out_of_range() from None


def _parse_when(
    ctx: ParseContext,
    text: str | None,
    repeat: RecurrenceType | str | None,
    cron: str | None,
    count: int | None,
    until: str | datetime | None,
) -> Schedule:
    for value in (text, cron, until if isinstance(until, str) else None):
        refuse_foreign_digits(value)
    phrase = said = normalize(text or "")
    if len(phrase) > MAX_TEXT:
        raise TimeParseError(f"That is too long: keep it under {MAX_TEXT} characters.")
    phrase, named_zone = split_zone(phrase)
    if named_zone is not None:
        ctx = dataclasses.replace(ctx, zone=load_zone(named_zone))
    phrase = rewrite(translate(phrase, ctx.languages))
    body, limits = strip_limits(phrase) if phrase else ("", Limits())
    cron_option = parse_cron(cron) if cron and cron.strip() else None
    if body:
        parsed = _parse_body(body, ctx, said)
    elif cron_option is not None:
        parsed = _Parsed(ctx.now, None)
    else:
        raise TimeParseError("Say when: the time is empty.")
    parsed = _apply_repeat(parsed, _repeat_type(repeat), ctx)
    if cron_option is not None:
        parsed = _apply_cron(parsed, cron_option, bool(body), ctx)
    recurrence = _apply_limits(parsed, limits, count, until, ctx)
    check_schedule(ctx, parsed.first_run, recurrence)
    return Schedule(
        parsed.first_run,
        recurrence,
        ctx.zone_name,
        describe_schedule(
            parsed.first_run, recurrence, ctx.zone_name, show_start=parsed.explicit_start
        ),
        "" if recurrence is not None else read_as(ctx.local(parsed.first_run), ctx.today),
    )


def preview_when(
    text: str, *, now: datetime, timezone: str, config: TimeConfig | None = None
) -> str:
    """A one-line preview for autocomplete: the description, or what is wrong (never raises)."""
    try:
        return parse_when(text, now=now, timezone=timezone, config=config).description[:100]
    except TimeParseError as exc:
        return exc.problem[:100]


def _parse_body(body: str, ctx: ParseContext, said: str) -> _Parsed:
    """``body`` is the phrase in the grammar's forms; ``said`` is what the member wrote."""
    if looks_like_cron(body):
        expression = parse_cron(body)
        run = first_cron_run(expression, ctx, ctx.now)
        return _Parsed(run, Recurrence(RecurrenceType.CRON, cron=expression))
    if match := parse_recurrence(body, ctx):
        return _Parsed(match.first_run, match.recurrence, match.explicit_start)
    if instant := parse_instant(body, ctx):
        return _Parsed(instant.at, None)
    if looks_recurring(body):
        # A repeat the grammar does not know must not turn into a one-off through dateparser.
        raise TimeParseError(f'I could not read "{said}" as a repeat.', RECURRENCE_EXAMPLES)
    if at := get_fallback(_fallback_languages(ctx), ctx.date_order).parse(body, ctx):
        return _Parsed(at, None)
    raise TimeParseError(f'I could not read "{said}" as a time.', ALL_EXAMPLES)


def _fallback_languages(ctx: ParseContext) -> tuple[str, ...]:
    """The configured languages, and English: the tables turn the others' words into it."""
    return ctx.languages if "en" in ctx.languages else ("en", *ctx.languages)


def _repeat_type(repeat: RecurrenceType | str | None) -> RecurrenceType | None:
    if repeat is None or repeat in ("", "none", RecurrenceType.NONE):
        return None
    if str(repeat) not in REPEAT_CHOICES:
        raise TimeParseError(
            f"repeat must be one of {', '.join(REPEAT_CHOICES)}.", ("daily", "weekly")
        )
    return RecurrenceType(str(repeat))


def _apply_repeat(parsed: _Parsed, kind: RecurrenceType | None, ctx: ParseContext) -> _Parsed:
    if kind is None:
        return parsed
    if parsed.recurrence is not None:
        if parsed.recurrence.type is kind:
            return parsed
        raise TimeParseError(
            "The time already says how it repeats; leave repeat empty or give a single time.",
            INSTANT_EXAMPLES,
        )
    return _Parsed(parsed.first_run, Recurrence(kind))


def _apply_cron(parsed: _Parsed, expression: str, has_body: bool, ctx: ParseContext) -> _Parsed:
    if parsed.recurrence is not None:
        raise TimeParseError(
            "Give either a cron expression or a repeating time, not both.",
            ("every weekday at 9am", "0 9 * * 1-5"),
        )
    after = parsed.first_run - timedelta(microseconds=1) if has_body else ctx.now
    run = first_cron_run(expression, ctx, max(after, ctx.now))
    return _Parsed(run, Recurrence(RecurrenceType.CRON, cron=expression))


def _apply_limits(
    parsed: _Parsed,
    limits: Limits,
    count: int | None,
    until: str | datetime | None,
    ctx: ParseContext,
) -> Recurrence | None:
    if count is not None and limits.count is not None and count != limits.count:
        raise TimeParseError("The count is given twice, with different numbers.")
    runs = count if count is not None else limits.count
    end = _until(until, ctx) if until is not None and until != "" else None
    if limits.until is not None or limits.span is not None:
        if end is not None:
            raise TimeParseError("The end is given twice: keep one 'until'.")
        if limits.span is not None:
            end = limits.span.after(ctx, ctx.now)
        else:
            assert limits.until is not None
            end = _until(limits.until, ctx)
    recurrence = parsed.recurrence
    if recurrence is None:
        if (runs is not None and runs != 1) or end is not None:
            raise TimeParseError(
                "A count or an end only applies to a repeating schedule.",
                ("every day at 9am for 5 times", "every monday at 8pm until dec 31"),
            )
        return None
    if runs is not None and runs < 1:
        raise TimeParseError("The number of runs must be at least 1.", ("every day for 5 times",))
    return dataclasses.replace(recurrence, count=runs, until=end)


def _until(value: str | datetime, ctx: ParseContext) -> datetime:
    """The last instant a run may start; a bare day means the end of that day."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return ctx.to_utc(value)
        return value.astimezone(UTC)
    text = rewrite(translate(normalize(value), ctx.languages))
    if day := parse_day(text, ctx.date_order):
        for candidate in day.candidates(ctx.today):
            end = ctx.at(candidate, _END_OF_DAY)
            if end > ctx.now or day.fixed:
                return end
    instant = parse_instant(text, ctx) if text else None
    if instant is not None:
        return instant.at
    if text and (at := get_fallback(_fallback_languages(ctx), ctx.date_order).parse(text, ctx)):
        return at
    raise TimeParseError(f'I could not read "{value}" as an end time.', ("dec 31", "in 2 weeks"))
