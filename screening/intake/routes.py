"""Views for clients: thin, each one validate -> call the engine or store -> render/redirect."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache

from flask import (
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from sqlalchemy.exc import SQLAlchemyError

from .. import printing
from ..clinic import clinic_today, current_rulebook, rulebook_in
from ..compression import SharedPage
from ..database import db
from ..i18n import clinic_language, page_language, switching_language
from ..invitations.answering import answering
from . import bp
from .drafts import DRAFT_HOURS, find_draft, keep_draft, record_sent, take_saved
from .forms import (
    CONSENT_FIELDS,
    SubmitDetailsForm,
    build_forms,
    error_summary,
    posted_answers,
)
from .submission import (
    find_by_token,
    new_submission_key,
    result_token,
    store_screening,
    stored_before,
    valid_submission_key,
)

forms_for = lru_cache(maxsize=4)(build_forms)
bp.add_app_template_global(error_summary, "error_summary_items")


@bp.get("/")
def start():
    return render_template("intake/start.html")


@bp.route("/questionnaire", methods=["GET", "POST"])
def questionnaire():
    """The form. A valid POST is kept as a draft (not a screening: nothing is sent yet) and
    the browser goes on to 'check your answers' at its own address (POST, redirect, GET)."""
    questionnaire_form = forms_for(current_rulebook())[0]
    if request.method == "GET":
        return _blank_questionnaire(questionnaire_form)
    form = questionnaire_form(today=clinic_today())
    if not valid_submission_key(form.submission_key.data):
        form.submission_key.data = new_submission_key()
    if "change" in request.form or switching_language():
        return render_template("intake/questionnaire.html", form=form)
    if not ready_to_check(form):
        return render_template("intake/questionnaire.html", form=form)
    return to_check_page(form)


def ready_to_check(form) -> bool:
    """Whether a questionnaire can go on to "check your answers": valid, and every date
    outside the window its question asks about confirmed by the client (date_checks.py).
    Validates the form, so its errors are there to show when it cannot."""
    return form.validate() and not form.dates_to_check()


def to_check_page(form):
    """Keep the valid answers as a draft and go on to 'check your answers' at its own
    address (POST, redirect, GET)."""
    try:
        token = keep_draft(form.carried_fields())
    except SQLAlchemyError:
        # The client can still check and send their answers: only Back and Reload would
        # ask to send this form again.
        db.session.rollback()
        current_app.logger.exception("Could not keep answers to check")
        return _check_page(form)
    return redirect(url_for("intake.check", token=token), code=303)


@bp.get("/check/<token>")
def check(token: str):
    """Check your answers, from the draft the questionnaire kept. Its form (consent, and
    every answer in hidden fields) goes to /submit, which checks everything again."""
    fields = find_draft(token)
    if fields is None:
        return render_template(
            "error.html", title=_("These answers are no longer here"),
            message=_("Answers that were not sent are kept for %(hours)s hours. If you sent "
                      "yours, your result is at the link you were given; if not, please fill "
                      "in the form again.", hours=DRAFT_HOURS)), 404
    form = forms_for(current_rulebook())[0](formdata=fields, today=clinic_today(),
                                            meta={"csrf": False})
    return _check_page(form)


def _check_page(form):
    consent = forms_for(form.rulebook)[1](formdata=None, today=form.today)
    consent.signed_on.data = form.today
    return render_template("intake/check.html", form=form, consent=consent)


#: Stand-ins for the two values that differ between visitors of the empty form.
_TOKEN, _KEY = "\x00csrf-token\x00", "\x00submission-key\x00"


def _blank_questionnaire(form_class):
    """The empty questionnaire is the same for every visitor but for its CSRF token and
    submission key, so it is rendered (and compressed) once per rule book and sent with
    this visitor's two values in it: gzipped when the browser accepts that."""
    cache = current_app.extensions.setdefault("blank_questionnaire", {})
    token = generate_csrf() if current_app.config.get("WTF_CSRF_ENABLED", True) else ""
    key = new_submission_key()
    if session.get("_flashes"):  # a message for this visitor alone: not for the shared copy
        return render_template("intake/questionnaire.html",
                               form=form_class(formdata=None, submission_key=key))
    language = page_language()
    page = cache.get((form_class.rulebook, language))
    if page is None:
        form = form_class(formdata=None, submission_key=key)
        html = render_template("intake/questionnaire.html", form=form)
        html = (html.replace(token, _TOKEN) if token else html).replace(key, _KEY)
        page = cache[form_class.rulebook, language] = SharedPage(html, (_TOKEN, _KEY))
    values = {_TOKEN: token.encode(), _KEY: key.encode()}
    if request.accept_encodings.quality("gzip") > 0:
        response = make_response(page.gzipped(values))
        response.content_encoding = "gzip"
    else:
        response = make_response(page.plain(values))
    response.vary.update(("Accept-Encoding", "Accept-Language", "Cookie"))
    return response


