"""The email with the link to a client's saved answers (from the open questionnaire): the
clinic's name, the link and how long it works; nothing they answered. In the language of
the page they saved on (kept with the message when it was queued)."""

from __future__ import annotations

from flask_babel import gettext as _

from ..languages import in_language, long_day
from ..mail import Composed, NotNeeded, composer, render
from .drafts import kept_until, link_url, still_kept


@composer("draft")
def draft_email(message) -> Composed:
    draft = message.draft
    if draft is None or not still_kept(draft):
        raise NotNeeded(_("The saved answers were sent, or are no longer kept."))
    with in_language(message.language):
        text, html = render("draft", link=link_url(draft), until=long_day(kept_until(draft)))
        return Composed(_("Your saved answers: the link to carry on"), text, html)
