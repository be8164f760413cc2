"""A real SMTP server for the tests (aiosmtpd, in a thread of the test process): what the app's
sender delivers is read back from here as a mail program would get it. It can be made to stall
at a step of the conversation (to kill a sender there) and to refuse addresses."""
from __future__ import annotations

import asyncio
import contextlib
import email
import socket
import threading
import time
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from typing import Iterator

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        return self.message.get_content()


@dataclass
class Inbox:
    """The server's handler: every accepted mail, in order."""
    mails: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)      # recipients answered 550
    stall_at: str = ""                                 # "MAIL": before accepting the sender; "DATA":
    stalled: threading.Event = field(default_factory=threading.Event)   # after storing, before the 250
    release: threading.Event = field(default_factory=threading.Event)

    async def _stall(self, step: str) -> None:
        if self.stall_at == step:
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        await self._stall("MAIL")
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 没有这个邮箱 (no such mailbox)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.mails.append(Received(list(envelope.rcpt_tos), message))
        await self._stall("DATA")
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, seconds: float = 10) -> list[Received]:
        deadline = time.monotonic() + seconds
        while len(self.mails) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.mails)

    def to(self, address: str) -> list[Received]:
        return [m for m in self.mails if address in m.recipients]


@contextlib.contextmanager
def smtp_server(port: int | None = None) -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = port or free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        inbox.release.set()
        controller.stop()
