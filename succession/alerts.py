"""Alerts by e-mail: compose and send a plain-text message through SMTP when configured.

No Dagster here (the sensors in ``orchestration/automation`` call it), so it can be
tested against a local SMTP server. Configuration comes from the settings
(`succession.settings.Settings.smtp`), read from the environment:

``SUCCESSION_SMTP_HOST``        SMTP server; unset = alerts are only logged
``SUCCESSION_SMTP_PORT``        default 25 (587 with STARTTLS, 465 for SMTPS)
``SUCCESSION_SMTP_SENDER``      From: address (default ``succession@localhost``)
``SUCCESSION_SMTP_RECIPIENTS``  comma-separated To: addresses
``SUCCESSION_SMTP_USER`` / ``SUCCESSION_SMTP_PASSWORD``  optional login
``SUCCESSION_SMTP_STARTTLS``    ``1``/``true``/``on`` to upgrade the connection with STARTTLS
``SUCCESSION_SMTP_SSL``         ``1``/``true``/``on`` for SMTPS (implicit TLS)
"""

from __future__ import annotations

import logging
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

log = logging.getLogger("succession.alerts")

SUBJECT_PREFIX = "[succession]"


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send alerts (made by `succession.settings.Settings.smtp`)."""

    host: str
    port: int = 25
    sender: str = "succession@localhost"
    recipients: tuple[str, ...] = field(default_factory=tuple)
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    ssl: bool = False
    timeout: float = 20.0


def compose(subject: str, body: str, settings: SmtpSettings) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = f"{SUBJECT_PREFIX} {subject}"
    msg["From"] = settings.sender
    msg["To"] = ", ".join(settings.recipients)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or "localhost")
    msg["X-Succession-Host"] = socket.gethostname()
    msg.set_content(body)
    return msg


def send(
    subject: str, body: str, settings: SmtpSettings | None = None, *, logger: Callable[[str], None] | None = None
) -> bool:
    """Send the alert by e-mail when SMTP is configured (``settings``, from
    `succession.settings.Settings.smtp`); always log it.

    Returns True when the message was handed to the SMTP server. Never raises for a
    delivery problem (an alert must not fail the sensor that raised it): the problem is logged.
    """
    say = logger or log.warning
    say(f"ALERT {subject}\n{body}")
    if settings is None:
        return False
    msg = compose(subject, body, settings)
    try:
        if settings.ssl:
            smtp = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with smtp:
            if settings.starttls and not settings.ssl:
                smtp.starttls(context=ssl.create_default_context())
            if settings.user:
                smtp.login(settings.user, settings.password or "")
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        say(f"alert e-mail to {', '.join(settings.recipients)} via {settings.host}:{settings.port} failed: {exc}")
        return False
    return True
