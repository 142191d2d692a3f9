"""Delivering the outbox: one message at a time, with retries and back-off.

`deliver_due()` sends every message that is due and returns what happened; the app runs it
in a background thread (`BackgroundSender`, woken as soon as a message is queued, and every
few seconds), and `flask outbox send` runs it from the command line or cron. A mail server
that cannot be reached ends the run (the rest wait for the next one); a message that fails
for a while is retried later and later, and given up on after a day, with the reason kept
for the review area, in the clinic's language (there is no request here, so Flask-Babel
gives the clinic's). A recipient the server refuses is given up on at once.
"""

from __future__ import annotations

import atexit
import os
import smtplib
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

from flask import Flask, current_app
from flask_babel import gettext as _

from .database import db
from .mail import COMPOSERS, NotNeeded, build, mail
from .models import as_utc
from .outbox import OutboxMessage, claim_next, finish, new_claimer

#: The first retry waits this long, each next one twice as long, up to MAX_DELAY.
FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)
#: A message not delivered within this long after it was queued is given up on.
GIVE_UP_AFTER = timedelta(hours=24)
#: How often the background sender looks for due messages (and reminders) when not woken.
POLL_SECONDS = 15
REMINDER_EVERY = timedelta(minutes=1)


class Unreachable(Exception):
    """The mail server could not be reached: the run stops, the rest wait for the next."""


def retry_delay(attempts: int) -> timedelta:
    """The wait before the next try after `attempts` failed ones: 30 s, 1 min, 2 min, ...
    up to an hour."""
    return min(FIRST_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)


def deliver_due(now: datetime | None = None, stop: threading.Event | None = None) -> Counter:
    """Send every message due by `now` (default: the time of each claim); count outcomes."""
    claimer = new_claimer()
    outcomes: Counter = Counter()
    connection = mail.get_connection()
    try:
        while stop is None or not stop.is_set():
            message_id = claim_next(claimer, now)
            if message_id is None:
                break
            try:
                outcomes[_deliver(message_id, claimer, connection, now)] += 1
            except Unreachable:
                outcomes["unreachable"] += 1
                break
    finally:
        _close(connection)
        db.session.remove()
    return outcomes


def _deliver(message_id: int, claimer: str, connection, now: datetime | None) -> str:
    """Compose and send one claimed message; record how it went."""
    message = db.session.get(OutboxMessage, message_id)
    try:
        composed = COMPOSERS[message.kind](message)
    except NotNeeded as reason:
        finish(message_id, claimer, status="cancelled", last_error=str(reason))
        return "cancelled"
    email = build(message, composed)
    db.session.commit()  # end the read before the network wait: hold nothing open while sending
    try:
        connection.send_messages([email])
    except smtplib.SMTPRecipientsRefused as error:
        if all(code >= 500 for code, _reason in error.recipients.values()):
            _give_up(message_id, claimer, _refused(error))
            return "failed"
        _retry(message, claimer, _refused(error), now)
        return "retry"
    except smtplib.SMTPDataError as error:
        reason = _("The mail server refused the message: %(code)s %(reply)s",
                   code=error.smtp_code, reply=_text(error.smtp_error))
        if error.smtp_code >= 500:
            _give_up(message_id, claimer, reason)
            return "failed"
        _retry(message, claimer, reason, now)
        return "retry"
    except (OSError, smtplib.SMTPException) as error:
        # Not this message's fault (server down, slow, refusing our sign-in or sender
        # address, disk full): try it again later, and stop this run.
        _retry(message, claimer, _unreachable(error), now)
        _close(connection)
        raise Unreachable from error
    finish(message_id, claimer, status="sent", sent_at=datetime.now(UTC), last_error="",
           attempts=message.attempts + 1)
    return "sent"


