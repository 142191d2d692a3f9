"""A throwaway PostgreSQL cluster for the benchmarks, made as .ci/with-postgres makes one.

initdb in a temporary folder, trusting local connections, on a free port of 127.0.0.1;
as root, run as the `postgres` user. Unlike the test suite's cluster it keeps fsync and
synchronous commits on by default (a clinic's server would), so a commit waits for the
disk as SQLite's synchronous=FULL does. Stopped and removed on leaving the `with`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from .gunicorn_server import child_pids


def bindir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda path: int(path.parent.parent.name)
                   if path.parent.parent.name.isdigit() else 0)
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class Cluster:
    """`with Cluster() as cluster: cluster.url` is a SQLAlchemy URL to its postgres database."""

    def __init__(self, durable: bool = True, settings: dict[str, str] | None = None):
        self.durable, self.settings = durable, settings or {}
        self.bin = bindir()
        if self.bin is None:
            raise RuntimeError("PostgreSQL is not installed (apt-get install -y postgresql)")

    def __enter__(self) -> Cluster:
        self.folder = Path(tempfile.mkdtemp(prefix="screening-bench-pg."))
        self.as_owner = []
        if os.getuid() == 0:  # initdb refuses to run as root
            shutil.chown(self.folder, "postgres", "postgres")
            self.as_owner = ["runuser", "-u", "postgres", "--"]
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        data = self.folder / "data"
        self._run("initdb", "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync")
        options = [f"-p {self.port}", f"-k {self.folder}", "-c listen_addresses=127.0.0.1",
                   "-c max_connections=100"]
        if not self.durable:
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        options += [f"-c {name}={value}" for name, value in self.settings.items()]
        self._run("pg_ctl", "-D", str(data), "-l", str(self.folder / "server.log"), "-w",
                  "-o", " ".join(options), "start")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self.libpq_url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.folder / "data"), "-w", "stop", "-m", "fast")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def pids(self) -> list[int]:
        """The postmaster and the processes it has started (backends and helpers)."""
        pid = int((self.folder / "data" / "postmaster.pid").read_text().split()[0])
        return [pid, *child_pids(pid)]

    def version(self) -> str:
        done = subprocess.run([str(self.bin / "postgres"), "--version"], capture_output=True,
                              text=True)
        return done.stdout.strip()

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run([*self.as_owner, str(self.bin / program), *args],
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed: {done.stdout}{done.stderr}")
