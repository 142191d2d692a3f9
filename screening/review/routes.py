"""Review pages: the queue, a screening in detail with its decisions, the audit trail."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from .. import export, fhir, printing
from ..database import db
from ..engine import evaluate
from ..models import AuditEvent, Decision, Screening
from ..settings import clinic_today, current_rulebook
from . import bp
from .audit import ACTIONS, record
from .duplicates import same_day_copies
from .forms import DecisionForm
from .queue import QUEUE_COLUMNS, STATES, Filters, queue_query

PER_PAGE = 25
#: The audit detail of a view that showed the page again because a decision had errors.
SHOWN_WITH_ERRORS = "shown again: the decision had errors and was not saved"


@bp.get("/")
def queue():
    filters = Filters.from_args(request.args)
    page = db.paginate(queue_query(filters).options(QUEUE_COLUMNS),
                       page=request.args.get("page", 1, type=int),
                       per_page=PER_PAGE, error_out=False)
    return render_template("review/queue.html", page=page, filters=filters, states=STATES,
                           today=clinic_today(), copies=same_day_copies(page.items))


@bp.get("/screenings/<int:screening_id>")
def screening(screening_id: int):
    return _detail(db.get_or_404(Screening, screening_id), DecisionForm())


@bp.post("/screenings/<int:screening_id>/decision")
def decide(screening_id: int):
    item = db.get_or_404(Screening, screening_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _detail(item, form)
    revising = item.decision is not None
    decision = Decision(
        screening=item, therapist_id=current_user.id, kind=form.kind.data,
        note=(form.note.data or "").strip(),
        cleared_on=form.cleared_on.data if form.kind.data == "cleared_by_doctor" else None,
        cleared_by=(form.cleared_by.data or "").strip() or None
        if form.kind.data == "cleared_by_doctor" else None,
        created_at=datetime.now(UTC))
    db.session.add(decision)
    item.decision = decision.kind
    record("revise_decision" if revising else "record_decision", therapist=current_user,
           screening=item, detail=form.kind.data)
    db.session.commit()
    flash("Decision recorded.")
    return redirect(url_for("review.screening", screening_id=item.id), code=303)


@bp.get("/screenings/<int:screening_id>/print.css")
def screening_print_css(screening_id: int):
    return printing.css_response(db.get_or_404(Screening, screening_id))


@bp.get("/screenings/<int:screening_id>/record.pdf")
def screening_pdf(screening_id: int):
    item = db.get_or_404(Screening, screening_id)
    record("download_record", therapist=current_user, screening=item, commit=True)
    return printing.record_pdf(item, audience="therapist")


@bp.get("/screenings/<int:screening_id>/doctor-letter")
def doctor_letter(screening_id: int):
    item = db.get_or_404(Screening, screening_id)
    html = printing.letter_page(  # a 404, not recorded, when nothing needs a doctor's advice
        item, "therapist",
        pdf_url=url_for(".doctor_letter_pdf", screening_id=item.id),
        back_url=url_for(".screening", screening_id=item.id),
        css_url=url_for(".screening_print_css", screening_id=item.id))
    record("view_letter", therapist=current_user, screening=item, commit=True)
    return html


@bp.get("/screenings/<int:screening_id>/doctor-letter.pdf")
def doctor_letter_pdf(screening_id: int):
    item = db.get_or_404(Screening, screening_id)
    record("download_letter", therapist=current_user, screening=item, commit=True)
    return printing.letter_pdf(item)


@bp.get("/audit")
def audit():
    page = db.paginate(select(AuditEvent).order_by(AuditEvent.id.desc()),
                       page=request.args.get("page", 1, type=int), per_page=50,
                       error_out=False)
    return render_template("review/audit.html", page=page, actions=ACTIONS)


def _detail(item: Screening, form: DecisionForm):
    """The screening page; also shown again, with errors, when a decision is invalid. Each
    showing is a look at the client's answers, so each is recorded."""
    record("view_screening", therapist=current_user, screening=item, commit=True,
           detail=SHOWN_WITH_ERRORS if form.errors else "")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.screening_id == item.id)
                                .order_by(AuditEvent.id.desc()).limit(50)).all()
    return render_template("review/screening.html", screening=item, form=form,
                           now=_as_of_now(item), events=events, actions=ACTIONS,
                           retired=_retired_answers(item),
                           letter=bool(printing.letter_items(item)),
                           copies=same_day_copies([item]).get(item.id, []))


def _retired_answers(item: Screening) -> list[tuple[str, str]]:
    """Stored answers to questions the current rule book no longer has (removed or renamed
    since the screening), as (question id, value as stored), so none is silently left out."""
    questions = current_rulebook().questions
    return [(question_id, ", ".join(map(str, value)) if isinstance(value, list) else str(value))
            for question_id, value in item.answers.items() if question_id not in questions]


def _as_of_now(item: Screening):
    """The same answers screened as of today (or the appointment, if still ahead), with the
    current rule book, when that gives a different result from the one stored."""
    today = clinic_today()
    on = item.appointment_date if item.appointment_date and item.appointment_date > today \
        else today
    if on == item.screened_on:
        return None
    result = evaluate(current_rulebook(), item.answers, on)
    stored_rules = sorted(finding["rule"] for finding in item.findings)
    if (result.outcome == item.outcome and result.urgent == item.urgent
            and sorted(finding.rule for finding in result.findings) == stored_rules):
        return None
    return result


# --- downloads for other systems: FHIR R4 and CSV (docs: README "Interoperability") ----------


@bp.get("/questionnaire.fhir.json")
def fhir_questionnaire():
    try:
        resource = fhir.questionnaire(current_rulebook(),
                                      publisher=current_app.config["CLINIC_NAME"])
    except fhir.FhirError as error:
        flash(f"The questionnaire cannot be written as FHIR: {error}")
        return redirect(url_for("review.queue"), code=303)
    return printing.attachment(json.dumps(resource, indent=2, ensure_ascii=False),
                               fhir.JSON_MEDIA_TYPE, "questionnaire.fhir.json")


@bp.get("/screenings/<int:screening_id>/fhir.json")
def screening_fhir(screening_id: int):
    item = db.get_or_404(Screening, screening_id)
    record("download_fhir", therapist=current_user, screening=item, commit=True)
    resource = fhir.questionnaire_response(current_rulebook(), item)
    return printing.attachment(json.dumps(resource, indent=2, ensure_ascii=False),
                               fhir.JSON_MEDIA_TYPE, f"screening-{item.id}.fhir.json")


@bp.get("/export.csv")
def export_csv():
    """The screenings the queue's filters select, oldest first, as CSV."""
    filters = Filters.from_args(request.args)
    query = queue_query(filters).order_by(None).order_by(Screening.id)
    screenings = db.session.scalars(query).all()
    text = export.csv_text(current_rulebook(), screenings)
    chosen = ", ".join(f"{key}={value}" for key, value in filters.query_args().items())
    record("export_csv", therapist=current_user, commit=True,
           detail=export.count_text(len(screenings)) + (f"; {chosen}" if chosen else ""))
    # The byte-order mark lets spreadsheet programs read accented names correctly.
    return printing.attachment("\ufeff" + text, export.MEDIA_TYPE,
                               f"screenings-{clinic_today()}.csv")
