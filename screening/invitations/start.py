"""The client's side: the link in the email opens the questionnaire with their name and
appointment filled in (see answering.py for how the screening they send is tied to it).

A returning client (an invitation for a client whose last screening is within
RETURNING_MONTHS) sees, section by section, what they told us last time, and answers
"No change" or "Something has changed" (returning.py); their post comes back here, is made
whole with last time's answers, and goes on to "check your answers" like any other."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import (
    Blueprint,
    flash,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from werkzeug.datastructures import MultiDict

from .. import clients
from ..clinic import clinic_today, clinic_zone, current_rulebook
from ..database import db
from ..i18n import switching_language
from ..intake.drafts import resumed, saved_for_invitation
from ..intake.routes import forms_for, questionnaire, ready_to_check, to_check_page
from ..intake.saving import resumed_form
from ..intake.submission import new_submission_key, valid_submission_key
from ..languages import open_link_in
from ..models import Screening, as_utc
from ..returning import (
    CHANGED,
    SAME,
    SectionPlan,
    answer_items,
    kept_answers,
    merged_post,
    plan,
    returning_since,
)
from .answering import SESSION_KEY
from .models import Invitation
from .service import appointment_text, find_by_token, long_day

bp = Blueprint("invitations", __name__)
CLOSED_TITLES = {
    "cancelled": lazy_gettext("The invitation for your appointment was cancelled by the clinic, "
                              "but your answers are kept: check them and send them, and your "
                              "therapist will see them."),
    "expired": lazy_gettext("The invitation for your appointment has expired, but your answers "
                            "are kept: check them and send them, and your therapist will see "
                            "them.")}


@bp.get("/start/<token>")
def start(token: str):
    invitation = find_by_token(token)
    if invitation is None:
        return _unknown_link()
    open_link_in(invitation.language)
    closed = _closed(invitation)
    if closed:
        return render_template("invitations/closed.html", reason=closed, invitation=invitation,
                               when=_when(invitation),
                               until=long_day(invitation.link_works_until)), \
            200 if closed == "answered" else 410
    if invitation.opened_at is None:
        invitation.opened_at = datetime.now(UTC)
        db.session.commit()
    session[SESSION_KEY] = invitation.id
    draft = saved_for_invitation(invitation.id)
    if draft is not None:  # saved to come back to: every answer as it was left
        page = resumed_form(resumed(draft), draft.submission_key)
        db.session.commit()
        return render_template("invitations/questionnaire.html", **page,
                               invitation=invitation, when=_when(invitation))
    last = last_screening(invitation)
    if last is not None:
        kept = kept_answers(current_rulebook(), last.answers, clinic_today())
        return _returning_page(token, invitation, last, _prefilled(invitation, last, kept),
                               kept)
    return render_template("invitations/questionnaire.html", form=_prefilled(invitation),
                           invitation=invitation, when=_when(invitation))


@bp.post("/start/<token>")
def answer(token: str):
    """A returning client's questionnaire: each section "No change" (last time's answers)
    or changed (as posted). Nothing posted is lost: a link that closed meanwhile still
    takes the answers, as an ordinary questionnaire not tied to the invitation."""
    invitation = find_by_token(token)
    if invitation is None:
        return _unknown_link()
    closed = _closed(invitation)
    if closed in CLOSED_TITLES:
        session.pop(SESSION_KEY, None)
        flash(str(CLOSED_TITLES[closed]))
    else:
        session[SESSION_KEY] = invitation.id
    last = last_screening(invitation)
    if last is None:  # no longer a returning client (say, the last screening was removed)
        return questionnaire()
    return _answered(token, invitation, last)


def _answered(token: str, invitation: Invitation, last: Screening):
    rulebook, today = current_rulebook(), clinic_today()
    kept = kept_answers(rulebook, last.answers, today)
    asking = [item for item in plan(rulebook, kept) if item.asks_about_change]
    choices = {item.id: request.form.get(f"change-{item.id}", "") for item in asking}
    opened = set(request.form.getlist("opened"))
    form = forms_for(rulebook)[0](
        formdata=MultiDict(merged_post(rulebook, request.form.items(multi=True), asking,
                                       choices, kept)), today=today)
    if not valid_submission_key(form.submission_key.data):
        form.submission_key.data = new_submission_key()
    undecided = [item for item in asking if choices[item.id] not in (SAME, CHANGED)]
    newly_open = {item.id for item in asking if choices[item.id] == CHANGED} - opened
    if switching_language():  # the same page in that language, every answer as posted
        return _returning_page(token, invitation, last, form, kept, choices=choices)
    if newly_open and not undecided:  # without JavaScript: show the questions to change
        return _returning_page(token, invitation, last, form, kept, choices=choices,
                               opening=newly_open)
    if not ready_to_check(form) or undecided:
        wrong = {item.id for item in asking
                 if any(form[qid].errors for qid in item.kept if qid in form)}
        choices.update({sid: CHANGED for sid in wrong})
        return _returning_page(token, invitation, last, form, kept, choices=choices, errors=[
            (f"change-{item.id}-0", _("Tell us whether anything has changed about "
                                      "'%(section)s' since last time",
                                      section=item.section.title)) for item in undecided])
    return to_check_page(form)


@dataclass
class Returning:
    """What the questionnaire shows a returning client: each section's plan, the answers
    to "Has anything changed?" so far, which sections are open, and their problems."""

    last: Screening
    plans: dict[str, SectionPlan]
    choices: dict[str, str] = field(default_factory=dict)
    opening: set[str] = field(default_factory=set)
    errors: list[tuple[str, str]] = field(default_factory=list)

    def is_open(self, section_id: str) -> bool:
        return self.choices.get(section_id) == CHANGED

    @property
    def last_day(self):
        return as_utc(self.last.submitted_at).astimezone(clinic_zone()).date()


def _returning_page(token: str, invitation: Invitation, last: Screening, form,
                    kept: dict, **state):
    """The questionnaire for a returning client, with `kept` (kept_answers) last time's."""
    returning = Returning(last, {item.id: item for item in plan(current_rulebook(), kept)},
                          **state)
    return render_template("invitations/questionnaire.html", form=form, invitation=invitation,
                           when=_when(invitation), returning=returning,
                           form_action=url_for("invitations.answer", token=token))


