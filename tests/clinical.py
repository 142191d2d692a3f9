"""The clinical cases of tests/clinical_cases/*.yaml, read in one place for every test.

Each file holds `cases:`, each with a `name`, the `on` date to screen on, the `answers`
(keyed by question id, encoded as in shared/clinical/README.md) and what to `expect`: the
`outcome`, the `urgent` flag, and optionally the exact set of `rules` that give findings.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from screening.rulebook.yamlio import YamlLoader

CASES_DIR = Path(__file__).parent / "clinical_cases"


@cache
def clinical_cases() -> tuple[tuple[str, dict[str, Any]], ...]:
    """(file stem, case) for every case, files in name order."""
    cases = []
    for file in sorted(CASES_DIR.glob("*.yaml")):
        data = yaml.load(file.read_text(encoding="utf-8"), Loader=YamlLoader)  # noqa: S506
        cases.extend((file.stem, case) for case in data["cases"])
    return tuple(cases)


#: Every case as a pytest parameter named "file: case name".
CASES = [pytest.param(case, id=f"{stem}: {case['name']}") for stem, case in clinical_cases()]