@bp.post("/submit")
def submit():
    """Store the screening (once, however often it is sent) and show the result.

    A complete, valid post is read straight through `posted_answers` with a small form
    for the details and consent; only a post with something to correct builds the whole
    questionnaire form (a field per question) to show the errors beside the answers.
    """
    rulebook, today = current_rulebook(), clinic_today()
    if switching_language():  # the check page again, in that language, nothing checked
        return render_template("intake/check.html", form=_full_submission(rulebook, today))
    submission = SubmitDetailsForm(today=today)
    answers = posted_answers(rulebook, request.form, today)
    if answers is None or not submission.validate() \
            or not valid_submission_key(submission.submission_key.data):
        submission = _full_submission(rulebook, today)
        if not submission.validate():
            return _to_correct(submission)
        answers = submission.answers()
    details = {**submission.details(), **answering()}
    consent = {"signature": submission.signature.data.strip(),
               "signed_on": submission.signed_on.data, "declaration": submission.declaration()}
    key = submission.submission_key.data
    try:
        # Saved answers go with the screening they become, in its transaction.
        taken = take_saved(key, details.get("invitation_id"))
        if submission.from_draft.data and not taken \
                and stored_before(key, details, answers, consent) is False:
            db.session.rollback()
            return _sent_elsewhere(rulebook, today)
        # Stored in the clinic's words (the therapist's, the CSV's, FHIR's); the client's
        # pages word the same findings in their language (clinic.screening_findings).
        token = store_screening(
            rulebook=rulebook_in(clinic_language()), details=details, answers=answers,
            consent=consent, submission_key=key, secret_key=current_app.secret_key, today=today,
            language=page_language())
    except SQLAlchemyError:
        return _not_saved(rulebook, today)
    if taken:
        _forget_saved(taken, key, details.get("invitation_id"), token)
    return redirect(url_for(".result", token=token), code=303)


def _sent_elsewhere(rulebook, today):
    """Saved answers already sent from another window or tab, and these differ: say so,
    with the link to what was sent, and keep these on the page to send as well if meant."""
    submission = _full_submission(rulebook, today)
    submission.validate()
    submission.from_draft.data = ""
    sent = url_for(".result", token=result_token(current_app.secret_key,
                                                 submission.submission_key.data))
    return render_template("intake/check.html", form=submission, sent_elsewhere=sent), 409


def _forget_saved(taken: list[int], key: str, invitation_id: int | None, token: str) -> None:
    """Say in the audit trail which saved answers went with the screening (and delete them
    if storing it had to start again, which undid that)."""
    try:
        ids = sorted({*taken, *take_saved(key, invitation_id)})
        record_sent(ids, find_by_token(
            token, timedelta(days=int(current_app.config["RESULT_LINK_DAYS"]))))
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("Could not delete saved answers that were sent")


def _full_submission(rulebook, today):
    """The submit form with a field per question, as posted; a new key if it had none."""
    submission = forms_for(rulebook)[1](today=today)
    if not valid_submission_key(submission.submission_key.data):
        submission.submission_key.data = new_submission_key()
    return submission


def _to_correct(submission):
    """The page with the errors: check your answers when only the declaration has any, else
    the questionnaire (every answer kept either way)."""
    consent_only = not any(field.errors for field in submission
                           if field.name not in CONSENT_FIELDS and field.name != "csrf_token")
    template = "intake/check.html" if consent_only else "intake/questionnaire.html"
    return render_template(template, form=submission)


def _not_saved(rulebook, today):
    """Locked, full or unreachable: the transaction is rolled back, nothing is half written.
    Show the same page again, every answer still in it, to send again."""
    db.session.rollback()
    current_app.logger.exception("Could not store a screening")
    submission = _full_submission(rulebook, today)
    submission.validate()
    return render_template("intake/check.html", form=submission, not_saved=True), 503


@bp.get("/result/<token>")
def result(token: str):
    """The client's result, in the language they answered in (whatever this browser's
    language now), unless they switch language on this page (its `?lang=` link)."""
    screening = _by_token(token)
    with force_locale(result_language(screening)):
        return render_template("intake/result.html", screening=screening, token=token,
                               letter=bool(printing.letter_items(screening)))


def result_language(screening) -> str:
    """The language a screening's own pages are in: the one the client answered in, or
    the one they switched to on the page."""
    if request.args.get("lang") in current_app.config["LANGUAGES"]:
        return page_language()  # which remembers the choice, as on every other page
    return screening.language if screening.language in current_app.config["LANGUAGES"] \
        else page_language()


@bp.get("/result/<token>/print.css")
def result_print_css(token: str):
    return printing.css_response(_by_token(token))


@bp.get("/result/<token>/record.pdf")
def result_pdf(token: str):
    return printing.record_pdf(_by_token(token), audience="client")


@bp.get("/result/<token>/doctor-letter")
def doctor_letter(token: str):
    return printing.letter_page(
        _by_token(token), "client", pdf_url=url_for(".doctor_letter_pdf", token=token),
        back_url=url_for(".result", token=token),
        css_url=url_for(".result_print_css", token=token))


@bp.get("/result/<token>/doctor-letter.pdf")
def doctor_letter_pdf(token: str):
    return printing.letter_pdf(_by_token(token))


def _by_token(token: str):
    """The screening behind a client's private link, or a plain 'not found'."""
    valid_for = timedelta(days=int(current_app.config["RESULT_LINK_DAYS"]))
    screening = find_by_token(token, valid_for)
    if screening is None:
        abort(404)
    return screening
