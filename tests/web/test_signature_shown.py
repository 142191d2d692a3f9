"""The client's typed signature, its date and the declaration's version reach the therapist:
the screening's page, its printed record (the footer) and PDF, and the CSV."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

import pytest
from bs4 import BeautifulSoup

from screening.intake.forms import declaration_version
from tests.factories import consent, form_data

TODAY = date.today()


def send(client, rulebook, name, signature):
    response = client.post("/submit", data=consent(form_data(rulebook, client_name=name),
                                                   signature=signature))
    assert response.status_code == 303


def screening_text(client, number=1):
    return BeautifulSoup(client.get(f"/review/screenings/{number}").get_data(as_text=True),
                         "html.parser")


def test_a_signature_matching_the_name_is_shown_as_typed(client, rulebook, signed_in):
    send(client, rulebook, "Zoë Nguyen-O'Brien", "zoe nguyen o'brien")
    soup = screening_text(client)
    row = next(div for div in soup.select(".meta div") if div.dt.get_text() == "Signature")
    assert row.dd.get_text(" ", strip=True) == (
        f"zoe nguyen o'brien , {TODAY.day} {TODAY:%B %Y} "
        f"(declaration version {declaration_version()})")
    footer = soup.select_one(".record-end .signatures").get_text(" ", strip=True)
    assert "zoe nguyen o'brien" in footer and "differs" not in footer


def test_a_signature_in_other_words_is_marked_everywhere(client, rulebook, signed_in):
    send(client, rulebook, "Ann Example", "Bob Smith")
    expected = "signed as Bob Smith (differs from the client's name)"
    soup = screening_text(client)
    assert expected in soup.select_one(".meta").get_text(" ", strip=True)
    assert expected in soup.select_one(".record-end").get_text(" ", strip=True)
    rows = client.get("/review/export.csv").get_data(as_text=True).splitlines()
    assert '"signature","signed_on","declaration_version"' in rows[0]
    assert f'"{expected}","{TODAY.isoformat()}","{declaration_version()}"' in rows[1]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_the_pdf_shows_it(client, rulebook, signed_in, tmp_path):
    send(client, rulebook, "Ann Example", "Bob Smith")
    response = client.get("/review/screenings/1/record.pdf")
    assert response.status_code == 200
    (tmp_path / "record.pdf").write_bytes(response.get_data())
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "record.pdf"), "-"],  # noqa: S603,S607
                          capture_output=True, text=True, check=True).stdout
    assert "signed as Bob Smith (differs from the client's name)" in " ".join(text.split())