def _retry(message: OutboxMessage, claimer: str, reason: str, now: datetime | None) -> None:
    attempts = message.attempts + 1
    moment = now or datetime.now(UTC)
    if moment - as_utc(message.created_at) >= GIVE_UP_AFTER:
        _give_up(message.id, claimer, _(
            "Given up after %(tries)s tries in %(hours)s hours. %(reason)s", tries=attempts,
            hours=GIVE_UP_AFTER.days * 24, reason=reason), attempts)
        return
    finish(message.id, claimer, attempts=attempts, last_error=reason,
           next_attempt_at=moment + retry_delay(attempts))


def _give_up(message_id: int, claimer: str, reason: str, attempts: int | None = None) -> None:
    message = db.session.get(OutboxMessage, message_id)
    finish(message_id, claimer, status="failed", last_error=reason,
           attempts=attempts if attempts is not None else message.attempts + 1)


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _refused(error: smtplib.SMTPRecipientsRefused) -> str:
    details = "; ".join(f"{address}: {code} {_text(reason)}"
                        for address, (code, reason) in error.recipients.items())
    return _("The mail server refused the address (%(details)s). Check the address.",
             details=details)


def _unreachable(error: Exception) -> str:
    config = current_app.config
    if not config["MAIL_SERVER"]:
        return _("Could not write the message to %(folder)s (%(error)s).",
                 folder=config["OUTBOX_FOLDER"], error=error)
    server = f"{config['MAIL_SERVER']}:{config['MAIL_PORT']}"
    if _timed_out(error):
        return _("The mail server %(server)s did not answer within %(seconds)s seconds. "
                 "Trying again later.", server=server, seconds=config["MAIL_TIMEOUT"])
    if isinstance(error, smtplib.SMTPResponseException):
        return _("The mail server %(server)s answered %(code)s %(reply)s. Check the "
                 "SCREENING_MAIL_* settings; trying again later.", server=server,
                 code=error.smtp_code, reply=_text(error.smtp_error))
    return _("Could not reach the mail server %(server)s (%(error)s). Trying again later.",
             server=server, error=error)


def _timed_out(error: BaseException | None) -> bool:
    """A timeout, or smtplib's "connection unexpectedly closed" caused by one."""
    while error is not None:
        if isinstance(error, TimeoutError):  # socket.timeout is TimeoutError
            return True
        error = error.__cause__ or error.__context__
    return False


def _close(connection) -> None:
    try:
        connection.close()
    except (OSError, smtplib.SMTPException):
        connection.connection = None  # already broken: drop it, the next message reconnects


class BackgroundSender:
    """The app's own sender: a thread that delivers the outbox and queues due reminders.

    Started by the first request in each process (so also in each forked worker), woken
    when a transaction that queued a message commits. On shutdown it finishes the message
    it is sending, then stops, so a restart neither loses nor repeats one.
    """

    def __init__(self, app: Flask):
        self.app = app
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()

    def _running(self) -> bool:
        """Whether this process's thread is alive (a forked worker has none of its own)."""
        return self._thread is not None and self._pid == os.getpid() and self._thread.is_alive()

    def ensure_running(self) -> None:
        if self._running():
            return
        with self._lock:
            if self._running():  # another request started it while this one waited
                return
            self._stop.clear()
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="outbox-sender",
                                            daemon=True)
            self._thread.start()
            atexit.register(self.stop)

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float | None = None) -> None:
        """Finish the message being sent, then stop (waits at most `timeout` seconds)."""
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            wait = timeout if timeout is not None else 3 * self.app.config["MAIL_TIMEOUT"]
            thread.join(wait)

    def _run(self) -> None:
        from .invitations.reminders import queue_due_reminders

        last_reminders = datetime.min.replace(tzinfo=UTC)
        while not self._stop.is_set():
            self._wake.clear()
            with self.app.app_context():
                try:
                    if datetime.now(UTC) - last_reminders >= REMINDER_EVERY:
                        queue_due_reminders()
                        last_reminders = datetime.now(UTC)
                    deliver_due(stop=self._stop)
                except Exception:  # keep sending after a database hiccup; it is logged
                    db.session.rollback()
                    current_app.logger.exception("The outbox sender failed; trying again")
                finally:
                    db.session.remove()
            self._wake.wait(POLL_SECONDS)
