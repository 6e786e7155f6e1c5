"""The grammar's words in other languages: each table rewrites its language into the English
forms the grammar reads ("demain à 9h" as "tomorrow at 09:00", "jeden Montag um 8" as "every
monday at 8"). ``[time] languages`` picks the tables; English needs none.

Entries are applied in order, longest phrases first, on normalized (lower-case) text.
"""

from __future__ import annotations

import re
from functools import cache

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip


def _words(local: str, english: tuple[str, ...]) -> list[tuple[str, str]]:
    return list(zip(local.split(), english, strict=True))


_HOUR_H = r"\b(?P<h>[01]?\d|2[0-3])\s?h(?:\s?(?P<m>[0-5]\d))?\b"
_HOUR_UHR = r"\b(?P<h>[01]?\d|2[0-3])(?:[:.](?P<m>[0-5]\d))?\s?uhr(?:\s(?P<m2>[0-5]\d))?\b"

TABLES: dict[str, list[tuple[str, str]]] = {
    "fr": [
        ("aujourd'hui", "today"), ("après-demain", "day after tomorrow"),
        ("apres-demain", "day after tomorrow"), ("demain", "tomorrow"),
        ("ce soir", "tonight"), ("matin", "morning"), ("après-midi", "afternoon"),
        ("apres-midi", "afternoon"), ("soir", "evening"), ("nuit", "night"),
        ("cette nuit", "tonight"), ("ce matin", "this morning"),
        ("cet après-midi", "this afternoon"), ("du matin", "in the morning"),
        ("de l'après-midi", "in the afternoon"), ("du soir", "in the evening"),
        ("midi", "noon"), ("minuit", "midnight"), ("tous les jours", "every day"),
        ("toutes les", "every"), ("tous les", "every"), ("chaque", "every"),
        ("dans", "in"), ("à", "at"), ("heures", "hours"), ("heure", "hour"),
        ("jours", "days"), ("jour", "day"), ("semaines", "weeks"), ("semaine", "week"),
        ("mois", "months"), ("et", "and"), ("le", ""), ("la", ""), ("l'", ""),
        ("prochaine", "next"), ("prochain", "next"),
        *_words("lundi mardi mercredi jeudi vendredi samedi dimanche", _WEEKDAYS),
        *_words("lundis mardis mercredis jeudis vendredis samedis dimanches",
                tuple(f"{day}s" for day in _WEEKDAYS)),
        *_words(
            "janvier février mars avril mai juin juillet août septembre octobre novembre "
            "décembre",
            _MONTHS,
        ),
        ("fevrier", "february"), ("aout", "august"), ("decembre", "december"),
    ],
    "de": [
        ("übermorgen", "day after tomorrow"), ("heute abend", "tonight"),
        ("heute nacht", "tonight"), ("heute morgen", "this morning"),
        ("heute nachmittag", "this afternoon"), ("morgen früh", "tomorrow morning"),
        ("morgen abend", "tomorrow evening"), ("morgen nachmittag", "tomorrow afternoon"),
        ("heute", "today"), ("morgens", "in the morning"), ("nachmittags", "in the afternoon"),
        ("abends", "in the evening"), ("nachts", "at night"), ("mittags", "noon"),
        ("mittag", "noon"), ("mitternacht", "midnight"), ("täglich", "daily"),
        ("jeden tag", "every day"), ("jeden", "every"), ("jede", "every"), ("jedes", "every"),
        ("alle", "every"), ("um", "at"), ("stunden", "hours"),
        ("stunde", "hour"), ("minuten", "minutes"), ("tagen", "days"), ("tage", "days"),
        ("tag", "day"), ("wochen", "weeks"), ("woche", "week"), ("monaten", "months"),
        ("monat", "month"), ("und", "and"), ("nächsten", "next"),
        ("nächste", "next"), ("nächster", "next"), ("kommenden", "next"),
        *_words("montags dienstags mittwochs donnerstags freitags samstags sonntags",
                tuple(f"{day}s" for day in _WEEKDAYS)),
        *_words("montag dienstag mittwoch donnerstag freitag samstag sonntag", _WEEKDAYS),
        *_words(
            "januar februar märz april mai juni juli august september oktober november "
            "dezember",
            _MONTHS,
        ),
        ("morgen", "tomorrow"),
    ],
}  # fmt: skip
# The clock as each language writes it: "9h30", "9 Uhr 30", "9:30 Uhr".
_CLOCKS = {"fr": re.compile(_HOUR_H), "de": re.compile(_HOUR_UHR)}
# "montag morgen" is Monday morning, not Monday tomorrow.
_DE_DAY_MORNING = re.compile(
    r"\b(?P<day>montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag)\smorgen\b"
)
_DE_ON = re.compile(
    r"(?:^|(?<=\s))(?<!\d\s)am\s(?=montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|\d)"
)
_FR_NEXT = re.compile(
    r"\b(?P<day>lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\sprochaine?\b"
)
# "demain a 9h": "à" typed without its accent, before a number.
_FR_A = re.compile(r"\ba\s(?=\d)")
# "à 9 heures (30)": after "à", heures is the hour of the clock, not a number of hours.
_FR_HEURES = re.compile(r"(?<=à\s)(?P<h>[01]?\d|2[0-3])\sheures?(?:\s(?P<m>[0-5]\d))?\b")
_DE_DAY_DOT = re.compile(r"\b(?P<d>\d{1,2})\.\s(?=[a-zä]{3})")


@cache
def _compiled(language: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    table = sorted(TABLES[language], key=lambda pair: len(pair[0]), reverse=True)
    return tuple(
        (re.compile(rf"(?<![\w'-]){re.escape(word)}(?![\w'-])"), english) for word, english in table
    )


def _clock(match: re.Match[str]) -> str:
    minute = match.groupdict().get("m") or match.groupdict().get("m2") or "00"
    # "8h" keeps its hour as written, so "ce soir à 8h" can still be read as 20:00.
    return f"{match['h']}:{minute}"


def translate(text: str, languages: tuple[str, ...]) -> str:
    """``text`` with the words of each configured language's table in English."""
    for language in languages:
        if language not in TABLES:
            continue
        if language == "de":
            text = _DE_DAY_MORNING.sub(lambda m: f"{m['day']} früh", text)
            text = _DE_DAY_DOT.sub(lambda m: f"{m['d']} ", text)
            text = text.replace(" früh", " morning")
            text = _DE_ON.sub("on ", text)
        if language == "fr":
            text = _FR_NEXT.sub(lambda m: f"prochain {m['day']}", text)
            text = _FR_A.sub("à ", text)
            text = _FR_HEURES.sub(_clock, text)
        text = _CLOCKS[language].sub(_clock, text)
        for word, english in _compiled(language):
            text = word.sub(english, text)
    return re.sub(r"\s+", " ", text).strip()
