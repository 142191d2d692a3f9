"""Save and come back later: the views that keep a client's answers as a saved draft, say
where to find them, and open them again (intake/drafts.py keeps them)."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import MultiDict

from ..clinic import clinic_today, current_rulebook
from ..database import db
from ..invitations.answering import answering
from ..invitations.models import Invitation
from ..invitations.service import link_token as invitation_token
from ..invitations.service import long_day, still_open
from ..outbox import OutboxMessage
from ..review.forms import looks_like_email
from . import bp
from .drafts import (
    email_link,
    fields_of,
    find_saved,
    kept_until,
    resumed,
    save_draft,
    saved_days,
    saved_for_invitation,
)
from .forms import DETAIL_FIELDS, draft_fields
from .submission import new_submission_key, valid_submission_key


def forms_for(rulebook):
    from .routes import forms_for  # the one cache of the form classes

    return forms_for(rulebook)


@bp.post("/save")
def save():
    """Keep whatever has been typed so far, right or not, as the client's saved answers:
    from the questionnaire, the invitation's questionnaire or the check page."""
    form = forms_for(current_rulebook())[0](today=clinic_today())
    if form.meta.csrf and not form.csrf_token.validate(form):
        return render_template("intake/questionnaire.html", form=form)  # "page expired"
    key = form.submission_key.data
    if not valid_submission_key(key):
        key = form.submission_key.data = new_submission_key()
    try:
        invitation = _open_invitation()
        saved = save_draft(draft_fields(form.rulebook, request.form), submission_key=key,
                           invitation_id=invitation.id if invitation else None)
        email = (form.email.data or "").strip()
        if saved.token is not None and looks_like_email(email):
            email_link(saved.draft, email)
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("Could not save a draft")
        return render_template("intake/questionnaire.html", form=form, not_saved=True), 503
    if saved.token is None:
        return redirect(url_for(".saved_invitation"), code=303)
    return redirect(url_for(".saved", token=saved.token), code=303)


def _open_invitation() -> Invitation | None:
    """The invitation this visitor answers, while its link still works; else the answers
    are saved as the open questionnaire's, with a link of their own."""
    invitation_id = answering().get("invitation_id")
    invitation = db.session.get(Invitation, invitation_id) if invitation_id else None
    return invitation if invitation and still_open(invitation, clinic_today()) else None


@bp.get("/saved/<token>")
def saved(token: str):
    """Saved: the link to come back with, shown here once it is made, and where it went."""
    draft = find_saved(token)
    if draft is None:
        return _gone()
    emailed_to = db.session.scalars(select(OutboxMessage.recipient).where(
        OutboxMessage.draft_id == draft.id)).first()
    return render_template("intake/saved.html", link=url_for(".resume", token=token,
                                                             _external=True),
                           emailed_to=emailed_to, until=long_day(kept_until(draft)),
                           answers=_answers(draft))


@bp.get("/saved")
def saved_invitation():
    """Saved from an invitation: its own link opens the answers again."""
    invitation = _open_invitation()
    draft = saved_for_invitation(invitation.id) if invitation else None
    if draft is None:
        return _gone()
    link = url_for("invitations.start", token=invitation_token(invitation.link_key),
                   _external=True)
    return render_template("intake/saved.html", link=link, invitation=invitation,
                           until=long_day(min(kept_until(draft), invitation.link_works_until)),
                           answers=_answers(draft))


def _answers(draft) -> dict:
    """The valid answers saved, for the urgent advice alone (a red flag answered): a saved
    draft is not screened, and nobody at the clinic sees it."""
    form_class = forms_for(current_rulebook())[0]
    return form_class(formdata=fields_of(draft), today=clinic_today(),
                      meta={"csrf": False}).answers()


@bp.get("/resume/<token>")
def resume(token: str):
    """The open questionnaire's saved answers, every one put back, from their link."""
    draft = find_saved(token)
    if draft is None:
        return _gone()
    fields = resumed(draft)
    db.session.commit()
    return render_template("intake/questionnaire.html",
                           **resumed_form(fields, draft.submission_key))


def resumed_form(fields: MultiDict, submission_key: str | None) -> dict:
    """The questionnaire with the saved answers in it, as they were typed, and where to
    carry on: the first part with a question to answer or correct."""
    form_class = forms_for(current_rulebook())[0]
    posted = MultiDict(fields)
    posted["submission_key"] = submission_key or new_submission_key()
    posted["from_draft"] = "1"
    checked = form_class(formdata=posted, today=clinic_today(), meta={"csrf": False})
    checked.validate()
    return {"form": form_class(formdata=posted, today=clinic_today()), "resuming": True,
            "carry_on": _first_to_answer(checked)}


def _first_to_answer(checked) -> tuple[str, str] | None:
    """(anchor, heading) of the first part of the page with something to answer or
    correct; None when everything is answered."""
    if any(checked[name].errors for name in DETAIL_FIELDS):
        return "section-details", gettext("About you")
    rulebook = checked.rulebook
    for section in rulebook.sections:
        if any(checked[question_id].errors for question_id in section.questions):
            return f"section-{section.id}", section.title
    return None


def _gone():
    return render_template(
        "error.html", title=gettext("These saved answers are no longer here"),
        message=gettext("Answers you save are kept for %(days)s days, and go once you send "
                        "them. If you sent yours, your result is at the link you were given; "
                        "if not, please fill in the form again.", days=saved_days())), 404
