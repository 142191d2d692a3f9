"""`flask invite`: one client, or a booking system's CSV export, where every bad row is
reported with its line and column and nothing is imported until the file is clean."""

from __future__ import annotations

import time as clock
from datetime import date, time, timedelta

import pytest

from screening.invitations.csv_import import MAX_BYTES, MAX_ROWS
from tests.invitations.helpers import deliver, invitations, messages

TOMORROW = date.today() + timedelta(days=1)
YESTERDAY = date.today() - timedelta(days=1)
HEADER = "name,email,phone,date,time,therapist,note\n"


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["invite", *args], input=input)


def write(tmp_path, text: str | bytes, name: str = "bookings.csv"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return str(path)


def test_inviting_one_client_prints_the_link_and_queues_the_email(mail_app):
    result = run(mail_app, "ann@example.com", "--name", "Ann Example", "--appointment",
                 f"{TOMORROW} 14:30", "--therapist", "Kim")
    assert result.exit_code == 0, result.output
    assert f"Invited Ann Example for {TOMORROW:%A} {TOMORROW.day}" in result.output
    assert "Their link: https://forms.riverside.example/start/" in result.output
    assert "outbox send" in result.output
    [invitation] = invitations(mail_app)
    assert (invitation.appointment_time, invitation.therapist) == (time(14, 30), "Kim")
    assert invitation.created_by_id is None
    again = run(mail_app, "ann@example.com", "--name", "Ann Example", "--appointment",
                f"{TOMORROW} 14:30")
    assert again.exit_code == 0 and "already invited" in again.output
    assert len(invitations(mail_app)) == 1


@pytest.mark.parametrize("args, message", [
    (["ann@example", "--name", "Ann", "--appointment", f"{TOMORROW} 14:30"],
     "EMAIL: Enter the email address in the correct format, like name@example.com"),
    (["ann@example.com", "--name", "Ann", "--appointment", "14:30"],
     "--appointment: Enter the appointment date as well as the time"),
    (["ann@example.com", "--name", "Ann", "--appointment", f"{TOMORROW}"],
     "--appointment: Enter the appointment time, for example 14:30"),
    (["ann@example.com", "--name", "Ann", "--appointment", f"{YESTERDAY} 10:00"],
     "--appointment: The appointment date is in the past"),
    (["ann@example.com", "--appointment", f"{TOMORROW} 10:00"],
     "--name: Enter the client's name"),
    ([], "EMAIL: Enter the client's email address (or a phone number)"),
])
def test_bad_input_names_the_option_and_stores_nothing(mail_app, args, message):
    result = run(mail_app, *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert invitations(mail_app) == []


def test_a_clean_csv_is_imported_and_its_emails_queued(mail_app, smtp, tmp_path):
    path = write(tmp_path, "\ufeff" + HEADER
                 + f"Ann Example,ann@example.com,,{TOMORROW},14:30,Kim,first visit\n"
                 + f'"Bo, Jr. Example",,07700 900982,{TOMORROW:%d/%m/%Y},9.15am,,\n'
                 + f"Cy Example,cy@example.com,+44 7700 900983,{TOMORROW},16:00,,\n")
    result = run(mail_app, "--csv", path)
    assert result.exit_code == 0, result.output
    assert "Imported 3 invitation(s)" in result.output and "2 email(s) queued" in result.output
    names = [(i.client_name, i.appointment_time, i.phone) for i in invitations(mail_app)]
    assert names == [("Ann Example", time(14, 30), None),
                     ("Bo, Jr. Example", time(9, 15), "07700 900982"),
                     ("Cy Example", time(16, 0), "+44 7700 900983")]
    assert deliver(mail_app) == {"sent": 2}
    again = run(mail_app, "--csv", path)  # yesterday's export loaded again, by mistake
    assert "Imported 0 invitation(s)" in again.output
    assert again.output.count("already invited for this appointment: skipped") == 3
    assert len(invitations(mail_app)) == 3


def test_every_bad_row_is_reported_with_its_line_and_column_and_nothing_is_imported(
        mail_app, tmp_path):
    rows = [f"Ann Example,ann@example.com,,{TOMORROW},14:30,,",
            f"Bad Email,bad@example,,{TOMORROW},14:30,,",
            f"Past Date,past@example.com,,{YESTERDAY},14:30,,",
            "No Date,nodate@example.com,,,14:30,,",
            f"=HYPERLINK(\"http://evil.example\"),f@example.com,,{TOMORROW},10:00,,",
            f"No Contact,,,{TOMORROW},10:00,,",
            f"Extra,e@example.com,,{TOMORROW},10:00,,,surplus",
            f"Ann Example,ann@example.com,,{TOMORROW},14:30,,",
            f"Note,n@example.com,,{TOMORROW},11:00,,@SUM(A1:A9)"]
    path = write(tmp_path, HEADER + "\n".join(rows) + "\n")
    result = run(mail_app, "--csv", path)
    assert result.exit_code == 2
    lines = [line.removeprefix(f"{path}: ") for line in result.output.splitlines()]
    assert lines == [
        "line 3, email: Enter the email address in the correct format, like name@example.com",
        "line 4, date: The appointment date is in the past: enter today's date or a later one",
        "line 5, date: Enter the appointment date as well as the time",
        "line 6, name: Remove the = at the start: a spreadsheet would run this as a formula",
        "line 7, email: Enter the client's email address (or a phone number), so the "
        "invitation can reach them",
        "line 8: has 8 values but the first line names 7 columns (a value with a comma in it "
        "needs quotes around it)",
        "line 9, name: the same client and appointment as line 2",
        "line 10, note: Remove the @ at the start: a spreadsheet would run this as a formula",
        "8 problem(s): nothing was imported. Correct them and import the file again.",
    ]
    assert invitations(mail_app) == [] and messages(mail_app) == []


def test_a_file_in_another_encoding_is_refused_naming_each_line(mail_app, tmp_path):
    text = HEADER + f"Zoë Müller,zoe@example.com,,{TOMORROW},10:00,,\n" \
        + f"Ann Example,ann@example.com,,{TOMORROW},11:00,,\n" \
        + f"José Núñez,jose@example.com,,{TOMORROW},12:00,,\n"
    result = run(mail_app, "--csv", write(tmp_path, text.encode("cp1252")))
    assert result.exit_code == 2
    assert "line 2: is not UTF-8 text (byte 0xEB;" in result.output
    assert "line 4: is not UTF-8 text (byte 0xE9;" in result.output
    assert "line 3" not in result.output
    assert 'save it from your spreadsheet as "CSV UTF-8"' in result.output
    utf16 = run(mail_app, "--csv", write(tmp_path, text.encode("utf-16"), "utf16.csv"))
    assert utf16.exit_code == 2 and "The file is UTF-16 text" in utf16.output
    assert invitations(mail_app) == []


@pytest.mark.parametrize("text, message", [
    ("", "line 1: The first line must name the columns"),
    ("email,date,time\n", "line 1: The file needs a name column"),
    ("name,date,time\n", "line 1: The file needs an email or phone column"),
    ("name,email\n", "line 1: The file needs the appointment's date and time columns"),
    ("name,email,email,date,time\n", "line 1, email: is a second column for email"),
    (f'name,email,date,time\n"Ann,ann@example.com,{TOMORROW},10:00\n',
     "cannot be read as CSV"),
])
def test_a_file_that_is_not_a_bookings_csv_says_what_it_needs(mail_app, tmp_path, text,
                                                              message):
    result = run(mail_app, "--csv", write(tmp_path, text))
    assert result.exit_code == 2
    assert message in result.output
    assert "nothing was imported" in result.output and "Traceback" not in result.output


def test_semicolons_one_appointment_column_and_other_columns(mail_app, tmp_path):
    path = write(tmp_path, "Client Name;E-mail;Appointment;Price\n"
                           f"Ann Example;ann@example.com;{TOMORROW} 14:30;45.00\n")
    result = run(mail_app, "--csv", path)
    assert result.exit_code == 0, result.output
    assert "Columns not used: Price." in result.output
    assert invitations(mail_app)[0].appointment_time == time(14, 30)
    bad = write(tmp_path, f"name;email;appointment\nBo;bo@example.com;{TOMORROW}\n", "b.csv")
    assert "line 2, appointment: Enter the appointment time" in run(mail_app, "--csv", bad).output


def test_ten_thousand_rows_are_imported_in_one_go(mail_app, tmp_path):
    rows = [f"Client {n},client{n}@example.com,,{TOMORROW},{8 + n % 10}:{n % 60:02d},,"
            for n in range(10_000)]
    path = write(tmp_path, HEADER + "\n".join(rows) + "\n")
    started = clock.perf_counter()
    result = run(mail_app, "--csv", path)
    took = clock.perf_counter() - started
    assert result.exit_code == 0, result.output[-2000:]
    assert "Imported 10,000 invitation(s)" in result.output
    assert len(invitations(mail_app)) == 10_000 and len(messages(mail_app)) == 10_000
    print(f"10,000-row CSV imported in {took:.1f} s")  # a figure, not an assertion


def test_a_file_too_big_or_with_too_many_rows_is_refused(mail_app, tmp_path):
    big = tmp_path / "big.csv"
    with big.open("wb") as stream:
        stream.truncate(MAX_BYTES + 1)
    result = run(mail_app, "--csv", str(big))
    assert result.exit_code == 2 and "the file is over 10 MB" in result.output
    many = write(tmp_path, HEADER + f"A,a@example.com,,{TOMORROW},10:00,,\n" * (MAX_ROWS + 1),
                 "many.csv")
    result = run(mail_app, "--csv", many)
    assert result.exit_code == 2 and f"more than {MAX_ROWS:,} rows" in result.output
    missing = run(mail_app, "--csv", str(tmp_path / "nowhere.csv"))
    assert missing.exit_code == 2 and "cannot read the file" in missing.output
    assert invitations(mail_app) == []


def test_outbox_commands_send_and_list(app_with, tmp_path):
    from tests.invitations.conftest import free_port, mail_settings

    app = app_with(**mail_settings(free_port(), tmp_path))
    run(app, "ann@example.com", "--name", "Ann", "--appointment", f"{TOMORROW} 10:00")
    sent = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert sent.exit_code == 0
    assert "0 sent, 1 to try again later" in sent.output
    listed = app.test_cli_runner().invoke(args=["outbox", "list"])
    assert "1 email(s) waiting to be sent; 1 not delivered:" in listed.output
    assert "Invitation to ann@example.com, pending, 1 tries: Could not reach" in listed.output
