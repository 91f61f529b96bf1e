"""Live games in the browser (docs/live.md): the host's settings, lobby and game screen, the
QR code, joining and rejoining, the player's screen, the host's history, the CSV, and
"practise my mistakes".  The pages are shells: what happens during a game arrives over
Socket.IO (``quizapp.live_socket``; static/live_host.js and live_player.js draw it)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from quizapp import classes, practice
from quizapp.context import current_clock
from quizapp.extensions import db, limiter
from quizapp.forms import NAME_MESSAGES
from quizapp.i18n import current_locale
from quizapp.live import after, games, rules
from quizapp.live_pages.forms import HostForm, JoinForm, RejoinForm, SignedInJoinForm
from quizapp.live_socket import cookie_name, read_player_cookie, sign_player
from quizapp.models import Quiz
from quizapp.models.live import LiveGame
from quizapp.rate_limits import configured

bp = Blueprint("live", __name__)

COOKIE_AGE = 12 * 3600  # a school day: the cookie outlives any game


def _refusal(code: str, detail: object = None) -> str:
    """What a player is told when a join is refused (each of docs/live.md's codes)."""
    if code == "nickname" and detail in NAME_MESSAGES:
        return str(NAME_MESSAGES[detail])  # type: ignore[index]
    return {
        "no_game": _("There is no open game with this code. Check the code on the host's screen."),
        "locked": _("The host has locked this room: nobody new can join."),
        "full": _("This room is full."),
        "taken": _("This nickname is taken in this game, or looks too much like one that is. Choose another."),
        "removed": _("The host has removed you from this game."),
        "no_player": _("No player of this game has that rejoin code."),
    }.get(code, _("You cannot join this game."))


def _hosted_or_404(game_id: int) -> LiveGame:
    game = db.session.get(LiveGame, game_id)
    if game is None or game.host_id != current_user.id:
        abort(404)  # another host's game is "not found": ids reveal nothing
    return game


@bp.route("/live/new/<key>", methods=["GET", "POST"])
@login_required
def new(key: str):
    quiz = db.session.scalar(select(Quiz).where(Quiz.key == key, Quiz.is_retired.is_(False)))
    if quiz is None:
        abort(404)
    count = len(games.tile_plan(db.session, quiz, 0))
    form = HostForm()
    _class_choices(form)
    while len(form.multipliers) < count:
        form.multipliers.append_entry("1")
    if count == 0:
        flash(_("This quiz has no questions that can be played live."), "error")
        return redirect(url_for("main.home"))
    if form.validate_on_submit():  # each select refuses a value it does not offer
        settings = rules.Settings(
            seconds=int(form.seconds.data) or None, scoring=form.scoring.data, streak_bonus=form.streak.data,
            multipliers=tuple(int(entry.data) for entry in form.multipliers[:count]),
            show_question=form.show_question.data, auto_advance_s=int(form.auto_advance.data) or None,
            max_players=form.max_players.data)
        chosen = form.school_class.data if "school_class" in form else ""
        game = games.create_game(db.session, current_user, quiz, settings, current_clock(),
                                 class_id=int(chosen) if chosen else None)
        db.session.commit()
        return redirect(url_for("live.host", game_id=game.id), code=303)
    return render_template("live/new.html", form=form, quiz=quiz, count=count), 400 if form.errors else 200


def _class_choices(form: HostForm) -> None:
    """A teacher may name one of their own open classes as the one playing (its reports then
    show the game); the select refuses any other value.  Anyone else has no such field."""
    if not current_user.is_teacher:
        del form.school_class
        return
    form.school_class.choices = [SelectChoice("", _("No class"))] + [
        SelectChoice(str(c.id), c.name) for c in classes.classes_of_teacher(db.session, current_user)
        if not c.is_archived]


@bp.get("/live/<int(max=2147483647):game_id>/host")
@login_required
def host(game_id: int):
    game = _hosted_or_404(game_id)
    join_url = url_for("live.join_code", code=game.code, _external=True)
    return render_template("live/host.html", game=game, join_url=join_url)


@bp.get("/live/<int(max=2147483647):game_id>/qr.svg")
@login_required
def qr(game_id: int):
    import io

    import segno
    game = _hosted_or_404(game_id)
    code = segno.make(url_for("live.join_code", code=game.code, _external=True), error="m")
    svg = io.BytesIO()
    code.save(svg, kind="svg", scale=8, border=2, title=_("Join link"))
    return Response(svg.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=3600"})


@bp.route("/join", methods=["GET", "POST"])
@limiter.limit(configured("LIVE_JOIN_LIMIT"), methods=["POST"])
def join():
    signed_in = current_user.is_authenticated
    form = SignedInJoinForm() if signed_in else JoinForm()
    error = None
    if form.validate_on_submit():
        try:
            player, token = games.join(db.session, form.code.data, "" if signed_in else form.nickname.data,
                                       current_user if signed_in else None, current_clock(), current_locale())
        except games.Refused as refused:
            db.session.rollback()
            error = _refusal(refused.code, refused.detail)
        else:
            db.session.commit()
            return _to_play(player.game_id, player.id, token)
    elif request.method == "GET":
        form.code.data = request.args.get("code", "")[:6]
    status = 400 if request.method == "POST" else 200
    return render_template("live/join.html", form=form, error=error, signed_in=signed_in), status


@bp.get("/join/<code>")
def join_code(code: str):
    return redirect(url_for("live.join", code=code[:6]))


@bp.route("/join/rejoin", methods=["GET", "POST"])
@limiter.limit(configured("LIVE_JOIN_LIMIT"), methods=["POST"])
def rejoin():
    form = RejoinForm()
    error = None
    if form.validate_on_submit():
        try:
            player, token = games.rejoin(db.session, form.code.data, form.rejoin_code.data)
        except games.Refused as refused:
            db.session.rollback()
            error = _refusal(refused.code)
        else:
            player.locale = current_locale()
            db.session.commit()
            return _to_play(player.game_id, player.id, token)
    return render_template("live/rejoin.html", form=form, error=error), 400 if request.method == "POST" else 200


def _to_play(game_id: int, player_id: int, token: str):
    response = redirect(url_for("live.play", game_id=game_id), code=303)
    response.set_cookie(cookie_name(game_id), sign_player(player_id, token), max_age=COOKIE_AGE, httponly=True,
                        samesite="Lax", secure=request.is_secure)
    return response


@bp.get("/live/play/<int(max=2147483647):game_id>")
def play(game_id: int):
    found = read_player_cookie(game_id)
    player = games.player_by_token(db.session, game_id, *found) if found else None
    if player is None or player.removed:
        flash(_("Join the game with its room code first."), "error")
        return redirect(url_for("live.join"))
    return render_template("live/play.html", game=player.game, player=player)


@bp.get("/live/history")
@login_required
def history():
    return render_template("live/history.html", games=after.hosted_games(db.session, current_user.id))


@bp.get("/live/<int(max=2147483647):game_id>/results")
@login_required
def results(game_id: int):
    game = _hosted_or_404(game_id)
    return render_template("live/results.html", game=game, table=after.results(db.session, game, current_locale()))


@bp.get("/live/<int(max=2147483647):game_id>/results.csv")
@login_required
def results_csv(game_id: int):
    game = _hosted_or_404(game_id)
    table = after.results(db.session, game, current_locale())
    return Response(after.results_csv(table), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="live-{game.id}-{game.code}.csv"'})


@bp.get("/live/play/<int(max=2147483647):game_id>/mistakes")
def mistakes(game_id: int):
    """The end screen's list of what the player missed, with the right answers (fetched by
    live_player.js once the game is over; before that, nothing)."""
    found = read_player_cookie(game_id)
    player = games.player_by_token(db.session, game_id, *found) if found else None
    if player is None or player.game.finished_dt is None:
        abort(404)
    return render_template("live/_mistakes.html", game=player.game, player=player,
                           items=after.mistake_items(db.session, player.game, player, current_locale()))


@bp.post("/live/play/<int(max=2147483647):game_id>/practise")
@login_required  # practice runs are a signed-in player's, as everywhere else
def practise(game_id: int):
    """ "Practise my mistakes": a signed-in player's untimed run of what they missed."""
    found = read_player_cookie(game_id)
    player = games.player_by_token(db.session, game_id, *found) if found else None
    if player is None or not current_user.is_authenticated or player.user_id != current_user.id:
        abort(404)
    try:
        attempt = practice.start_questions(db.session, current_user, after.mistakes(db.session, player.game, player),
                                           current_clock().now())
    except practice.NothingToReview:
        db.session.rollback()
        flash(_("There are no mistakes to practise."), "success")
        return redirect(url_for("live.play", game_id=game_id))
    db.session.commit()
    return redirect(url_for("play.question", attempt_id=attempt.id))
