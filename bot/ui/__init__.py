"""Pieces of the Discord interface shared by the cogs: errors, checks, embeds, buttons."""
