"""Carillon: a Discord bot that plays sounds and playlists in voice channels on a schedule."""

__version__ = "0.1.0"
