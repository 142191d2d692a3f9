"""Printed records: the per-record running footer, and PDFs rendered with WeasyPrint.

The PDF is the same HTML and print stylesheet the browser prints, rendered on the
server by `screening.pdf`, which reads nothing but the app's own static files.
"""

from __future__ import annotations

import re
import unicodedata

from flask import Response, abort, current_app, render_template

from .clinic import current_rulebook
from .downloads import attachment
from .models import Screening
from .presenters import format_answer, long_date


def running_css(screening: Screening) -> str:
    """CSS putting the client's name in the footer of every printed page."""
    label = f"{screening.client_name}, born {long_date(screening.date_of_birth)}"
    return f'@page {{ @bottom-left {{ content: "{_css_string(label)}"; }} }}\n'


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
    html = render_template("print/record.html", screening=screening, audience=audience,
                           running_css=running_css(screening))
    kind = "screening-record" if audience == "therapist" else "screening-result"
    return pdf_response(html, record_filename(screening, kind))


def letter_items(screening: Screening) -> list[dict]:
    """For each condition needing a doctor's advice: its answers and what the therapist
    needs to know. Empty when nothing in the screening needs medical clearance."""
    rulebook = current_rulebook()
    items: dict[str, dict] = {}
    for finding in screening.findings:
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


def letter_page(screening: Screening, audience: str, pdf_url: str, back_url: str,
                css_url: str) -> str:
    letter = letter_items(screening) or abort(404)
    return render_template("doctor_letter.html", screening=screening, letter=letter,
                           areas=letter_areas(letter), audience=audience, pdf_url=pdf_url,
                           back_url=back_url, css_url=css_url)


def letter_pdf(screening: Screening) -> Response:
    letter = letter_items(screening) or abort(404)
    html = render_template("print/doctor_letter.html", screening=screening, letter=letter,
                           areas=letter_areas(letter), running_css=running_css(screening))
    return pdf_response(html, record_filename(screening, "doctor-letter"))
