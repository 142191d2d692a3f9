"""Named parameters (`parameters.yaml`): the thresholds a clinic may change, the openfisca way.

Each parameter has a `value` and its `unit`, a `description`, the `source` of the number and
the date it was last `reviewed`. A rule's test uses one by name in place of the number
(`{q: surgery_date, older_than: minor_surgery_healing}`), and any text of the rule book says
it as `{minor_surgery_healing}` ("6 weeks"), so changing one value changes the rule and the
sentences that state it together. The loader reports unknown, unsuitable and unused names.
This module imports no Flask.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from babel.core import UnknownLocaleError
from babel.units import format_unit

from .yamlio import Problems, check_date, check_id, check_mapping, text_field

KEYS = {"description", "value", "unit", "source", "reviewed"}
DURATION_UNITS = frozenset({"day", "days", "week", "weeks", "month", "months"})
#: `{name}` in a text: a parameter, said as its value and unit.
REFERENCE = re.compile(r"\{([a-z][a-z0-9_]*)\}")
_READING = re.compile(r"^\d{2,3}/\d{2,3}$")
#: The rule-book keys whose values are predicate trees, not wording.
TREES = frozenset({"when", "ask_when"})


@dataclass(frozen=True)
class Parameter:
    name: str
    value: int | float | str
    unit: str
    description: str
    source: str
    reviewed: date | str
    #: The language its text is said in (a translated rule book's parameters say theirs).
    language: str = "en"

    @property
    def text(self) -> str:
        """How a sentence says it: '6 weeks', '1 day', '160/100 mmHg'; in another language a
        duration in CLDR's words for it (Babel: '6 semanas', '1 día'), other units as
        written (mmHg is mmHg everywhere)."""
        if self.language != "en" and self.unit in DURATION_UNITS and _whole(self.value):
            try:
                return format_unit(self.value, f"duration-{self.unit.removesuffix('s')}",
                                   length="long", locale=self.language)
            except (UnknownLocaleError, ValueError):
                pass  # a language CLDR does not know: said in English, as written
        value = f"{self.value:g}" if isinstance(self.value, int | float) else self.value
        unit = self.unit[:-1] if self.value == 1 and self.unit.endswith("s") else self.unit
        return f"{value} {unit}"

    def operand(self, kind: str) -> Any:
        """The value as a test of `kind` takes it ('duration', 'number' or 'reading'), or
        ValueError saying why it cannot be."""
        if kind == "duration":
            if self.unit not in DURATION_UNITS or not _whole(self.value):
                raise ValueError(f"parameter '{self.name}' ({self.text}) is not a whole number "
                                 "of days, weeks or months")
            return f"{self.value} {self.unit}"
        if kind == "number" and not _number(self.value):
            raise ValueError(f"parameter '{self.name}' ({self.text}) is not a number")
        if kind == "reading" and not (isinstance(self.value, str)
                                      and _READING.match(self.value)):
            raise ValueError(f"parameter '{self.name}' ({self.text}) is not a reading like "
                             "160/100")
        return self.value


def load_parameters(data: Any, problems: Problems, file: str) -> dict[str, Parameter]:
    """The parameters of a parsed `parameters.yaml` (None when the rule book has none)."""
    if data is None:
        return {}
    parameters: dict[str, Parameter] = {}
    for name, item in data.items():
        where = f"parameter '{name}'"
        if not check_id(name, problems, file, where) or not check_mapping(
                item, KEYS, KEYS, problems, file, where):
            continue
        value = item["value"]
        if not (_number(value) or isinstance(value, str) and value.strip()):
            problems.add(file, f"{where}, field 'value'", f"expected a number (or a reading "
                         f"such as 160/100), not {value!r}")
        check_date(item["reviewed"], problems, file, f"{where}, field 'reviewed'")
        parameters[name] = Parameter(
            name=name, value=value.strip() if isinstance(value, str) else value,
            unit=text_field(item, "unit", problems, file, where),
            description=text_field(item, "description", problems, file, where),
            source=text_field(item, "source", problems, file, where), reviewed=item["reviewed"])
    return parameters


def fill_wording(data: Any, parameters: Mapping[str, Parameter], used: set[str],
                 problems: Problems, file: str, item: str = "", path: str = "") -> Any:
    """`data` (a parsed rule-book file) with each `{name}` in its wording replaced by that
    parameter's text; the names found are added to `used`, unknown ones reported at `item`
    (e.g. "rule 'x'") and `path` (the field within it)."""
    if isinstance(data, str):
        if "{" not in data:  # most text names no parameter
            return data
        return REFERENCE.sub(lambda match: _said(
            match.group(1), parameters, used, problems, file,
            ", ".join(part for part in (item, path and f"field '{path}'") if part)), data)
    if isinstance(data, list):  # a list of entries with ids: each named by its id
        key = path.rsplit(".", 1)[-1]
        return [fill_wording(entry, parameters, used, problems, file,
                             *_entry(item, path, key, index, entry))
                for index, entry in enumerate(data)]
    if isinstance(data, dict):
        return {key: value if key in TREES else fill_wording(
                    value, parameters, used, problems, file, item,
                    f"{path}.{key}" if path else str(key))
                for key, value in data.items()}
    return data


def _entry(item: str, path: str, key: str, index: int, entry: Any) -> tuple[str, str]:
    """(item, path) of a list entry: "question 'surgery_date'" for the entries of `questions`
    that have ids, as the loader names them; else the path with its index."""
    if isinstance(entry, dict) and isinstance(entry.get("id"), str) and key.endswith("s"):
        return ", ".join(part for part in (item, f"{key[:-1]} '{entry['id']}'") if part), ""
    return item, f"{path}[{index}]"


def _said(name: str, parameters: Mapping[str, Parameter], used: set[str], problems: Problems,
          file: str, where: str) -> str:
    if name not in parameters:
        problems.add(file, where, f"unknown parameter {{{name}}} (parameters.yaml has: "
                     f"{', '.join(sorted(parameters)) or 'none'})")
        return f"{{{name}}}"
    used.add(name)
    return parameters[name].text


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
