// Live games in the browser (docs/live.md).  The server decides everything; this file only
// draws the state it is sent, counts down to the server's deadline, and sends taps.  One file
// for both sides: #live's data-role says "host" or "player".  No inline script (the CSP).
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root || typeof io === "undefined") { return; }
  var T = JSON.parse(document.getElementById("live-text").textContent);
  var role = root.getAttribute("data-role");
  var gameId = root.getAttribute("data-game");
  var $ = function (id) { return document.getElementById(id); };
  var announce = $("live-announce"), status = $("live-status");
  var state = null, deadline = null, timerHandle = null, chosen = [], sentFor = -1, tenSaid = false;
  var lastAnnounced = "";

  function fill(text, values) {
    return text.replace("999001", values[0]).replace("999002", values[1]).replace("999003", values[2])
      .replace("@@name@@", values[0]);
  }
  function say(text) {  // polite: a screen reader finishes what it is reading first
    if (text && text !== lastAnnounced) { lastAnnounced = text; announce.textContent = text; }
  }
  function show(panel) {
    ["live-lobby", "live-question", "live-podium"].forEach(function (id) { $(id).hidden = id !== panel; });
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  var socket = io("/live", {query: {game: gameId, role: role}, transports: ["websocket", "polling"]});
  socket.on("connect", function () { status.textContent = ""; });
  socket.on("disconnect", function () { status.textContent = T.reconnecting; });
  socket.on("connect_error", function (err) {
    if (err && (err.message === "not_player" || err.message === "removed")) { window.location.href = "/join"; }
    status.textContent = T.reconnecting;
  });
  socket.on("state", draw);
  var syncTimer = null;
  socket.on("changed", function (note) {  // hosts: something changed; ask for the whole state, at most 4 times a second
    if (role === "host" && note && state && note.state === state.state && note.state === "question") {
      $("live-answers").textContent = fill(T.answers_in, [note.answers, state.players.length]);
    }
    if (syncTimer) { return; }
    syncTimer = window.setTimeout(function () { syncTimer = null; socket.emit("sync", {}); }, 250);
  });
  socket.on("removed", function () { status.textContent = T.removed; say(T.removed); socket.disconnect(); });

  function countdown() {
    if (timerHandle) { window.clearTimeout(timerHandle); timerHandle = null; }
    var timer = $("live-timer");
    if (deadline === null) { timer.textContent = T.untimed; return; }
    var left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    timer.textContent = fill(T.seconds_left, [left]);
    if (left <= 10 && !tenSaid && left > 0) { tenSaid = true; say(T.ten_left); }
    if (left > 0) { timerHandle = window.setTimeout(countdown, 250); }
  }

  function drawQuestion(s) {
    var q = s.question;
    $("live-position").textContent = fill(T.question_of, [s.position + 1, s.count]);
    $("live-multiplier").textContent = q.multiplier === 1 ? "" : fill(T.points_mult, [q.multiplier]);
    $("live-question-text").textContent = q.text || "";
    $("live-question-text").hidden = !q.text;
    var revealed = s.state === "reveal" ? (s.reveal || {}) : null;
    var mine = revealed && revealed.mine ? revealed.mine.choice : null;
    var list = $("live-tiles");
    list.textContent = "";
    var answered = role === "player" && (s.answered || sentFor === s.position);
    q.tiles.forEach(function (tile) {
      var item = el("li", "tile tile-" + tile.colour);
      var shape = el("span", "shape shape-" + tile.shape);
      shape.setAttribute("aria-hidden", "true");
      var label = el("span", "tile-text", tile.text);
      var body;
      if (role === "player" && !revealed) {
        body = el("button", "tile-button");
        body.type = "button";
        body.setAttribute("aria-pressed", chosen.indexOf(tile.index) >= 0 ? "true" : "false");
        body.disabled = answered;
        body.addEventListener("click", function () { tap(tile.index, q.multiple); });
      } else {
        body = el("div", "tile-body");
      }
      body.appendChild(shape);
      body.appendChild(label);
      if (revealed) {
        var right = revealed.right.indexOf(tile.index) >= 0;
        item.classList.add(right ? "is-right" : "is-wrong");
        if (right) { body.appendChild(el("strong", "tile-mark", " ✓ " + T.right_answer)); }
        var count = revealed.spread[tile.index] || 0;
        var total = revealed.spread.reduce(function (a, b) { return a + b; }, 0) || 1;
        var bar = el("span", "bar");
        bar.setAttribute("aria-hidden", "true");
        // A class per 5 % (live.css): no style attribute, which the CSP would refuse.
        var fillBar = el("span", "bar-fill w" + (5 * Math.round(20 * count / total)));
        bar.appendChild(fillBar);
        body.appendChild(bar);
        body.appendChild(el("span", "bar-count", fill(T.chosen_by, [count])));
        if (mine && mine.indexOf(tile.index) >= 0) { item.classList.add("is-mine"); }
      }
      item.appendChild(body);
      list.appendChild(item);
    });
    if (role === "player") {
      $("live-hint").hidden = !q.multiple || !!revealed || answered;
      $("live-send-row").hidden = !q.multiple || !!revealed || answered;
      $("live-result").textContent = revealed ? "" : (answered ? T.sent : "");
    }
    $("live-reveal").hidden = !revealed;
    if (revealed) {
      var top = $("live-top");
      top.textContent = "";
      revealed.top.forEach(function (row) { top.appendChild(el("li", "", row.nickname + " — " + row.score)); });
    }
    deadline = (s.state === "question" && q.remaining_ms !== null) ? Date.now() + q.remaining_ms : null;
    if (s.state === "question") { countdown(); } else {
      if (timerHandle) { window.clearTimeout(timerHandle); timerHandle = null; }
      $("live-timer").textContent = "";
    }
  }

  function tap(index, multiple) {
    if (!state || state.state !== "question" || sentFor === state.position) { return; }
    if (multiple) {
      var at = chosen.indexOf(index);
      if (at >= 0) { chosen.splice(at, 1); } else { chosen.push(index); }
      drawQuestion(state);
      var again = document.querySelector('#live-tiles li:nth-child(' + (index + 1) + ') button');
      if (again) { again.focus(); }
      return;
    }
    chosen = [index];
    send();
  }

  function send() {
    if (!chosen.length || !state) { return; }
    var position = state.position;
    var choice = chosen.slice();
    sentFor = position;
    drawQuestion(state);
    say(T.sent);
    // Acknowledged only once the row is written; without an ack (a lost connection) the
    // same answer is sent again after reconnecting: the server keeps the first.
    socket.timeout(5000).emit("answer", {position: position, choice: choice}, function (err, ack) {
      if (err) { if (state && state.position === position && state.state === "question") { sentFor = -1; send(); } return; }
      if (ack && !ack.ok && ack.error !== "already_answered") {
        if (ack.error === "too_late") { $("live-result").textContent = T.too_late; return; }
        sentFor = -1;
        drawQuestion(state);
        $("live-result").textContent = T.error;
      }
    });
  }
  if ($("live-send")) { $("live-send").addEventListener("click", send); }

  function drawMe(s) {
    if (!s.me) { return; }
    $("live-score").textContent = fill(T.score, [s.me.score]);
    $("live-place").textContent = s.me.place ? fill(T.place, [s.me.place, s.players]) : "";
    $("live-streak").textContent = s.me.streak ? fill(T.streak, [s.me.streak]) : "";
  }

  function drawLobby(s) {
    var list = $("live-players");
    list.textContent = "";
    s.players.forEach(function (p) {
      var item = el("li", "", p.nickname + " ");
      var remove = el("button", "link-button", "×");
      remove.type = "button";
      remove.setAttribute("aria-label", fill(T.remove, [p.nickname]));
      remove.addEventListener("click", function () { socket.emit("remove", {player_id: p.id}, function () {}); });
      item.appendChild(remove);
      list.appendChild(item);
    });
    $("live-player-count").textContent = s.players.length;
    var lock = $("live-lock");
    lock.setAttribute("aria-pressed", s.locked ? "true" : "false");
    lock.textContent = s.locked ? T.unlock : T.lock;
    status.textContent = s.locked ? T.locked : "";
  }

  function draw(s) {
    var previous = state;
    var newQuestion = !previous || previous.position !== s.position || previous.state !== s.state;
    if (newQuestion && s.state === "question") { chosen = []; tenSaid = false; if (sentFor !== s.position) { sentFor = -1; } }
    state = s;
    if (role === "player") { drawMe(s); }
    if (s.state === "lobby") {
      show("live-lobby");
      if (role === "host") {
        drawLobby(s);
        if (previous && s.players.length > previous.players.length) {
          say(fill(T.joined, [s.players[s.players.length - 1].nickname]));
        }
      } else { say(T.lobby_wait); }
    } else if (s.state === "question" || s.state === "reveal") {
      show("live-question");
      drawQuestion(s);
      if (role === "host") {
        $("live-answers").textContent = s.state === "question" ? fill(T.answers_in, [s.answers, s.players.length]) : "";
        $("live-next").hidden = false;
      }
      if (s.state === "question" && newQuestion) { say(fill(T.question_starts, [s.position + 1])); }
      if (s.state === "reveal" && newQuestion) {
        if (role === "player") {
          var mine = s.reveal.mine;
          var line = !mine.answered ? T.not_answered : (mine.right ? T.right : T.wrong);
          line += " " + fill(T.points, [mine.points]) + " " + fill(T.place, [s.me.place, s.players]);
          $("live-result").textContent = line;
          say(line);
        } else { say(T.revealed); }
      }
    } else if (s.state === "podium") {
      show("live-podium");
      var list = $("live-podium-list");
      list.textContent = "";
      s.podium.top.forEach(function (row) { list.appendChild(el("li", "", row.nickname + " — " + row.score)); });
      if (role === "player") {
        var m = s.podium.mine;
        $("live-final").textContent = m.place ? fill(T.your_place, [m.place, m.of, m.score]) : "";
        loadMistakes();
      }
      $("live-end") && ($("live-end").hidden = true);
      if (newQuestion) { say(T.game_over); }
    }
  }

  var mistakesLoaded = false;
  function loadMistakes() {
    if (mistakesLoaded) { return; }
    mistakesLoaded = true;
    fetch(root.getAttribute("data-mistakes"), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) { $("live-mistakes").innerHTML = html; });  // our own server-rendered fragment
  }

  function command(name, data) {
    socket.emit(name, data || {}, function (ack) {
      if (ack && !ack.ok) { status.textContent = ack.error === "no_players" ? T.no_players : T.error; }
    });
  }
  if (role === "host") {
    $("live-start").addEventListener("click", function () { command("start"); });
    $("live-next").addEventListener("click", function () { command("next"); });
    $("live-end").addEventListener("click", function () { command("end"); });
    $("live-lock").addEventListener("click", function () { command("lock", {locked: !(state && state.locked)}); });
  }
}());
