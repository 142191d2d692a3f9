"""The emails a client gets: the invitation and the reminder. The clinic's name, the
appointment, the link and how long it works; nothing about health. In the invitation's
language (the clinic's for one made before languages)."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _

from ..clinic import clinic_today
from ..languages import appointment_text, in_language, long_day
from ..mail import Composed, NotNeeded, composer, render
from .service import link_url


def _still_wanted(message) -> None:
    """Raise NotNeeded (why, for the clinic: in the clinic's language) if it is not."""
    invitation = message.invitation
    if invitation is None:
        raise NotNeeded(_("The invitation was removed."))
    if invitation.cancelled_at is not None:
        raise NotNeeded(_("The invitation was cancelled."))
    if invitation.screening is not None:
        raise NotNeeded(_("The client had already answered."))
    if clinic_today() > invitation.link_works_until:
        raise NotNeeded(_("The appointment has passed."))


def _client_email(message, template: str, subject: Callable[[str], str]) -> Composed:
    """The invitation or the reminder, in the client's language: `subject` gives the
    subject for the appointment's date and time as written."""
    _still_wanted(message)
    invitation = message.invitation
    with in_language(invitation.language):
        when = appointment_text(invitation.appointment_date, invitation.appointment_time)
        text, html = render(template, invitation=invitation, link=link_url(invitation),
                            when=when, until=long_day(invitation.link_works_until))
        return Composed(subject(when), text, html)


@composer("invitation")
def invitation_email(message) -> Composed:
    return _client_email(message, "invitation", lambda when: _(
        "Your appointment on %(when)s: a few questions first", when=when))


@composer("reminder")
def reminder_email(message) -> Composed:
    return _client_email(message, "reminder", lambda when: _(
        "Reminder: your appointment on %(when)s", when=when))
