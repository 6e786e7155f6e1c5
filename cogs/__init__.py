"""Thin discord.py extensions, one per area; each calls the core through ``bot.services``."""
