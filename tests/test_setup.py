"""Setting up as the README says: its commands, `make run PORT=...`, and `flask run` without the
Makefile's settings. Each runs the real command in a subprocess, as a person would type it."""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from screening.models import Therapist

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent


def shell_blocks(text: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", text, flags=re.S)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The caller's environment without any SCREENING_ or FLASK_ setting, on a scratch
    database in tmp_path."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SCREENING_", "FLASK_"))}
    env["SCREENING_DATABASE_URL"] = f"sqlite:///{tmp_path / 'screening.sqlite3'}"
    return {**env, **extra}


def test_the_readme_install_line_works_in_a_root_shell_without_sudo():
    """A root shell or a minimal container has no sudo: the line must not need it."""
    lines = [line for block in shell_blocks(README) for line in block.splitlines()
             if "apt-get" in line]
    assert len(lines) >= 2  # the packages to install first, and wrk for `make bench`
    for line in lines:
        assert not line.lstrip().startswith("sudo") and " sudo " not in line, line
    first = lines[0]
    before = README.split(first)[0].rsplit("```sh", 1)[0].strip().rsplit("\n\n", 1)[-1]
    assert "as root" in before, before  # said in the paragraph just before it


def test_the_readme_installs_what_ci_installs():
    """.ci/run's package list (CI installs it) and the README's apt-get line agree."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    packages = re.search(r"^packages=\(([^)]*)\)", ci, re.M).group(1).split()
    assert "fonts-noto-color-emoji" in packages  # emoji in a client's name, in the PDFs
    block = next(block for block in shell_blocks(README) if "apt-get install" in block)
    listed = block.replace("\\\n", " ").split()
    assert [package for package in packages if package not in listed] == []


def test_make_run_serves_on_the_port_given(tmp_path):
    """`make run PORT=...`, as the README says, serves there (and says so)."""
    assert "`make run PORT=8080`" in README
    port = free_port()
    venv = Path(sys.prefix)
    command = ["make", "--no-print-directory", "-o", str(venv / ".installed-stamp"), "run",
               f"PORT={port}", f"VENV={venv}", f"KEY_FILE={tmp_path / 'secret_key'}"]
    server = subprocess.Popen(command, cwd=ROOT, env=environment(tmp_path),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              start_new_session=True)
    try:
        page = wait_for(f"http://127.0.0.1:{port}/", server)
        assert "Health questions before your massage" in page
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert f"Serving on http://127.0.0.1:{port} " in output
    assert f"http://127.0.0.1:{port}/review/sign-in" in output


def wait_for(url: str, server: subprocess.Popen, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server stopped:\n{server.stdout.read()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"nothing answered at {url} within {seconds} s")


def test_the_readme_script_line_adds_the_first_therapist_with_password_stdin(tmp_path):
    """The README's line for scripts, run as it is (with the password in the variable it
    names), makes an account that has that password."""
    [line] = [line for block in shell_blocks(README) for line in block.splitlines()
              if "--password-stdin" in line and "therapist add you@example.com" in line]
    env = environment(tmp_path, THERAPIST_PASSWORD="a long enough password")
    migrated = subprocess.run([str(BIN / "flask"), "--app", "screening", "db", "upgrade"],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert migrated.returncode == 0, migrated.stderr
    script = line.replace(".venv/bin/flask", shlex.quote(str(BIN / "flask")))
    added = subprocess.run(["bash", "-c", script], cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=60)
    assert added.returncode == 0, added.stderr
    assert "Added Your Name <you@example.com>" in added.stdout
    engine = create_engine(env["SCREENING_DATABASE_URL"])
    try:
        with engine.connect() as connection:
            [hashed] = connection.scalars(select(Therapist.password_hash).where(
                Therapist.email == "you@example.com")).all()
    finally:
        engine.dispose()
    from werkzeug.security import check_password_hash

    assert check_password_hash(hashed, "a long enough password")


def test_flask_run_without_a_secret_key_prints_only_what_to_do(tmp_path):
    """`flask run` without the Makefile's settings: the help, no traceback."""
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "screening", "run", "--port", str(free_port())],
        cwd=tmp_path, env=environment(tmp_path), capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert "massage-screening needs a secret key" in output
    assert 'export SCREENING_SECRET_KEY="$(python3 -c' in output
    assert len(output.strip().splitlines()) <= 6, output


def test_flask_run_with_a_wrong_setting_prints_only_the_problem(tmp_path):
    env = environment(tmp_path, SCREENING_SECRET_KEY="k3y-0123456789abcdef-0123456789",
                      SCREENING_CLINIC_EMAIL="not an address")
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "screening", "run", "--port", str(free_port())],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == ("Error: SCREENING_CLINIC_EMAIL='not an address' is not an "
                                     "email address: use one like hello@example.com")
