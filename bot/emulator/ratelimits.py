"""Discord's REST limits: per-route buckets, the global limit, and the invalid-request ban.

Routes are named as ``"POST /channels/{channel_id}/messages"`` (the path after ``/api/v10``).
A bucket counts per major parameter (channel, guild, or interaction token); every route not
listed has a bucket of its own with the default limit.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

WEBHOOK_BUCKET = "interaction-webhook"

# Interaction callbacks and the follow-ups of the same token count in one bucket.
ROUTE_BUCKETS: dict[str, str] = {
    "POST /channels/{channel_id}/messages": "channel-message-create",
    "PATCH /channels/{channel_id}/messages/{message_id}": "channel-message-edit",
    "DELETE /channels/{channel_id}/messages/{message_id}": "channel-message-delete",
    "POST /users/@me/channels": "dm-create",
    "POST /interactions/{interaction_id}/{token}/callback": WEBHOOK_BUCKET,
    "POST /webhooks/{app_id}/{token}": WEBHOOK_BUCKET,
    "GET /webhooks/{app_id}/{token}/messages/{message_id}": WEBHOOK_BUCKET,
    "PATCH /webhooks/{app_id}/{token}/messages/{message_id}": WEBHOOK_BUCKET,
    "DELETE /webhooks/{app_id}/{token}/messages/{message_id}": WEBHOOK_BUCKET,
}


@dataclass(frozen=True)
class Limit:
    """``requests`` per ``per`` seconds."""

    requests: int
    per: float


def _default_bucket_limits() -> dict[str, Limit]:
    return {
        "channel-message-create": Limit(5, 5.0),
        "channel-message-edit": Limit(5, 5.0),
        "channel-message-delete": Limit(5, 1.0),
        "dm-create": Limit(5, 1.0),
        WEBHOOK_BUCKET: Limit(5, 2.0),
    }


@dataclass
class RateLimitPolicy:
    """What the emulator enforces; tests shrink or widen any of it."""

    routes: dict[str, str] = field(default_factory=lambda: dict(ROUTE_BUCKETS))
    buckets: dict[str, Limit] = field(default_factory=_default_bucket_limits)
    default: Limit = Limit(5, 1.0)
    global_limit: Limit = Limit(50, 1.0)
    invalid_requests: Limit = Limit(10_000, 600.0)
    ban_seconds: float = 3600.0

    def bucket_of(self, route: str) -> tuple[str, Limit]:
        name = self.routes.get(route, route)
        return name, self.buckets.get(name, self.default)


def bucket_hash(name: str) -> str:
    """An opaque id like Discord's ``X-RateLimit-Bucket``, the same for every major parameter."""
    return hashlib.blake2b(name.encode(), digest_size=16).hexdigest()


def major_parameter(params: Mapping[str, str]) -> str:
    if "token" in params:
        return f"token:{params['token']}"
    for name in ("channel_id", "guild_id"):
        if name in params:
            return f"{name}:{params[name]}"
    return ""


def exempt_from_global(params: Mapping[str, str]) -> bool:
    """Interaction endpoints (authorised by their token) are not under the global limit."""
    return "token" in params


def _ceil_ms(seconds: float) -> float:
    return math.ceil(max(seconds, 0.0) * 1000) / 1000


@dataclass
class Window:
    """A fixed window that opens at its first request, as Discord's buckets do."""

    limit: Limit
    used: int = 0
    resets_at: float = 0.0

    def take(self, now: float) -> bool:
        if now >= self.resets_at:
            self.used, self.resets_at = 0, now + self.limit.per
        if self.used >= self.limit.requests:
            return False
        self.used += 1
        return True

    @property
    def remaining(self) -> int:
        return max(self.limit.requests - self.used, 0)

    def reset_after(self, now: float) -> float:
        return _ceil_ms(self.resets_at - now)


@dataclass
class Verdict:
    """The answer to one request: the bucket it counted in, and whether it is refused."""

    bucket: str | None
    window: Window | None
    scope: str | None = None
    retry_after: float = 0.0

    @property
    def limited(self) -> bool:
        return self.scope is not None

    def headers(self, now: float) -> dict[str, str]:
        """The ``X-RateLimit-*`` headers of an answer (a global 429 carries none of a bucket's)."""
        if self.scope == "global":
            return {
                "X-RateLimit-Global": "true",
                "X-RateLimit-Scope": "global",
                "Retry-After": str(math.ceil(self.retry_after)),
            }
        if self.window is None or self.bucket is None:
            return {}
        reset_after = self.window.reset_after(now)
        headers = {
            "X-RateLimit-Limit": str(self.window.limit.requests),
            "X-RateLimit-Remaining": str(self.window.remaining),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket_hash(self.bucket),
        }
        if self.scope == "user":
            headers["X-RateLimit-Scope"] = "user"
            headers["Retry-After"] = str(math.ceil(self.retry_after))
        return headers

    def body(self) -> dict[str, object]:
        return {
            "message": "You are being rate limited.",
            "retry_after": self.retry_after,
            "global": self.scope == "global",
        }


class RateLimiter:
    """The emulator's counters: buckets per route and major parameter, the global window per
    bot token (or IP without one), and invalid requests per IP."""

    def __init__(self, policy: RateLimitPolicy | None = None) -> None:
        self.policy = policy or RateLimitPolicy()
        self._windows: dict[tuple[str, str], Window] = {}
        self._global: dict[str, Window] = {}
        self._invalid: dict[str, deque[float]] = {}
        self._banned_until: dict[str, float] = {}

    def admit(self, identity: str, route: str, params: Mapping[str, str], now: float) -> Verdict:
        name, limit = self.policy.bucket_of(route)
        key = (name, major_parameter(params))
        window = self._windows.get(key)
        if window is None or window.limit != limit:
            window = self._windows[key] = Window(limit)
        if not exempt_from_global(params):
            overall = self._global.get(identity)
            if overall is None or overall.limit != self.policy.global_limit:
                overall = self._global[identity] = Window(self.policy.global_limit)
            if not overall.take(now):
                return Verdict(name, window, "global", overall.reset_after(now))
        if not window.take(now):
            return Verdict(name, window, "user", window.reset_after(now))
        return Verdict(name, window)

    def banned_for(self, ip: str, now: float) -> float:
        """Seconds left of ``ip``'s ban, 0 when it is not banned."""
        until = self._banned_until.get(ip, 0.0)
        if until <= now:
            self._banned_until.pop(ip, None)
            return 0.0
        return until - now

    def count(self, ip: str, status: int, now: float) -> None:
        """Count a 401, 403 or 429 answer; past the limit the IP is banned."""
        if status not in (401, 403, 429):
            return
        limit = self.policy.invalid_requests
        seen = self._invalid.setdefault(ip, deque())
        seen.append(now)
        while seen and seen[0] <= now - limit.per:
            seen.popleft()
        if len(seen) >= limit.requests:
            self._banned_until[ip] = now + self.policy.ban_seconds
            seen.clear()

    def invalid_count(self, ip: str, now: float) -> int:
        seen = self._invalid.get(ip, deque())
        return sum(1 for t in seen if t > now - self.policy.invalid_requests.per)
