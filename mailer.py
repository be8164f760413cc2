"""The sender of the mail outbox (store/outbox.py): `flask send-mail` runs it, beside gunicorn in
production (scripts/serve-production.sh) and beside the development server in `make run` when
MAIL_SERVER is set.

SMTP settings are read under Flask-Mail's names (MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS,
MAIL_USE_SSL, MAIL_USERNAME, MAIL_PASSWORD, MAIL_DEFAULT_SENDER), from the app's config or the
environment. The sending itself is the standard library's smtplib and email: Flask-Mail and
Flask-Mailman send within a request, from an app context, and answer an error by raising; this
sender needs one connection per batch, a timeout on every step, the Message-ID fixed when the
mail was written (a re-send after a crash carries the same one), and a recipient refused for
good (5xx) told apart from a server that is down (retried later): smtplib gives each directly.
"""
from __future__ import annotations

import logging
import os
import smtplib
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Callable, Mapping

from store import outbox
from store.db import Database
from store.models import MAIL_FAILED, OutboxMail

log = logging.getLogger("gonggao.mail")

SMTP_TIMEOUT = 30          # seconds, each step of the conversation (outbox.LEASE is far longer)
POLL_SECONDS = 5.0
SWEEP_SECONDS = 300.0      # how often the missed dates are looked for


class MailConfigError(ValueError):
    """A setting that cannot work, in Chinese, with an example."""


def _flag(value) -> bool:
    return str(value or "").strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class SmtpSettings:
    server: str
    port: int
    use_tls: bool = False       # STARTTLS after connecting (port 587)
    use_ssl: bool = False       # TLS from the start (port 465)
    username: str = ""
    password: str = field(default="", repr=False)
    default_sender: str = ""

    @classmethod
    def from_config(cls, config: Mapping) -> SmtpSettings | None:
        """None when MAIL_SERVER is not set (no mail is sent; the outbox keeps them)."""
        def get(name: str) -> str:
            value = config.get(name)
            if value is None:
                value = os.environ.get(name, "")
            return str(value).strip()

        server = get("MAIL_SERVER")
        if not server:
            return None
        use_tls, use_ssl = _flag(get("MAIL_USE_TLS")), _flag(get("MAIL_USE_SSL"))
        if use_tls and use_ssl:
            raise MailConfigError("MAIL_USE_TLS 与 MAIL_USE_SSL 只能设一个：587 端口用 MAIL_USE_TLS=1，"
                                  "465 端口用 MAIL_USE_SSL=1。")
        port_text = get("MAIL_PORT") or ("465" if use_ssl else "25")
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise MailConfigError(f"MAIL_PORT 应为端口号（现为 {port_text!r}），例如：MAIL_PORT=587")
        sender = get("MAIL_DEFAULT_SENDER")
        if "@" not in sender:
            raise MailConfigError("请设置发件人地址 MAIL_DEFAULT_SENDER，例如："
                                  "MAIL_DEFAULT_SENDER='测试日报 <notice@gonggao.example.cn>'")
        return cls(server, int(port_text), use_tls, use_ssl, get("MAIL_USERNAME"), get("MAIL_PASSWORD"), sender)

    def connect(self) -> smtplib.SMTP:
        smtp: smtplib.SMTP
        if self.use_ssl:
            smtp = smtplib.SMTP_SSL(self.server, self.port, timeout=SMTP_TIMEOUT)
        else:
            smtp = smtplib.SMTP(self.server, self.port, timeout=SMTP_TIMEOUT)
            if self.use_tls:
                smtp.starttls()
        if self.username:
            smtp.login(self.username, self.password)
        return smtp


def message(mail: OutboxMail, sender: str, now: datetime) -> EmailMessage:
    msg = EmailMessage()        # the default policy encodes the Chinese subject (RFC 2047) and body
    msg["Subject"] = mail.subject
    msg["From"] = sender
    msg["To"] = mail.recipient
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = mail.message_id
    msg["Auto-Submitted"] = "auto-generated"          # RFC 3834: no vacation replies to this
    msg.set_content(mail.body, charset="utf-8")
    return msg


def _permanent(exc: Exception) -> bool:
    """A refusal that sending again will not change: the recipient refused (5xx)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return False


def _text(value) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "收件地址被拒收：" + "; ".join(f"{code} {_text(text)}" for code, text in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"邮件服务器拒绝：{exc.smtp_code} {_text(exc.smtp_error)}"
    return f"连不上邮件服务器：{type(exc).__name__}: {exc}"


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    claimed_by_others: int = 0


def send_due(db: Database, settings: SmtpSettings, now: Callable[[], datetime], *, limit: int = 50) -> SendReport:
    """Send the mails due now, one SMTP connection for the batch. Each mail: claimed (committed),
    sent, marked sent; an error is recorded on it and it is retried later (store/outbox.py). A
    connection that fails ends the batch: the others stay due for the next pass."""
    report = SendReport()
    with db.session() as s:
        ids = outbox.due(s, now(), limit)
    smtp: smtplib.SMTP | None = None
    try:
        for mail_id in ids:
            mail = outbox.claim(db, mail_id, now())
            if mail is None:
                report.claimed_by_others += 1
                continue
            try:
                if smtp is None:
                    smtp = settings.connect()
                smtp.send_message(message(mail, settings.default_sender, now()))
            except (smtplib.SMTPException, OSError) as exc:
                state = outbox.mark_failed_attempt(db, mail.id, now(), _describe(exc), permanent=_permanent(exc))
                log.warning("mail %s to %s not sent (attempt %s): %s", mail.id, mail.recipient, mail.attempts,
                            _describe(exc))
                if state == MAIL_FAILED:
                    report.failed += 1
                else:
                    report.retried += 1
                if not isinstance(exc, (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError)):
                    break       # the connection is gone or unusable: try again on the next pass
                continue
            # Between the server's 250 and this commit a crash leaves the mail claimed and unsent:
            # it goes again after the lease (at least once; outbox module docstring).
            outbox.mark_sent(db, mail.id, now())
            report.sent += 1
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()
    return report


def run(db: Database, settings: SmtpSettings, now: Callable[[], datetime], *, stop: threading.Event,
        poll: float = POLL_SECONDS, sweep_every: float = SWEEP_SECONDS, on_pass: Callable[[SendReport], None]
        | None = None) -> None:
    """Send until `stop` is set: every `poll` seconds what is due, every `sweep_every` seconds the
    missed dates first. An error (database down) is logged and the loop goes on."""
    last_sweep = float("-inf")
    while not stop.is_set():
        try:
            if time.monotonic() - last_sweep >= sweep_every:
                outbox.sweep_missed(db)
                last_sweep = time.monotonic()
            report = send_due(db, settings, now)
            if on_pass is not None:
                on_pass(report)
            if report.sent or report.retried or report.failed:
                log.info("mail: %s sent, %s to retry, %s failed", report.sent, report.retried, report.failed)
                if report.sent and not report.retried:
                    continue      # more may be due: no pause between full batches
        except Exception:        # the database or anything else: keep the sender alive, try again
            log.exception("mail sender pass failed; trying again in %s s", poll)
        stop.wait(poll)          # `stop` set (SIGTERM) ends the wait at once
