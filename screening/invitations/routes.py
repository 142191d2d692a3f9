"""The review area's invitation pages: the Appointments view, inviting a client, one
invitation (its link, its emails, re-send, cancel), and the emails that were not delivered.
Attached to the review blueprint, so they need a signed-in therapist like the rest of it."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import clients
from ..clinic import clinic_today
from ..database import db, paginate
from ..languages import both_names, clinic_language
from ..mail import writes_files
from ..outbox import KINDS, STATUSES, OutboxMessage, retry_now, undelivered_query
from ..review import FORM_PAGES, bp
from . import service
from .forms import InvitationForm, ResendForm
from .models import Invitation

PER_PAGE = 50
FORM_PAGES.update({  # where to come back to when a post finds the therapist signed out
    "review.new_invitation": ("review.new_invitation", lazy_gettext(
        "The invitation was not saved. Sign in, then enter it again.")),
    "review.resend_invitation": ("review.invitation", lazy_gettext(
        "The invitation was not sent again. Sign in, then try again.")),
    "review.cancel_invitation": ("review.invitation", lazy_gettext(
        "The invitation was not cancelled. Sign in, then try again.")),
    "review.retry_email": ("review.emails", lazy_gettext(
        "Nothing was sent. Sign in, then try again.")),
})


@bp.context_processor
def _outbox_words():
    return {"message_kinds": KINDS, "message_statuses": STATUSES}


@bp.get("/appointments")
def appointments():
    today = clinic_today()
    page = paginate(service.upcoming_query(today).options(
        selectinload(Invitation.screenings), selectinload(Invitation.messages)),
        request.args.get("page", 1, type=int), PER_PAGE)
    undelivered = db.session.scalar(
        select(func.count()).select_from(undelivered_query().subquery()))
    return render_template("review/appointments.html", page=page, undelivered=undelivered,
                           days=service.by_day(page.items, today), today=today,
                           tomorrow=today + timedelta(days=1))


@bp.route("/invitations/new", methods=["GET", "POST"])
def new_invitation():
    """Invite a client: a client already known (chosen from the records suggested, or
    coming from their page with ?client=ID) or a new one."""
    preselected = clients.find(request.args.get("client", type=int))
    form = InvitationForm()
    if request.method == "GET" and preselected is not None:
        form.client_name.data, form.email.data = preselected.name, preselected.email or ""
        form.phone.data, form.client.data = preselected.phone or "", str(preselected.id)
    form.suggest(preselected)
    if form.is_submitted():
        valid = form.validate()
        earlier = service.duplicates([form.details]).get(service.key(form.details)) \
            if form.details is not None else None
        if earlier is not None:
            form.client.errors = []
            form.client_name.errors = [_(
                "%(name)s is already invited for this appointment: open that invitation "
                "from the Appointments view to send it again", name=earlier.client_name)]
        elif valid:
            invitation = service.create(form.details, created_by=current_user,
                                        client=form.chosen)
            db.session.commit()
            flash(_created_message(invitation))
            return redirect(url_for("review.invitation", invitation_id=invitation.id), code=303)
    return render_template("review/invitation_new.html", form=form, preselected=preselected,
                           last_screenings=_last_screenings(form.suggested))


def _last_screenings(records) -> dict:
    """Each suggested record's latest screening, to tell the records apart."""
    return {record.id: clients.last_screening(record) for record in records}


def _created_message(invitation: Invitation) -> str:
    if not invitation.email:
        return _("Invitation saved. There is no email address: copy the link below and "
                 "send it to the client yourself, for example by text message.")
    if writes_files():
        return _("Invitation saved. No mail server is set up, so the email is written to "
                 "%(folder)s instead of being sent: copy the link below and send it to the "
                 "client yourself.", folder=current_app.config["OUTBOX_FOLDER"])
    return _("Invitation saved. The email to %(address)s is on its way.",
             address=invitation.email)


@bp.get("/invitations/<int:invitation_id>")
def invitation(invitation_id: int):
    item = db.get_or_404(Invitation, invitation_id)
    return _invitation_page(item, ResendForm(email=item.email))


def _invitation_page(item: Invitation, resend_form: ResendForm):
    today = clinic_today()
    return render_template("review/invitation.html", invitation=item, form=resend_form,
                           state=service.state(item, today), link=service.link_url(item),
                           open=service.still_open(item, today), writes_files=writes_files(),
                           language=both_names(item.language or clinic_language()))


@bp.post("/invitations/<int:invitation_id>/resend")
def resend_invitation(invitation_id: int):
    item = db.get_or_404(Invitation, invitation_id)
    form = ResendForm()
    if not service.still_open(item, clinic_today()):
        flash(_("This invitation is closed (answered, cancelled or past), so it was not sent."))
    elif not form.validate_on_submit():
        return _invitation_page(item, form), 400
    else:
        service.resend(item, form.email.data.strip())
        db.session.commit()
        flash(_("The invitation is being sent again to %(address)s.", address=item.email))
    return redirect(url_for("review.invitation", invitation_id=item.id), code=303)


@bp.post("/invitations/<int:invitation_id>/cancel")
def cancel_invitation(invitation_id: int):
    item = db.get_or_404(Invitation, invitation_id)
    if item.cancelled_at is None:  # CSRF is checked for every post (security.py)
        service.cancel(item)
        db.session.commit()
        flash(_("Invitation cancelled: its link no longer works, and no reminder will go."))
    return redirect(url_for("review.invitation", invitation_id=item.id), code=303)


@bp.get("/emails")
def emails():
    page = paginate(undelivered_query().options(selectinload(OutboxMessage.invitation)),
                    request.args.get("page", 1, type=int), PER_PAGE)
    return render_template("review/emails.html", page=page, writes_files=writes_files())


@bp.post("/emails/<int:message_id>/retry")
def retry_email(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    if message.status == "failed":
        retry_now(message)
        db.session.commit()
        flash(_("The email to %(address)s will be sent again in a moment.",
                address=message.recipient))
    return redirect(url_for("review.emails"), code=303)
