"""A real SMTP server for tests (aiosmtpd), which can be stopped and started on the same port."""
from __future__ import annotations

import email
import email.policy
import re
import threading
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.server.lock:
            self.server.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if address.lower() in m["To"].lower()]

    @staticmethod
    def body(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    def text(self, address: str, subject_contains: str) -> str:
        """The body of the last mail to ``address`` whose subject contains ``subject_contains``."""
        for message in reversed(self.to(address)):
            if subject_contains.lower() in str(message["Subject"]).lower():
                return self.body(message)
        raise AssertionError(f"no mail with {subject_contains!r} in its subject to that address")

    def link(self, address: str, path_prefix: str) -> str:
        """The last link starting with ``path_prefix`` in the mail to ``address`` (path only)."""
        for message in reversed(self.to(address)):
            found = re.findall(r"https?://[^\s/]+(" + re.escape(path_prefix) + r"[^\s]+)", self.body(message))
            if found:
                return found[-1]
        raise AssertionError(f"no {path_prefix} link in mail to that address")
