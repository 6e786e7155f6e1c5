"""Sound files: upload validation, transcoding to Ogg Opus, playback sources, playlist order."""
