"""`flask therapist ...`: managing accounts from the command line, and how the audit shows it."""

import pytest

from tests.factories import add_therapist
from tests.web.helpers import events, page, sign_in


def test_therapist_cli_add_list_reset_disable(app):
    runner = app.test_cli_runner()
    added = runner.invoke(args=["therapist", "add", "Kim@Example.com", "--name", "Kim Lee"],
                          input="correct horse battery\ncorrect horse battery\n")
    assert added.exit_code == 0, added.output
    assert "correct horse" not in added.output
    listed = runner.invoke(args=["therapist", "list"])
    assert "kim@example.com\tKim Lee\tactive" in listed.output
    reset = runner.invoke(args=["therapist", "reset-password", "kim@example.com",
                                "--password-stdin"], input="a brand new passphrase\n")
    assert reset.exit_code == 0
    client = app.test_client()
    assert sign_in(client, password="correct horse battery").status_code == 200
    assert sign_in(client, password="a brand new passphrase").status_code == 302
    assert runner.invoke(args=["therapist", "disable", "kim@example.com"]).exit_code == 0
    assert "disabled" in runner.invoke(args=["therapist", "list"]).output
    actions = [event.action for event in events(app) if event.action.startswith(
        ("account", "password"))]
    assert actions == ["account_added", "password_reset", "account_disabled"]


def test_account_changes_are_shown_as_made_from_the_command_line(app, signed_in):
    runner = app.test_cli_runner()
    add_therapist(app, "ann@example.com", "Ann Ray", "another long password")
    assert runner.invoke(args=["therapist", "reset-password", "ann@example.com",
                               "--password-stdin"], input="a brand new passphrase\n").exit_code == 0
    assert runner.invoke(args=["therapist", "disable", "ann@example.com"]).exit_code == 0
    rows = [[cell.get_text(" ", strip=True) for cell in row.select("td")[1:]]
            for row in page(signed_in.get("/review/audit")).select("table.queue tbody tr")]
    assert rows[:3] == [
        ["Account disabled (ann@example.com)", "command line", "", "command line"],
        ["Password reset (ann@example.com)", "command line", "", "command line"],
        ["Account added (ann@example.com, name: Ann Ray)", "command line", "", "command line"]]
    assert all(event.therapist_id is None for event in events(app)
               if event.action.startswith(("account", "password")))


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (["add", "kim@example.com", "--name", "Again", "--password-stdin"],
     "another long password\n", "already exists"),
    (["add", "not-an-email", "--name", "X", "--password-stdin"], "long enough password\n",
     "is not an email address"),
    (["add", "new@example.com", "--name", "New", "--password-stdin"], "short\n",
     "at least 12 characters"),
    (["reset-password", "nobody@example.com", "--password-stdin"], "long enough password\n",
     "no therapist account for nobody@example.com"),
    (["disable", "nobody@example.com"], "", "no therapist account"),
])
def test_therapist_cli_errors(app, therapist, args, stdin, message):
    result = app.test_cli_runner().invoke(args=["therapist", *args], input=stdin)
    assert result.exit_code == 2
    assert message in result.output


def test_mismatched_passwords_are_asked_again_and_nothing_is_stored(app):
    result = app.test_cli_runner().invoke(
        args=["therapist", "add", "kim@example.com", "--name", "Kim"],
        input="correct horse battery\ncorrect horse batteries\n")
    assert result.exit_code != 0
    assert "do not match" in result.output
    listed = app.test_cli_runner().invoke(args=["therapist", "list"])
    assert "No therapist accounts yet" in listed.output
