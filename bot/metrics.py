"""The process's Prometheus series, fed where things happen (the dispatcher, the voice
player, the credit ledger, the HTTP API) and served by ``/metrics``.

One ``Metrics`` per process, built by ``bot.container`` with the services (tests run several
bots in one process, so there is no global registry). Labels carry task types, outcomes,
routes and server ids only: never a member's id or name.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

# Dispatch is meant to be on time to the millisecond; a loaded loop shows in the tail.
LATENESS_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)
CONNECT_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.dispatch_lateness = Histogram(
            "carillon_dispatch_lateness_seconds",
            "From a run's due instant to its handler starting (first attempts only)",
            ["task_type"],
            buckets=LATENESS_BUCKETS,
            registry=registry,
        )
        self.runs = Counter(
            "carillon_task_runs",
            "Runs recorded, by task type and outcome",
            ["task_type", "outcome"],
            registry=registry,
        )
        self.missed_runs = Counter(
            "carillon_missed_runs",
            "Occurrences missed while the bot was offline (beyond their grace)",
            ["task_type"],
            registry=registry,
        )
        self.voice_connect = Histogram(
            "carillon_voice_connect_seconds",
            "Joining a voice channel until audio can be sent (DAVE ready), by result",
            ["result"],
            buckets=CONNECT_BUCKETS,
            registry=registry,
        )
        self.credits_spent = Counter(
            "carillon_credits_spent",
            "Credits charged for plays",
            registry=registry,
        )
        self.queue_depth = Gauge(
            "carillon_queue_depth",
            "Pending tasks per server (read when scraped)",
            ["guild_id"],
            registry=registry,
        )
        self.last_pass_age = Gauge(
            "carillon_dispatcher_last_pass_age_seconds",
            "Seconds since the dispatcher loop last finished a pass",
            registry=registry,
        )
        self.api_requests = Counter(
            "carillon_api_requests",
            "HTTP requests by method, route template and status",
            ["method", "route", "status"],
            registry=registry,
        )
        self.api_latency = Histogram(
            "carillon_api_request_seconds",
            "HTTP request duration by method and route template",
            ["method", "route"],
            registry=registry,
        )
