"""Page weight: the questionnaire and everything it loads, as sent to a browser, and any
reference to another host."""

from __future__ import annotations

import gzip
import html.parser
import re
from urllib.parse import urljoin, urlsplit

from screening.rulebook import Rulebook

from .gunicorn_server import Gunicorn
from .http_client import Response, fetch
from .load_runs import ACCEPT_ENCODING

#: Attributes that make a browser fetch something, by tag.
_FETCHING = {"link": ("href",), "script": ("src",), "img": ("src", "srcset"),
             "iframe": ("src",), "source": ("src", "srcset"), "video": ("src", "poster"),
             "audio": ("src",), "embed": ("src",), "object": ("data",), "form": ("action",),
             "button": ("formaction",), "input": ("src", "formaction")}


_LINK_RELS = {"stylesheet", "icon", "preload", "modulepreload", "manifest", "prefetch",
              "apple-touch-icon"}


class _Assets(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.fetched: list[tuple[str, str]] = []  # (tag, url)
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if tag == "link" and not set((attributes.get("rel") or "").lower().split()) & _LINK_RELS:
            return  # rel=canonical and the like load nothing
        for name in _FETCHING.get(tag, ()):
            value = attributes.get(name)
            if value:
                self.fetched.append((tag, value.split()[0] if name == "srcset" else value))


def _other_host(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.netloc) or parts.scheme not in ("", "data")


def _gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def page_weight(server: Gunicorn, rulebook: Rulebook) -> dict:
    """Bytes of the questionnaire with everything it loads, as sent to a browser that accepts
    gzip ("sent") and uncompressed ("raw"), and anything from another host."""
    browser = {"Accept-Encoding": ACCEPT_ENCODING}
    page = fetch(server.url("/questionnaire"), headers=browser)
    html_bytes = _decoded(page)
    parser = _Assets()
    parser.feed(html_bytes.decode())
    files = [{"url": "/questionnaire", "type": "html", "raw": len(html_bytes),
              "sent": len(page.body), "gzip": _gzip_size(html_bytes)}]
    other_hosts = [url for _tag, url in parser.fetched if _other_host(url)]
    for tag, url in parser.fetched:
        if tag in ("form", "button", "input") or _other_host(url):
            continue  # a form's target is not loaded with the page
        asset = fetch(urljoin(server.url("/questionnaire"), url), headers=browser)
        body = _decoded(asset)
        files.append({"url": url, "type": tag, "status": asset.status, "raw": len(body),
                      "sent": len(asset.body), "gzip": _gzip_size(body)})
        if tag == "link" and url.endswith(".css"):
            for ref in re.findall(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""",
                                  body.decode()):
                if _other_host(ref):
                    other_hosts.append(ref)
    body_fieldsets = _body_location_bytes(html_bytes.decode(), rulebook)
    return {
        "files": files,
        "raw_bytes": sum(item["raw"] for item in files),
        "sent_bytes": sum(item["sent"] for item in files),
        "gzip_bytes": sum(item["gzip"] for item in files),
        "html_raw_bytes": len(html_bytes), "html_sent_bytes": len(page.body),
        "html_gzip_bytes": _gzip_size(html_bytes),
        "body_location_groups": body_fieldsets["groups"],
        "body_location_groups_with_checkboxes": body_fieldsets["with_checkboxes"],
        "body_location_raw_bytes": body_fieldsets["bytes"],
        "body_location_shared_list_bytes": body_fieldsets["shared_bytes"],
        "body_map_bytes": body_fieldsets["map_bytes"],
        "other_hosts": other_hosts,
        "external_links": [url for url in parser.links if _other_host(url)],
        "served_compressed": "gzip" in (page.headers.get("Content-Encoding") or ""),
        "content_security_policy": page.headers.get("Content-Security-Policy"),
    }


def _decoded(response: Response) -> bytes:
    if "gzip" in (response.headers.get("Content-Encoding") or ""):
        return gzip.decompress(response.body)
    return response.body


def _body_location_bytes(page: str, rulebook: Rulebook) -> dict:
    """How much of the page the body-area questions take: their fieldsets (with their
    checkboxes, or empty when filled in from a shared list), any shared <template> of the
    list, and the body map's figures (one <template>, with the pattern it draws picks in)."""
    names = {qid for qid, question in rulebook.questions.items()
             if question.type == "body_location"}
    region = rulebook.regions[0].id if rulebook.regions else None
    groups = full = size = 0
    for block in re.findall(r"<fieldset\b.*?</fieldset>", page, flags=re.S):
        named = set(re.findall(r'\b(?:data-)?name="([^"]+)"', block)) & names
        if named:
            groups += 1
            full += 'type="checkbox"' in block
            size += len(block.encode())
    shared = sum(len(block.encode()) for block in re.findall(r"<template\b.*?</template>", page,
                                                             flags=re.S)
                 if region and f'value="{region}"' in block)
    body_map = sum(len(block.encode()) for block in re.findall(
        r'<template id="body-map">.*?</template>\s*<svg class="body-map__defs".*?</svg>', page,
        flags=re.S))
    return {"groups": groups, "with_checkboxes": full, "bytes": size, "shared_bytes": shared,
            "map_bytes": body_map}
