"""Printed records: the per-record running footer, and PDFs rendered with WeasyPrint.

The PDF is the same HTML and print stylesheet the browser prints, rendered on the
server by `screening.pdf`, which reads nothing but the app's own static files.

Each document is in its reader's language (screening/languages.py): the client's result
and the letter for their doctor in the language the client answered in, the therapist's
record in the clinic's, whatever page they were asked from.
"""

from __future__ import annotations

import re
import unicodedata

from flask import Response, abort, current_app, render_template
from flask_babel import gettext as _
from markupsafe import Markup

from .clinic import rulebook_in, screening_findings
from .downloads import attachment
from .i18n import clinic_language
from .languages import current_language, in_language, long_date
from .models import Screening
from .presenters import format_answer


def document_language(screening: Screening, audience: str) -> str:
    """The client's documents are in the language they answered in; the clinic's in its own."""
    return screening.language if audience == "client" else clinic_language()


def running_css(screening: Screening) -> str:
    """CSS putting the client's name in the footer of every printed page, and its page
    number, in the language in force."""
    label = _("%(name)s, born %(date)s", name=screening.client_name,
              date=long_date(screening.date_of_birth))
    return (f'@page {{ @bottom-left {{ content: "{_css_string(label)}"; }}\n'
            f'  @bottom-right {{ content: {_page_numbers()}; }} }}\n')


def _page_numbers() -> str:
    """'"Page " counter(page) " of " counter(pages)', the words as translated."""
    words = _("Page %(page)s of %(pages)s", page="\0page\0", pages="\0pages\0")
    return " ".join(f"counter({piece})" if index % 2 else f'"{_css_string(piece)}"'
                    for index, piece in enumerate(words.split("\0")) if piece)


def _css_string(text: str) -> str:
    """Escape everything but letters, digits and spaces, so no text can end the string."""
    return "".join(char if char.isalnum() or char == " " else f"\\{ord(char):x} "
                   for char in text)


def css_response(screening: Screening) -> Response:
    return Response(running_css(screening), mimetype="text/css")


def record_filename(screening: Screening, kind: str = "screening") -> str:
    """`screening-record-Ann-Example-2026-11-26.pdf` (the therapist's copy; the client's is
    `screening-result-...`): the kind, the client's name and the screening date."""
    ascii_name = unicodedata.normalize("NFKD", screening.client_name).encode(
        "ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-") or "client"
    return f"{kind}-{slug[:60]}-{screening.submitted_at:%Y-%m-%d}.pdf"


#: What WeasyPrint needs from Debian to make PDFs (the README lists the same packages).
PDF_LIBRARIES = ("libpango-1.0-0", "libpangoft2-1.0-0", "fonts-dejavu-core",
                 "fonts-noto-color-emoji")
PDF_INSTALL_HINT = ("PDFs need WeasyPrint's libraries, Pango and a font: install them (as root) "
                    f"with `apt-get install -y {' '.join(PDF_LIBRARIES)}`")


def pdf_renderer_problem() -> str | None:
    """None when PDFs can be made here; else why not (WeasyPrint or Pango missing)."""
    try:
        from . import pdf  # noqa: F401
    except (ImportError, OSError) as error:  # OSError: WeasyPrint could not load Pango
        return f"{type(error).__name__}: {error}"
    return None


def pdf_response(html: str, filename: str) -> Response:
    problem = pdf_renderer_problem()  # imports WeasyPrint on first use only: it is slow
    if problem is not None:
        raise RuntimeError(f"{PDF_INSTALL_HINT} ({problem})")
    from . import pdf

    body = pdf.render(html, current_app.static_folder, current_app.static_url_path or "/static",
                      paper=current_app.config["PAPER_SIZE"])
    return attachment(body, "application/pdf", filename)


def record_pdf(screening: Screening, audience: str) -> Response:
    """The screening record as a PDF: the same partials and print stylesheet as the page."""
    with in_language(document_language(screening, audience)) as language:
        html = render_template("print/record.html", screening=screening, audience=audience,
                               running_css=running_css(screening), language=language,
                               rulebook=rulebook_in(language))
    kind = "screening-record" if audience == "therapist" else "screening-result"
    return pdf_response(html, record_filename(screening, kind))


def letter_items(screening: Screening) -> list[dict]:
    """For each condition needing a doctor's advice: its answers and what the therapist
    needs to know, in the language in force. Empty when nothing in the screening needs
    medical clearance."""
    rulebook = rulebook_in(current_language())
    items: dict[str, dict] = {}
    for finding in screening_findings(screening, rulebook):
        if finding["outcome"] != "medical_clearance":
            continue
        condition = rulebook.conditions.get(finding["condition"])
        item = items.setdefault(finding["condition"], {
            "name": finding.get("condition_name", finding["condition"]), "actions": [],
            "areas": [], "answers": [
                (rulebook.questions[qid].text,
                 format_answer(rulebook.questions[qid], screening.answers[qid]))
                for qid in (condition.questions if condition else ())
                if qid in screening.answers]})
        item["actions"].append(finding["therapist_action"])
        item["areas"] += [area for area in finding.get("body_areas", ())
                          if area not in item["areas"]]
    return [{**item, "action": " ".join(item.pop("actions"))} for item in items.values()]


def letter_areas(letter: list[dict]) -> list[str]:
    """The body areas the letter's findings name, each once, in the order they come."""
    return list(dict.fromkeys(area for item in letter for area in item["areas"]))


def _letter(screening: Screening) -> dict:
    """What the letter's templates need, in the language in force; a 404 when nothing in
    the screening needs a doctor's advice."""
    letter = letter_items(screening) or abort(404)
    return {"screening": screening, "letter": letter, "areas": letter_areas(letter),
            "language": current_language(), "rulebook": rulebook_in(current_language())}


def letter_page(screening: Screening, audience: str, pdf_url: str, back_url: str,
                css_url: str) -> str:
    """The letter on a page of the reader's (the page's language around it), the letter
    itself in the client's language, as it prints."""
    with in_language(screening.language):
        letter = _letter(screening)
        letter_html = Markup(render_template("_doctor_letter.html", **letter))
    return render_template("doctor_letter.html", screening=screening, letter_html=letter_html,
                           audience=audience, pdf_url=pdf_url, back_url=back_url,
                           css_url=css_url)


def letter_pdf(screening: Screening) -> Response:
    with in_language(screening.language):
        html = render_template("print/doctor_letter.html", **_letter(screening),
                               running_css=running_css(screening))
    return pdf_response(html, record_filename(screening, "doctor-letter"))
