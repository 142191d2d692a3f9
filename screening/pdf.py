"""HTML to PDF with WeasyPrint, reading nothing but the app's own static files.

Imported only when a PDF is asked for: WeasyPrint takes about half a second to import.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlparse

from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# WeasyPrint warns about every screen-only CSS rule it skips; only errors are news here.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
MIME_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}


class StaticOnlyFetcher(URLFetcher):
    """Serve /static/... from the static folder; refuse every other URL (no network)."""

    def __init__(self, static_folder: str, static_url_path: str):
        super().__init__(fail_on_errors=True)
        self.static = Path(static_folder).resolve()
        self.prefix = static_url_path.rstrip("/") + "/"

    def fetch(self, url, headers=None):
        parsed = urlparse(url)
        if parsed.scheme in ("", "file") and parsed.path.startswith(self.prefix):
            target = (self.static / unquote(parsed.path[len(self.prefix):])).resolve()
            if self.static in target.parents and target.is_file():
                return URLFetcherResponse(url, body=target.read_bytes(), headers={
                    "Content-Type": MIME_TYPES.get(target.suffix, "application/octet-stream")})
        raise ValueError(f"a printed record may not load {url!r}")


def render(html: str, static_folder: str, static_url_path: str, paper: str = "A4") -> bytes:
    """The PDF of `html` on `paper` (a CSS page size: A4 or Letter)."""
    fetcher = StaticOnlyFetcher(static_folder, static_url_path)
    return HTML(string=html, base_url="/", url_fetcher=fetcher).write_pdf(
        stylesheets=[CSS(string=f"@page {{ size: {paper}; }}")])
