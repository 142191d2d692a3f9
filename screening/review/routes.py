"""Review pages: the queue, a screening in detail with its decisions, the audit trail."""

from __future__ import annotations

from itertools import chain

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from .. import clients, export, fhir, printing, returning
from ..audit import ACTIONS, SHOWN_WITH_ERRORS, record
from ..clinic import clinic_today, current_rulebook
from ..database import db, paginate
from ..downloads import attachment, json_attachment
from ..languages import answered_in
from ..models import AuditEvent, Screening
from . import bp
from .decisions import record_decision, result_if_screened_today
from .duplicates import same_day_copies
from .forms import DecisionForm
from .queue import QUEUE_COLUMNS, STATES, Filters, queue_query

PER_PAGE = 25
#: How far the queue counts the screenings it shows: past it, "more than 10,000".
COUNT_UP_TO = 10_000
#: How far it counts those a name search finds: a name matching more than 500 (a common
#: surname in a large chain) is not one person, and counting further through the name
#: index costs more than the page (10,000 of 1,000,000: 120 to 200 ms on PostgreSQL).
NAME_COUNT_UP_TO = 500


@bp.get("/")
def queue():
    filters = Filters.from_args(request.args)
    page = paginate(queue_query(filters).with_only_columns(*QUEUE_COLUMNS),
                    request.args.get("page", 1, type=int), PER_PAGE,
                    count_up_to=count_limit(filters))
    return render_template("review/queue.html", page=page, filters=filters, states=STATES,
                           today=clinic_today(), copies=same_day_copies(page.items),
                           client=clients.find(filters.client) if filters.client else None,
                           every_client={key: value for key, value in
                                         filters.query_args().items() if key != "client"})


def count_limit(filters: Filters) -> int:
    """How far the queue counts what these filters find."""
    return NAME_COUNT_UP_TO if filters.name else COUNT_UP_TO


@bp.get("/screenings/<int:screening_id>")
def screening(screening_id: int):
    return _detail(db.get_or_404(Screening, screening_id), DecisionForm())


@bp.post("/screenings/<int:screening_id>/decision")
def decide(screening_id: int):
    screening = db.get_or_404(Screening, screening_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _detail(screening, form)
    record_decision(screening, current_user, form.kind.data, note=form.note.data,
                    cleared_on=form.cleared_on.data, cleared_by=form.cleared_by.data)
    flash(_("Decision recorded."))
    return redirect(url_for("review.screening", screening_id=screening.id), code=303)


@bp.get("/screenings/<int:screening_id>/print.css")
def screening_print_css(screening_id: int):
    return printing.css_response(db.get_or_404(Screening, screening_id))


@bp.get("/screenings/<int:screening_id>/record.pdf")
def screening_pdf(screening_id: int):
    screening = db.get_or_404(Screening, screening_id)
    record("download_record", therapist=current_user, screening=screening, commit=True)
    return printing.record_pdf(screening, audience="therapist")


@bp.get("/screenings/<int:screening_id>/doctor-letter")
def doctor_letter(screening_id: int):
    screening = db.get_or_404(Screening, screening_id)
    html = printing.letter_page(  # a 404, not recorded, when nothing needs a doctor's advice
        screening, "therapist",
        pdf_url=url_for(".doctor_letter_pdf", screening_id=screening.id),
        back_url=url_for(".screening", screening_id=screening.id),
        css_url=url_for(".screening_print_css", screening_id=screening.id))
    record("view_letter", therapist=current_user, screening=screening, commit=True)
    return html


@bp.get("/screenings/<int:screening_id>/doctor-letter.pdf")
def doctor_letter_pdf(screening_id: int):
    screening = db.get_or_404(Screening, screening_id)
    record("download_letter", therapist=current_user, screening=screening, commit=True)
    return printing.letter_pdf(screening)


@bp.get("/audit")
def audit():
    page = paginate(select(AuditEvent).order_by(AuditEvent.id.desc()),
                    request.args.get("page", 1, type=int), 50)
    return render_template("review/audit.html", page=page, actions=ACTIONS)


def _detail(screening: Screening, form: DecisionForm):
    """The screening page; also shown again, with errors, when a decision is invalid. Each
    showing is a look at the client's answers, so each is recorded."""
    record("view_screening", therapist=current_user, screening=screening, commit=True,
           detail=SHOWN_WITH_ERRORS if form.errors else "")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.screening_id == screening.id)
                                .order_by(AuditEvent.id.desc()).limit(50)).all()
    whole = clients.root(screening.client) if screening.client else None
    earlier = clients.earlier_screenings(screening)
    previous = earlier[0] if earlier else None
    return render_template("review/screening.html", screening=screening, form=form,
                           client_record=whole, previous=previous,
                           changes=returning.answer_changes(
                               current_rulebook(), previous.answers, screening.answers)
                           if previous else [],
                           client_screenings=clients.screenings_of(whole) if whole else [],
                           result_today=result_if_screened_today(screening), events=events,
                           actions=ACTIONS, retired=_retired_answers(screening),
                           letter=bool(printing.letter_items(screening)),
                           answered_in=answered_in(screening.language),
                           copies=same_day_copies([screening]).get(screening.id, []))


def _retired_answers(screening: Screening) -> list[tuple[str, str]]:
    """Stored answers to questions the current rule book no longer has (removed or renamed
    since the screening), as (question id, value as stored), so none is silently left out."""
    questions = current_rulebook().questions
    return [(question_id, ", ".join(map(str, value)) if isinstance(value, list) else str(value))
            for question_id, value in screening.answers.items() if question_id not in questions]


# --- downloads for other systems: FHIR R4 and CSV (docs: README "Interoperability") ----------


@bp.get("/questionnaire.fhir.json")
def fhir_questionnaire():
    try:
        resource = fhir.questionnaire(current_rulebook(),
                                      publisher=current_app.config["CLINIC_NAME"])
    except fhir.FhirError as error:
        flash(_("The questionnaire cannot be written as FHIR: %(why)s", why=error))
        return redirect(url_for("review.queue"), code=303)
    return json_attachment(resource, fhir.JSON_MEDIA_TYPE, "questionnaire.fhir.json")


@bp.get("/screenings/<int:screening_id>/fhir.json")
def screening_fhir(screening_id: int):
    screening = db.get_or_404(Screening, screening_id)
    record("download_fhir", therapist=current_user, screening=screening, commit=True)
    resource = fhir.questionnaire_response(current_rulebook(), screening)
    return json_attachment(resource, fhir.JSON_MEDIA_TYPE, f"screening-{screening.id}.fhir.json")


@bp.get("/export.csv")
def export_csv():
    """The screenings the queue's filters select, oldest first, as CSV, streamed."""
    filters = Filters.from_args(request.args)
    query = queue_query(filters).order_by(None).order_by(Screening.id)
    count = db.session.scalar(select(func.count()).select_from(query.subquery()))
    chosen = ", ".join(f"{key}={value}" for key, value in filters.query_args().items())
    record("export_csv", therapist=current_user, commit=True,
           detail=export.count_text(count) + (f"; {chosen}" if chosen else ""))
    # The byte-order mark lets spreadsheet programs read accented names correctly.
    body = chain(["\ufeff"], export.csv_chunks(current_rulebook(), query))
    return attachment(stream_with_context(body), export.MEDIA_TYPE,
                      f"screenings-{clinic_today()}.csv")
