"""A throwaway certificate authority for the emulated voice gateway (``wss://`` only)."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from pathlib import Path

import trustme


@dataclass
class ThrowawayCA:
    """A CA made for this process, and a certificate it signed for the loopback addresses."""

    ca: trustme.CA = field(default_factory=trustme.CA)

    def __post_init__(self) -> None:
        self._server_cert = self.ca.issue_cert("127.0.0.1", "localhost", "::1")

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._server_cert.configure_cert(context)
        return context

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts this CA (and nothing else)."""
        context = ssl.create_default_context()
        self.ca.configure_trust(context)
        return context

    def write_pem(self, path: Path) -> Path:
        """Write the CA certificate, for ``SSL_CERT_FILE`` in another process."""
        self.ca.cert_pem.write_to_path(str(path))
        return path
