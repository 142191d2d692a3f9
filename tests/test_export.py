"""CSV export: the therapists' download and `flask export --format csv`."""

import csv
import io
import os
import stat

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from screening import export
from screening.database import db
from screening.export import LEADING, TRAILING, neutralise
from screening.models import AuditEvent, Screening
from tests.factories import add_screening, add_therapist

VEINS = {"varicose_veins": "yes", "vv_location": ["left_calf", "right_calf"],
         "vv_severity": "small_flat", "vv_symptoms_now": "no"}
HOSTILE = {"recent_surgery": "yes", "surgery_what": "=HYPERLINK(\"http://evil.example\",\"x\")",
           "major_surgery": "yes"}


def read(text):
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def as_dicts(text):
    header, *rows = read(text)
    return [dict(zip(header, row, strict=True)) for row in rows]


def sign_in(app, client):
    add_therapist(app)
    response = client.post("/review/sign-in", data={"email": "kim@example.com",
                                                    "password": "correct horse battery"})
    assert response.status_code == 302


def audit(app, action):
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1",
                                  "=HYPERLINK(\"http://evil.example\")"])
def test_cells_a_spreadsheet_would_run_become_text(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["", "yes", "Ann Example", "135/85", "2026-11-26", "a=b",
                                  "left_calf;right_calf", "'=already quoted"])
def test_other_cells_are_left_alone(cell):
    assert neutralise(cell) == cell


def test_one_row_per_screening_and_one_column_per_question(app, rulebook):
    with app.app_context():
        add_screening(rulebook, client_name="Ann Example", phone="+44 7700 900982")
        add_screening(rulebook, VEINS, decision="go_ahead")
        screenings = db.session.scalars(select(Screening).order_by(Screening.id)).all()
        text = export.csv_text(rulebook, screenings)
        rules = ";".join(finding["rule"] for finding in screenings[1].findings)
    header, *rows = read(text)
    assert header == [*LEADING, *rulebook.questions, *TRAILING]
    assert len(rows) == 2
    first, veins = as_dicts(text)
    assert first["client_name"] == "Ann Example"
    assert first["phone"] == "'+44 7700 900982"  # a leading + would start a formula
    assert (first["outcome"], first["urgent"], first["decision"]) == ("clear", "no", "")
    assert first["osteoporosis"] == "no"
    assert first["vv_location"] == ""
    assert veins["vv_location"] == "left_calf;right_calf"
    assert veins["vv_severity"] == "small_flat"
    assert veins["decision"] == "go_ahead"
    assert veins["outcome"] != "clear"
    assert veins["findings"] == rules != ""


def test_answers_to_questions_no_longer_asked_get_their_own_column(app, rulebook):
    with app.app_context():
        screening = add_screening(rulebook)
        screening.answers = {**screening.answers, "retired_question": "yes"}
        db.session.commit()
        text = export.csv_text(rulebook, [screening])
    header, row = read(text)
    assert header[-len(TRAILING) - 1] == "retired_question"
    assert row[-len(TRAILING) - 1] == "yes"


