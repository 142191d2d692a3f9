"""The emails a client gets: the invitation and the reminder. The clinic's name, the
appointment, the link and how long it works; nothing about health."""

from __future__ import annotations

from ..clinic import clinic_today
from ..mail import Composed, NotNeeded, composer, render
from .service import appointment_text, link_url, long_day


def _still_wanted(message) -> None:
    invitation = message.invitation
    if invitation is None:
        raise NotNeeded("The invitation was removed.")
    if invitation.cancelled_at is not None:
        raise NotNeeded("The invitation was cancelled.")
    if invitation.screening is not None:
        raise NotNeeded("The client had already answered.")
    if clinic_today() > invitation.link_works_until:
        raise NotNeeded("The appointment has passed.")


def _client_email(message, template: str, subject: str) -> Composed:
    """The invitation or the reminder: `subject` is formatted with the appointment's time."""
    _still_wanted(message)
    invitation = message.invitation
    when = appointment_text(invitation.appointment_date, invitation.appointment_time)
    text, html = render(template, invitation=invitation, link=link_url(invitation), when=when,
                        until=long_day(invitation.link_works_until))
    return Composed(subject.format(when=when), text, html)


@composer("invitation")
def invitation_email(message) -> Composed:
    return _client_email(message, "invitation",
                         "Your appointment on {when}: a few questions first")


@composer("reminder")
def reminder_email(message) -> Composed:
    return _client_email(message, "reminder", "Reminder: your appointment on {when}")
