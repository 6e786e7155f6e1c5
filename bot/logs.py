"""Where the bot's log lines go: discord.py's handler on stderr, as text or JSON lines."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from bot.config import LoggingConfig

# APScheduler writes a routine line per job run (~17,000 a day) and Alembic one per plugin
# at every start; their warnings still show.
DEFAULT_LEVELS = {"apscheduler": "WARNING", "alembic": "WARNING"}


class JsonLines(logging.Formatter):
    """One JSON object a line, for log shippers; non-ASCII kept as it is."""

    def format(self, record: logging.LogRecord) -> str:
        document = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat().replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        return json.dumps(document, ensure_ascii=False)


def effective_levels(config: LoggingConfig) -> dict[str, str]:
    return DEFAULT_LEVELS | config.levels


def setup_logging(config: LoggingConfig, level: str | None = None) -> None:
    """The root logger at ``level`` (default ``[logging] level``), then each library's own."""
    import discord.utils

    numeric = logging.getLevelName((level or config.level).upper())
    if config.format == "json":
        discord.utils.setup_logging(formatter=JsonLines(), level=numeric, root=True)
    else:
        discord.utils.setup_logging(level=numeric, root=True)
    for name, library_level in effective_levels(config).items():
        logging.getLogger(name).setLevel(library_level)
