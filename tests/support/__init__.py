"""What tests share: ``core`` (a recording player, waiting), ``e2e`` (the emulator world and
bare bots), ``app`` and ``library`` (the real application and its sounds), ``capture``
(reading captured audio) and ``bot_process`` (the bot as a subprocess)."""
