"""gunicorn serving an app on 127.0.0.1, for the benchmarks (bench/) and the load test
(tests/load/): started, waited for, measured and stopped the same way in both."""

from __future__ import annotations

import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def app_environment(database_url: str, secret_key: str | None = None) -> dict[str, str]:
    """This process's environment without its SCREENING_* and FLASK_* settings, plus the
    app's database, a secret key, and session cookies over plain HTTP (127.0.0.1)."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SCREENING_", "FLASK_"))}
    env.update(SCREENING_SECRET_KEY=secret_key or secrets.token_hex(32),
               SCREENING_DATABASE_URL=database_url, SCREENING_SESSION_COOKIE_SECURE="false")
    return env


class Gunicorn:
    """`gunicorn APP` with `workers` sync workers, on a port chosen by the kernel.

    The listening socket is opened here and handed to gunicorn (`--bind fd://N`), so no
    other process can take the port between choosing it and starting the server. With
    `access_log`, each worker writes there how long it spent on each request it served.

    The socket hands a connection to a worker only once its request has begun to arrive
    (TCP_DEFER_ACCEPT, as nginx's `listen ... deferred`). wrk reconnects as soon as a sync
    worker closes a connection and then waits for the request's time on the schedule; a
    sync worker that accepted that connection would sit idle on it meanwhile, and every
    other request would wait behind it. At 100 submissions a second to 2 workers (a third
    of their time busy), the p99 of POST /submit was 247 ms without the option and 21 ms
    with it, where the workers' own p99 was 11 and 16 ms.
    In front of the app a buffering proxy (nginx by default) sends a worker only whole
    requests, so it never sees that wait either.
    """

    def __init__(self, app_spec: str, env: dict[str, str], log: Path, workers: int,
                 options: Sequence[str] = (), access_log: Path | None = None):
        self.log, self.workers, self.access_log = log, workers, access_log
        listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        if hasattr(socket, "TCP_DEFER_ACCEPT"):  # Linux: see the class's docstring
            listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT, 1)
        self.port = listener.getsockname()[1]
        if access_log is not None:
            access_log.touch()
            options = [*options, "--access-logfile", str(access_log),
                       "--access-logformat", "%(D)s"]
        self.command = [sys.executable, "-m", "gunicorn", "--workers", str(workers),
                        "--worker-class", "sync", *options,
                        "--bind", f"fd://{listener.fileno()}", *_no_control_socket(), app_spec]
        with listener, log.open("wb") as output:
            self.process = subprocess.Popen(  # nosec B603 - our own command line
                self.command, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
                pass_fds=[listener.fileno()])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_until_serving(self, path: str = "/", timeout: float = 60) -> None:
        """Until `path` answers 200 and every worker has started."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n"
                                   + self.log_text())
            try:
                if _status(self.port, path) == 200 and len(self.worker_pids()) >= self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn not serving after {timeout:.0f} s:\n" + self.log_text())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_text(self) -> str:
        """The end of gunicorn's log."""
        return self.log.read_text(errors="replace")[-5000:]

    def access_log_size(self) -> int:
        return self.access_log.stat().st_size

    def worker_ms(self, since: int) -> list[float]:
        """The milliseconds each request logged after byte `since` of the access log took
        in its worker (gunicorn's %(D)s: from the request read to the response sent; not
        the time it waited for a free worker), in the order they finished."""
        with self.access_log.open("rb") as log:
            log.seek(since)
            return [int(line) / 1000 for line in log.read().split() if line.isdigit()]

    def worker_pids(self) -> list[int]:
        return child_pids(self.process.pid)

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the workers have used so far."""
        ticks = 0
        for pid in self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def memory(self) -> dict:
        """Peak (VmHWM) and current (VmRSS) resident memory of each worker, in MiB."""
        workers = []
        for pid in self.worker_pids():
            status = _proc_status(pid)
            if status:
                workers.append({"pid": pid, "peak_rss_mib": status.get("VmHWM", 0) / 1024,
                                "rss_mib": status.get("VmRSS", 0) / 1024})
        master = _proc_status(self.process.pid)
        return {"workers": workers,
                "peak_rss_mib_max": max((w["peak_rss_mib"] for w in workers), default=0),
                "master_rss_mib": master.get("VmRSS", 0) / 1024}


def child_pids(pid: int) -> list[int]:
    """The processes `pid` has started (none if it has gone), from /proc."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(child) for child in children]


def _no_control_socket() -> list[str]:
    """Newer gunicorns open a control socket at one path in $HOME; not needed here."""
    from gunicorn import config

    return ["--no-control-socket"] if hasattr(config, "ControlSocketDisable") else []


def _status(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _proc_status(pid: int) -> dict[str, int]:
    """The kB figures of /proc/PID/status."""
    values = {}
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return values
    for line in lines:
        key, _, rest = line.partition(":")
        if rest.strip().endswith("kB"):
            values[key] = int(rest.split()[0])
    return values
