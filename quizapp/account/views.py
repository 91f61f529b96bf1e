"""The account page: how much time quizzes give you (WCAG 2.2.1), and API tokens."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from quizapp.auth.login import signed_in_account
from quizapp import tokens
from quizapp.account.forms import ACCOMMODATIONS, AccommodationForm, RevokeForm, TokenForm
from quizapp.context import current_clock
from quizapp.extensions import db

bp = Blueprint("account", __name__, url_prefix="/account")

MAX_ID = 2**31 - 1


def _accommodation_form(submitted: bool = False) -> AccommodationForm:
    if submitted:
        return AccommodationForm(prefix="time")
    return AccommodationForm(prefix="time", formdata=None, time_accommodation=current_user.time_accommodation)


def _token_form(submitted: bool = False) -> TokenForm:
    return TokenForm(prefix="token") if submitted else TokenForm(prefix="token", formdata=None)


def _page(accommodation_form: AccommodationForm, token_form: TokenForm, new_token: tuple[str, str] | None = None,
          status: int = 200):
    response = render_template(
        "account/index.html", accommodation_form=accommodation_form, token_form=token_form,
        accommodations=ACCOMMODATIONS, tokens=tokens.active_tokens(db.session, current_user),
        max_tokens=tokens.MAX_ACTIVE_TOKENS, revoke_form=RevokeForm(formdata=None), new_token=new_token)
    # The page may show a new token once: no cache may keep it.
    return response, status, {"Cache-Control": "no-store"}


@bp.get("/")
@login_required
def index():
    return _page(_accommodation_form(), _token_form())


@bp.post("/time")
@login_required
def set_accommodation():
    form = _accommodation_form(submitted=True)
    if form.validate_on_submit() and form.time_accommodation.data in ACCOMMODATIONS:
        signed_in_account().time_accommodation = form.time_accommodation.data
        db.session.commit()
        label = ACCOMMODATIONS[form.time_accommodation.data][0]
        flash(_("Saved: %(choice)s. It applies to the quizzes you start from now on.", choice=label), "success")
        return redirect(url_for("account.index"))
    return _page(form, _token_form(), status=400)


@bp.post("/tokens")
@login_required
def create_token():
    form = _token_form(submitted=True)
    if form.validate_on_submit():
        try:
            record, token = tokens.create_token(db.session, current_user, form.name.data, current_clock().now())
        except tokens.TooManyTokens:
            db.session.rollback()
            form.name.errors.append(_("You have %(max)d tokens already. Revoke one you no longer use first.",
                                      max=tokens.MAX_ACTIVE_TOKENS))
        else:
            db.session.commit()
            # Shown on this response only: it is stored as a hash and cannot be shown again.
            return _page(_accommodation_form(), _token_form(), new_token=(record.name, token))
    return _page(_accommodation_form(), form, status=400)


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    RevokeForm().validate_on_submit()  # CSRF is checked for every POST; the form has no fields
    if token_id > MAX_ID or not tokens.revoke_token(db.session, current_user, token_id, current_clock().now()):
        db.session.rollback()
        abort(404)
    db.session.commit()
    flash(_("The token is revoked: it no longer works."), "success")
    return redirect(url_for("account.index"))