def test_every_hostile_cell_is_neutralised(app, rulebook):
    with app.app_context():
        add_screening(rulebook, HOSTILE, client_name="@SUM(1+1)*cmd|' /C calc'!A0",
                      email="-2+3@example.com", signature="x")
        text = export.csv_text(rulebook, db.session.scalars(select(Screening)).all())
    row, = as_dicts(text)
    assert row["client_name"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert row["email"] == "'-2+3@example.com"
    assert row["surgery_what"] == "'" + HOSTILE["surgery_what"]
    for cell in (cell for line in read(text) for cell in line):
        assert not cell.startswith(export.FORMULA_STARTS), cell


SEMICOLON_ATTACK = "x;=cmd|' /C calc'!A0"


def cells_where_semicolons_separate(text):
    """The cells a spreadsheet sees in a locale whose list separator is `;`: a `"` opens or
    closes a quoted part, and a `;` or a line break outside one ends a cell."""
    cells, cell, quoted = [], "", False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif char in ";\n" and not quoted:
            cells.append(cell)
            cell = ""
            continue
        cell += char
    return [*cells, cell]


def test_a_formula_after_a_semicolon_cannot_start_a_cell(app, rulebook):
    """A free-text answer `x;=cmd...` stays one cell, as text, in a `;` spreadsheet too."""
    with app.app_context():
        add_screening(rulebook, {**HOSTILE, "surgery_what": SEMICOLON_ATTACK},
                      client_name="Ann;+Example", phone="07700 900982;-1")
        add_screening(rulebook, VEINS)
        text = export.csv_text(rulebook, db.session.scalars(select(Screening)).all())
    first, veins = as_dicts(text)
    assert first["surgery_what"] == SEMICOLON_ATTACK  # read back unchanged
    assert (first["client_name"], first["phone"]) == ("Ann;+Example", "07700 900982;-1")
    assert veins["vv_location"] == "left_calf;right_calf"
    semicolon_cells = cells_where_semicolons_separate(text)
    for cell in semicolon_cells:
        assert not cell.startswith(export.FORMULA_STARTS), cell
    assert len(semicolon_cells) == len(text.splitlines()) + 1  # no `;` splits a row
    for line in text.splitlines():  # every cell quoted, the header's too
        assert line.startswith('"') and line.endswith('"'), line


# --- the therapists' download ----------------------------------------------------------------


def test_export_needs_a_signed_in_therapist(app, client, rulebook):
    with app.app_context():
        add_screening(rulebook)
    response = client.get("/review/export.csv")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/review/sign-in?next=")
    assert audit(app, "export_csv") == []


def test_therapist_downloads_every_screening_and_it_is_audited(app, client, rulebook):
    with app.app_context():
        add_screening(rulebook, client_name="Zoë Example")
        add_screening(rulebook, HOSTILE)
    sign_in(app, client)
    response = client.get("/review/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = as_dicts(text)
    assert [row["client_name"] for row in rows] == ["Zoë Example", "Client 1"]
    assert rows[1]["surgery_what"].startswith("'=")
    event, = audit(app, "export_csv")
    assert event.detail == "2 screenings"
    assert event.subject == "kim@example.com"
    assert event.screening_id is None
    assert "Exported screenings (CSV)" in client.get("/review/audit").get_data(as_text=True)


def test_the_download_follows_the_queue_filters(app, client, rulebook):
    with app.app_context():
        add_screening(rulebook, client_name="Clear Client")
        add_screening(rulebook, VEINS, client_name="Veins Client")
        outcome = db.session.scalars(select(Screening.outcome).where(
            Screening.client_name == "Veins Client")).one()
    sign_in(app, client)
    queue = BeautifulSoup(client.get(f"/review/?outcome={outcome}").get_data(as_text=True),
                          "html.parser")
    link = queue.find("a", href=lambda href: href and href.startswith("/review/export.csv"))
    assert link is not None and f"outcome={outcome}" in link["href"]
    rows = as_dicts(client.get(link["href"]).get_data(as_text=True))
    assert [row["client_name"] for row in rows] == ["Veins Client"]
    event, = audit(app, "export_csv")
    assert event.detail == f"1 screening; outcome={outcome}"


# --- flask export --format csv ---------------------------------------------------------------


def test_cli_exports_every_screening_to_stdout_and_audits_it(app, runner, rulebook):
    with app.app_context():
        add_screening(rulebook, client_name="Ann Example")
        add_screening(rulebook, VEINS)
    result = runner.invoke(args=["export", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = as_dicts(result.stdout)
    assert [row["client_name"] for row in rows] == ["Ann Example", "Client 1"]
    assert not result.stdout.startswith("\ufeff")
    assert result.stderr == "Exported 2 screenings.\n"
    event, = audit(app, "export_csv")
    assert (event.subject, event.address, event.detail) == ("command line", "command line",
                                                            "2 screenings")


def test_cli_exports_to_a_file_with_the_same_csv_as_the_download(app, client, runner, rulebook,
                                                                 tmp_path):
    with app.app_context():
        add_screening(rulebook, HOSTILE)
    path = tmp_path / "screenings.csv"
    result = runner.invoke(args=["export", "--output", str(path)])
    assert result.exit_code == 0, result.output
    sign_in(app, client)
    download = client.get("/review/export.csv").get_data(as_text=True)
    assert path.read_bytes().decode("utf-8") == download.removeprefix("\ufeff")
    assert "\r\n" in download


@pytest.fixture
def usual_umask():
    """The umask most systems start with (0022): files readable by everyone by default."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_cli_export_file_is_readable_by_its_owner_alone(app, runner, rulebook, tmp_path,
                                                         usual_umask):
    with app.app_context():
        add_screening(rulebook, client_name="Ann Example")
    path = tmp_path / "screenings.csv"
    result = runner.invoke(args=["export", "-o", str(path)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [row["client_name"] for row in as_dicts(path.read_text("utf-8"))] == ["Ann Example"]


def test_cli_export_over_an_older_readable_file_makes_it_private(app, runner, rulebook,
                                                                  tmp_path, usual_umask):
    with app.app_context():
        add_screening(rulebook)
    path = tmp_path / "screenings.csv"
    path.write_text("an older export, much longer than the new one " * 1000)
    path.chmod(0o644)
    result = runner.invoke(args=["export", "--output", str(path)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(read(path.read_text("utf-8"))) == 2  # replaced, not appended to or left over


def test_cli_refuses_an_unknown_format(runner):
    result = runner.invoke(args=["export", "--format", "xlsx"])
    assert result.exit_code == 2
    assert "xlsx" in result.output
    assert "Traceback" not in result.output


def test_intake_details_have_their_own_columns_in_their_types_encoding(app, rulebook):
    from tests.web.test_intake_record import STORED

    with app.app_context():
        add_screening(rulebook, {**STORED, "doctor": {"name": "=Dr Evil", "phone": "+1 555 0100"}})
        text = export.csv_text(rulebook, db.session.scalars(select(Screening)).all())
    [row] = as_dicts(text)
    assert row["pain_areas"] == "lower_back:6;right_shoulder"
    assert row["no_touch_areas"] == "abdomen" and row["pressure"] == "firm"
    assert row["emergency_contact"] == ("name: Sam Example;relationship: Partner;"
                                        "phone: 07700 900123")
    assert row["doctor"] == "name: =Dr Evil;phone: +1 555 0100"  # no part starts a cell
    assert row["medicines"] == "Ibuprofen\nSertraline 50 mg"


def test_a_large_download_is_streamed_in_batches_with_every_column(app, client, rulebook,
                                                                   monkeypatch):
    """Screenings are read and written a few at a time (export.BATCH), so a year of a
    large chain takes as little memory as a day; an answer to a question no longer asked,
    held only by the last screening, still gets its column (the first pass reads them all)."""
    monkeypatch.setattr(export, "BATCH", 2)
    with app.app_context():
        for number in range(5):
            add_screening(rulebook, client_name=f"Client {number}")
        last = db.session.scalars(select(Screening).order_by(Screening.id.desc())).first()
        last.answers = {**last.answers, "retired_question": "yes"}
        db.session.commit()
        expected = export.csv_text(rulebook, db.session.scalars(
            select(Screening).order_by(Screening.id)).all())
    sign_in(app, client)
    response = client.get("/review/export.csv")
    assert response.is_streamed
    chunks = list(response.response)
    assert len(chunks) >= 4  # the byte-order mark, then the rows two at a time
    text = b"".join(chunks).decode()
    assert text == "\ufeff" + expected
    rows = as_dicts(text)
    assert [row["client_name"] for row in rows] == [f"Client {n}" for n in range(5)]
    assert [row["retired_question"] for row in rows] == ["", "", "", "", "yes"]
    event, = audit(app, "export_csv")
    assert event.detail == "5 screenings"
