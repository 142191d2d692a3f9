"""Reading rule-book YAML strictly, and collecting problems that name file and field."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


class YamlLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """SafeLoader where `yes`, `no`, `on` and `off` stay text, and duplicate keys are errors.

    Clinic owners write `is: yes`; YAML 1.1 would read that as a boolean. It parses with
    libyaml when PyYAML has it (ten times faster: the rule book loads at every start).
    """

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node):
        """An impossible date (2026-13-01) stays text, so the field that holds it is named."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


YamlLoader.add_constructor("tag:yaml.org,2002:timestamp", YamlLoader.construct_yaml_timestamp)


YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
YamlLoader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL, list("tTfF"))


class Problems:
    """Every problem found while loading, each as 'file: where: message'."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, file: str, where: str, message: str) -> None:
        self.items.append(f"{file}: {where}: {message}")


def check_keys(data: dict, allowed: set[str], required: set[str], problems: Problems,
               file: str, where: str) -> bool:
    """Report unknown and missing fields; True when every required field is there."""
    for key in sorted(set(map(str, data)) - allowed):
        problems.add(file, where, f"unknown field {key!r} (expected: {', '.join(sorted(allowed))})")
    missing = sorted(required - set(data))
    for key in missing:
        problems.add(file, where, f"missing field {key!r}")
    return not missing


def check_mapping(data: Any, allowed: set[str], required: set[str], problems: Problems,
                  file: str, where: str) -> bool:
    """Like check_keys, but first report an entry that is not a mapping at all."""
    if not isinstance(data, dict):
        problems.add(file, where, f"expected a mapping with fields {', '.join(sorted(required))}"
                     f", not {data!r}")
        return False
    return check_keys(data, allowed, required, problems, file, where)


def text_field(data: dict, key: str, problems: Problems, file: str, where: str,
               required: bool = True) -> str:
    """A non-empty text field (or '' when optional and absent)."""
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        if key in data or required:
            problems.add(file, f"{where}, field '{key}'", "expected some text")
        return ""
    return value.strip()


def check_id(value: Any, problems: Problems, file: str, where: str) -> bool:
    if isinstance(value, str) and _ID.match(value):
        return True
    problems.add(file, where, f"{value!r} is not an id (lower-case letters, digits and _, "
                 "starting with a letter)")
    return False


def check_date(value: Any, problems: Problems, file: str, where: str) -> None:
    if value is None or isinstance(value, date):
        return
    try:
        date.fromisoformat(str(value))
    except ValueError:
        problems.add(file, where, f"{value!r} is not a date (write it as YYYY-MM-DD)")


def flag(data: dict, key: str, problems: Problems, file: str, where: str) -> bool:
    """A true/false field (false when absent)."""
    value = data.get(key, False)
    if not isinstance(value, bool):
        problems.add(file, f"{where}, field '{key}'", f"expected true or false, not {value!r}")
        return False
    return value


def read_yaml(file: Path, problems: Problems) -> Any:
    """The mapping a rule-book file holds, or None with the reason recorded."""
    try:
        with file.open(encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=YamlLoader)  # nosec B506 - a SafeLoader subclass
    except FileNotFoundError:
        problems.add(str(file), "file", "not found")
        return None
    except (yaml.YAMLError, UnicodeDecodeError, ValueError) as error:
        problems.add(str(file), "file", f"is not valid YAML: {error}")
        return None
    if not isinstance(data, dict):
        problems.add(str(file), "file", "must hold a mapping of fields")
        return None
    return data
