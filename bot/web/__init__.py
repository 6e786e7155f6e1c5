"""The HTTP API (FastAPI) served inside the bot's event loop, over the same services."""
