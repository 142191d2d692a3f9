"""Back and Reload after sending the form, in a real browser: no "Confirm Form Resubmission"
(Chromium's ERR_CACHE_MISS page for a form's answer it would have to send again), no form
sent again, and one screening stored, however the client moves about."""

from __future__ import annotations

from sqlalchemy import func, select

from screening.database import db
from screening.models import Screening
from tests.browser.client import OUTCOME_CASES

CHECK = "Check your answers before sending them"


def posts(page) -> list[str]:
    """Every form the page sends from now on (method and path), in order."""
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url.split("/", 3)[-1])
            if request.method == "POST" else None)
    return sent


def test_back_and_reload_after_sending_are_harmless(visitor):
    page = visitor.page
    visitor.to_check_page(OUTCOME_CASES["local"], client_name="Bea Back")
    check_url = page.url
    key = visitor.send()
    result_url = page.url
    sent = posts(page)

    for move in (page.reload, page.go_back, page.reload, page.go_forward, page.reload):
        response = move()
        assert response is not None and response.status == 200, move.__name__
    assert sent == []  # nothing was sent again to get there
    assert page.url == result_url
    assert visitor.outcome_title() == visitor.rulebook.outcomes["local"]["title"]

    page.go_back()
    assert page.url == check_url and visitor.h1() == CHECK
    assert "Left calf" in page.locator("main").inner_text()  # the answers, as they were
    visitor.send()  # sent again from there: the same result, nothing stored twice
    assert page.url == result_url
    assert sent == ["submit"]
    assert visitor.live.screening(key).client_name == "Bea Back"
    assert stored_for(visitor, "Bea Back") == 1


def test_reload_on_the_check_page_shows_it_again_without_sending_a_form(visitor):
    page = visitor.page
    visitor.to_check_page(OUTCOME_CASES["caution"], client_name="Rita Reload")
    sent = posts(page)
    assert page.reload().status == 200
    assert visitor.h1() == CHECK and sent == []
    assert "Rita Reload" in page.locator("main").inner_text()
    visitor.send()
    assert visitor.outcome_title() == visitor.rulebook.outcomes["caution"]["title"]
    assert stored_for(visitor, "Rita Reload") == 1


def stored_for(visitor, name: str) -> int:
    with visitor.live.app.app_context():
        return db.session.scalar(select(func.count()).select_from(Screening)
                                 .where(Screening.client_name == name))
