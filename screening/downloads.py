"""File downloads: responses the browser saves under a file name instead of showing them."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from flask import Response


def attachment(body: str | bytes | Iterable[str], media_type: str, filename: str) -> Response:
    """A download: the browser saves `body` (or what it yields, streamed) as `filename`
    instead of showing it."""
    response = Response(body, content_type=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def json_attachment(document: Any, media_type: str, filename: str) -> Response:
    """A JSON document as a download, indented and with its text unescaped, to be read."""
    return attachment(json.dumps(document, indent=2, ensure_ascii=False), media_type, filename)
