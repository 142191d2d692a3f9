"""Rule book load and validation time, and the app's start-up time in a fresh process."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from screening.rulebook import load_rulebook
from screening.rulebook.yamlio import YamlLoader

from .gunicorn_server import app_environment

ROOT = Path(__file__).resolve().parent.parent

#: Run in a fresh interpreter: import the package, build the app, serve the first page.
CHILD = """
import json, time
started = time.perf_counter()
from screening import create_app
imported = time.perf_counter()
app = create_app()
created = time.perf_counter()
response = app.test_client().get("/questionnaire")
assert response.status_code == 200, response.status_code
served = time.perf_counter()
print(json.dumps({"import_s": imported - started, "create_app_s": created - imported,
                  "first_page_s": served - created}))
"""


def _best(times: list[float]) -> dict:
    return {"best_s": min(times), "median_s": statistics.median(times), "runs": len(times)}


def rulebook(path: Path, repeats: int = 7) -> dict:
    """load_rulebook (read, parse, validate, compile); and how much of it is YAML parsing.

    The two measurements are interleaved, so a noisy moment hits them alike.
    """
    files = [path / "rulebook.yaml", *sorted((path / "conditions").glob("*.yaml"))]
    texts = [file.read_text(encoding="utf-8") for file in files]
    times: dict[str, list[float]] = {"load": [], "parse": []}
    for _ in range(repeats):
        started = time.perf_counter()
        loaded = load_rulebook(path)
        times["load"].append(time.perf_counter() - started)
        started = time.perf_counter()
        [yaml.load(text, Loader=YamlLoader) for text in texts]  # noqa: S506
        times["parse"].append(time.perf_counter() - started)
    result = {**_best(times["load"]), "files": len(files), "bytes": sum(map(len, texts)),
              "conditions": len(loaded.conditions), "questions": len(loaded.questions),
              "rules": len(loaded.rules), "yaml_parse": _best(times["parse"])}
    return result


def app_start(repeats: int = 3) -> dict:
    """`create_app()` in a fresh interpreter, as a gunicorn worker starts, plus its first page."""
    runs = []
    with tempfile.TemporaryDirectory(prefix="massage-screening-start-") as folder:
        env = app_environment(f"sqlite:///{folder}/unused.sqlite3")
        for _ in range(repeats):
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env,
                                  capture_output=True, text=True, check=True)
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            figures["process_s"] = time.perf_counter() - started
            runs.append(figures)
    keys = ("import_s", "create_app_s", "first_page_s", "process_s")
    return {key: statistics.median(run[key] for run in runs) for key in keys} | {
        "runs": repeats, "figure": "median"}
