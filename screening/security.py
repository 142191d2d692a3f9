"""CSRF for every form, no files in any form, and the headers every response carries."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_wtf.csrf import CSRFProtect

from .errors import FileNotAccepted

csrf = CSRFProtect()

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    app.before_request(_refuse_files)
    app.after_request(_headers)


def _refuse_files() -> None:
    """No form here takes a file. A multipart post with a file part (in place of a text
    field, say) would hand WTForms a FileStorage where text belongs: refuse it, once, here."""
    if request.files:
        raise FileNotAccepted()


def _headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint not in ("static", "favicon"):
        # Health answers must not linger in browser or proxy caches.
        headers["Cache-Control"] = "no-store"
    return response
