"""The scheduling engine: recurrences, the dispatcher and its maintenance jobs."""