def last_screening(invitation: Invitation) -> Screening | None:
    """The client's latest screening not sent from this invitation, if it is recent enough
    for them to count as returning; else None."""
    if invitation.client is None:
        return None
    earlier = [item for item in clients.screenings_of(clients.root(invitation.client))
               if item.invitation_id != invitation.id]
    if not earlier:
        return None
    day = as_utc(earlier[0].submitted_at).astimezone(clinic_zone()).date()
    return earlier[0] if returning_since(day, clinic_today()) else None


def _unknown_link():
    return render_template(
        "error.html", title=_("We don't recognise this link"),
        message=_("This link is not one of ours, or it was copied wrongly: check that you "
                  "used the whole link from your email, or ask the clinic to send it again. "
                  "You can also answer the questionnaire without it.")), 404


def _closed(invitation: Invitation) -> str | None:
    if invitation.cancelled_at is not None:
        return "cancelled"
    if invitation.screening is not None:
        return "answered"
    if clinic_today() > invitation.link_works_until:
        return "expired"
    return None


def _when(invitation: Invitation) -> str:
    return appointment_text(invitation.appointment_date, invitation.appointment_time)


def _prefilled(invitation: Invitation, last: Screening | None = None, kept: dict | None = None):
    """The questionnaire with the client's details in it (they can correct them), and for
    a returning client (`last`) last time's date of birth and the answers they may keep
    (`kept`, their kept_answers). An appointment already past (the link works the day
    after) is left for them to fill in."""
    rulebook = current_rulebook()
    form_class = forms_for(rulebook)[0]
    today = clinic_today()
    appointment = invitation.appointment_date if invitation.appointment_date >= today else None
    details = {"client_name": invitation.client_name, "email": invitation.email or "",
               "phone": invitation.phone or "", "submission_key": new_submission_key()}
    if last is None:
        return form_class(formdata=None, today=today, appointment_date=appointment, **details)
    details["appointment_date"] = appointment.isoformat() if appointment else ""
    details["date_of_birth"] = last.date_of_birth.isoformat()
    return form_class(formdata=MultiDict([*details.items(), *answer_items(rulebook, kept)]),
                      today=today)
