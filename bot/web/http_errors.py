"""The core's errors as HTTP statuses, for the API's JSON and the dashboard's pages alike."""

from __future__ import annotations

from bot.errors import CarillonError, InvalidInput, LimitReached, NotFound, NotPermitted

STATUS = ((NotFound, 404), (NotPermitted, 403), (InvalidInput, 422), (LimitReached, 422))


def status_of(exc: CarillonError) -> int:
    return next((code for kind, code in STATUS if isinstance(exc, kind)), 400)
