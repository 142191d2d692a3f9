"""The emails a client gets: the invitation and the reminder. The clinic's name, the
appointment, the link and how long it works; nothing about health."""

from __future__ import annotations

from ..mail import Composed, NotNeeded, composer, render
from ..settings import clinic_today
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


def _context(invitation) -> dict:
    return {"invitation": invitation, "link": link_url(invitation),
            "when": appointment_text(invitation.appointment_date, invitation.appointment_time),
            "until": long_day(invitation.link_works_until)}


@composer("invitation")
def invitation_email(message) -> Composed:
    _still_wanted(message)
    context = _context(message.invitation)
    text, html = render("invitation", **context)
    return Composed(f"Your appointment on {context['when']}: a few questions first", text, html)


@composer("reminder")
def reminder_email(message) -> Composed:
    _still_wanted(message)
    context = _context(message.invitation)
    text, html = render("reminder", **context)
    return Composed(f"Reminder: your appointment on {context['when']}", text, html)
