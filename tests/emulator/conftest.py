from tests.support.e2e import emulator

__all__ = ["emulator"]
