"""The clinic's mail server: one email sent by SMTP, for reminders and the diary.

The app's ``SMTP_*`` settings name the server; with no ``SMTP_HOST`` nothing is
sent by mail.
"""

import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

# What a failed send raises: the server unreachable, or refusing the message.
SEND_ERRORS = (OSError, smtplib.SMTPException)


@dataclass(frozen=True)
class SmtpMailer:
    """Send email through the clinic's mail server."""

    host: str
    port: int
    sender: str
    username: str | None
    password: str | None
    timeout: float

    def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


def configured_mailer(
    config: Mapping[str, Any], *, timeout: float
) -> SmtpMailer | None:
    """Return the mail server the settings name, or None when SMTP is not set up."""
    if not config.get("SMTP_HOST"):
        return None
    return SmtpMailer(
        host=config["SMTP_HOST"],
        port=int(config.get("SMTP_PORT", 587)),
        sender=config.get("SMTP_FROM") or f"noreply@{config['SMTP_HOST']}",
        username=config.get("SMTP_USERNAME"),
        password=config.get("SMTP_PASSWORD"),
        timeout=timeout,
    )
