"""What the web tests share: answers for each outcome, signing in, reading pages and the trail."""

import re
import shutil
import subprocess
from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from screening.database import db
from screening.models import AuditEvent
from tests.browser.harness import in_ci
from tests.factories import sign_in  # noqa: F401 - the web tests import it from here

TODAY = date.today()
SCRIPT = "<script>alert('x')</script>"
URGENT_VEINS = {"varicose_veins": "yes", "vv_location": ["left_calf"],
                "vv_severity": "large_raised", "vv_symptoms_now": "yes", "vv_clot_history": "no"}
HEART = {"heart_condition": "yes", "breathless_lying": "no", "heart_device": "no"}
#: Check with doctor first, urgent (chest pain in the last month, none today).
URGENT_CHECK = {**HEART, "chest_pain_recent": "yes", "chest_pain_now": "no"}
#: Check with doctor first, not urgent (a heart procedure a month ago).
CHECK = {**HEART, "chest_pain_recent": "no",
         "heart_last_event": (TODAY - timedelta(days=30)).isoformat()}
CAUTION = {"osteoporosis": "yes", "recent_fracture": "no", "spine_changes": "no",
           "long_term_steroids": "no"}
POSTPONE = {"infectious_skin_condition": "yes", "skin_what": "impetigo", "skin_where": ["face"],
            "skin_covered_small": "no", "skin_unwell": "no"}


def page(response):
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def events(app, action=None):
    with app.app_context():
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        return db.session.scalars(query).all()


def queue_names(client, query=""):
    soup = page(client.get(f"/review/{query}"))
    return [row.th.get_text(strip=True) for row in soup.select("table.queue tbody tr")]


def first_page_pixels(pdf: bytes, resolution: int) -> tuple[int, bytes]:
    """The PDF's first page drawn by poppler (pdftoppm, as a PDF viewer would) at
    `resolution` dots per inch: its width and its RGB bytes. A skip without pdftoppm, with
    how to install it; in CI a failure."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        hint = "drawing PDFs needs poppler's pdftoppm: apt-get install -y poppler-utils"
        if in_ci():
            pytest.fail(f"CI=true: a failure, not a skip. {hint}", pytrace=False)
        pytest.skip(hint)
    image = subprocess.run([tool, "-r", str(resolution), "-f", "1", "-l", "1", "-"],
                           input=pdf, capture_output=True, check=True).stdout
    width, height = map(int, re.match(rb"P6\s+(\d+)\s+(\d+)\s+255\s", image).groups())
    return width, image[len(image) - width * height * 3:]
