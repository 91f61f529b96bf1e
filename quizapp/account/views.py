"""The account page: how much time quizzes give you, and API tokens.

Every post ends in a redirect (post/redirect/get) to the page at the form it was about."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from quizapp.auth.login import signed_in_account
from quizapp import tokens
from quizapp.account.forms import ACCOMMODATIONS, AccommodationForm, RevokeForm, TokenForm
from quizapp.context import current_clock
from quizapp.extensions import db
from quizapp.forms import redirect_with_errors, refused_forgery, restore_errors

bp = Blueprint("account", __name__, url_prefix="/account")

MAX_ID = 2**31 - 1
# A token just made waits here for the GET that shows it once (post/redirect/get: a refresh
# never makes another); that GET removes it.
NEW_TOKEN = "new_token"


def _accommodation_form(submitted: bool = False) -> AccommodationForm:
    if submitted:
        return AccommodationForm(prefix="time")
    return restore_errors(AccommodationForm(prefix="time", formdata=None,
                                            time_accommodation=current_user.time_accommodation), "time")


def _token_form(submitted: bool = False) -> TokenForm:
    return TokenForm(prefix="token") if submitted else restore_errors(TokenForm(prefix="token", formdata=None), "token")


def _refused(form, name: str, anchor: str, keep: tuple[str, ...] = ()):
    if refused_forgery(form):
        abort(400)
    return redirect_with_errors(form, name, url_for("account.index", _anchor=anchor), keep)


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
    new_token = session.pop(NEW_TOKEN, None)
    return _page(_accommodation_form(), _token_form(), new_token=tuple(new_token) if new_token else None)


@bp.post("/time")
@login_required
def set_accommodation():
    form = _accommodation_form(submitted=True)
    if form.validate_on_submit() and form.time_accommodation.data in ACCOMMODATIONS:
        signed_in_account().time_accommodation = form.time_accommodation.data
        db.session.commit()
        label = ACCOMMODATIONS[form.time_accommodation.data][0]
        flash(_("Saved: %(choice)s. It applies to the quizzes you start from now on.", choice=label), "success@time")
        return redirect(url_for("account.index", _anchor="time-title"))
    return _refused(form, "time", "time-title")


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
            # Shown on the next page only: it is stored as a hash and cannot be shown again.
            session[NEW_TOKEN] = (record.name, token)
            return redirect(url_for("account.index", _anchor="new-token-title"))
    return _refused(form, "token", "create-token-title", keep=("name",))


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    RevokeForm().validate_on_submit()  # CSRF is checked for every POST; the form has no fields
    if token_id > MAX_ID or not tokens.revoke_token(db.session, current_user, token_id, current_clock().now()):
        db.session.rollback()
        abort(404)
    db.session.commit()
    flash(_("The token is revoked: it no longer works."), "success@tokens")
    return redirect(url_for("account.index", _anchor="tokens-title"))
