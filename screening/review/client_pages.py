"""The review area's client records: finding one, one record with its screenings and
invitations, merging two records of one person, and undoing a merge."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user
from sqlalchemy import select

from .. import clients
from ..audit import record
from ..database import db
from ..models import Client
from . import FORM_PAGES, bp

FORM_PAGES.update({
    "review.merge_client": ("review.client",
                            lazy_gettext("Nothing was merged. Sign in, then try again.")),
    "review.unmerge_client": ("review.client",
                              lazy_gettext("Nothing was unmerged. Sign in, then try again.")),
})


@bp.get("/clients")
def client_list():
    """Records found by name (each word anywhere in it) or email; the newest first."""
    query = request.args.get("q", "").strip()[:100]
    found = clients.suggestions(query, query if "@" in query else None) if query else \
        list(db.session.scalars(select(Client).where(Client.merged_into_id.is_(None))
                                .order_by(Client.id.desc()).limit(25)))
    return render_template("review/clients.html", query=query, found=found,
                           last={item.id: clients.last_screening(item) for item in found})


@bp.get("/clients/<int:client_id>")
def client(client_id: int):
    item = db.get_or_404(Client, client_id)
    query = request.args.get("q", "").strip()[:100]
    group = set(clients.group_ids(clients.root(item)))
    found = clients.suggestions(query, query if "@" in query else None) if query else \
        clients.suggestions(item.name, item.email)
    candidates = [other for other in found if other.id not in group] \
        if item.merged_into_id is None else []
    record("view_client", therapist=current_user, detail=f"client {item.id}", commit=True)
    return render_template(
        "review/client.html", client=item, whole=clients.root(item), query=query,
        screenings=clients.screenings_of(clients.root(item)),
        invitations=clients.invitations_of(clients.root(item)),
        merged=clients.merged_records(item), candidates=candidates,
        last={other.id: clients.last_screening(other) for other in candidates})


@bp.post("/clients/<int:client_id>/merge")
def merge_client(client_id: int):
    """Merge another record (`other`, posted) into this one: it becomes part of it."""
    target = db.get_or_404(Client, client_id)
    source = clients.record(request.form.get("other", type=int))
    if source is None:
        abort(404)
    try:
        clients.merge(source, target)
    except ValueError as error:
        flash(_("Nothing was merged: %(why)s.", why=error))
    else:
        record("merge_clients", therapist=current_user,
               detail=f"client {source.id} into client {clients.root(target).id}")
        db.session.commit()
        flash(_("Client %(number)s (%(name)s) is merged into this record: their screenings "
                "show here together. To undo it, unmerge it below.", number=source.id,
                name=source.name))
    return redirect(url_for("review.client", client_id=clients.root(target).id), code=303)


@bp.post("/clients/<int:client_id>/unmerge")
def unmerge_client(client_id: int):
    """Undo the merge of this record: it stands alone again, with its own screenings."""
    item = db.get_or_404(Client, client_id)
    try:
        was = clients.unmerge(item)
    except ValueError as error:
        flash(_("Nothing was unmerged: %(why)s.", why=error))
        return redirect(url_for("review.client", client_id=item.id), code=303)
    record("unmerge_clients", therapist=current_user,
           detail=f"client {item.id} out of client {was.id}")
    db.session.commit()
    flash(_("Client %(number)s (%(name)s) is a record of its own again, with its own "
            "screenings and invitations.", number=item.id, name=item.name))
    return redirect(url_for("review.client", client_id=was.id), code=303)
