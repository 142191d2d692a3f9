"""The tokens of private links and session cookies: 256 bits in URL-safe base64 (43
characters), random or derived from a key and the app's secret key, and stored only as a
SHA-256 hash, so a copy of the database opens nothing."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from base64 import urlsafe_b64encode

_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def new_token() -> str:
    """256 random bits."""
    return secrets.token_urlsafe(32)


def derived_token(secret_key: str, purpose: str, key: str) -> str:
    """256 bits derived from `key` and the app's secret key, for one `purpose` ("result",
    "invitation"): the same key gives the same token, so a link can be rebuilt."""
    digest = hmac.new(secret_key.encode(), f"{purpose}:{key}".encode(), hashlib.sha256)
    return urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(token: str) -> bool:
    """Whether `token` has the form every token here has (checked before any lookup)."""
    return _TOKEN.fullmatch(token) is not None
