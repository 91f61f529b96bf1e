// The countdown is a view of the server's deadline: it shows the time left until the
// deadline the server fixed, corrected for the difference between this computer's
// clock and the server's, announces thresholds politely, and submits at zero.
(function () {
  "use strict";
  var timer = document.getElementById("timer");
  var form = document.getElementById("answer-form");
  if (!timer || !form) { return; }
  document.documentElement.classList.add("js");
  var deadline = Date.parse(timer.getAttribute("data-deadline"));
  var skew = Date.parse(timer.getAttribute("data-server-now")) - Date.now();
  var value = timer.querySelector(".timer-value");
  var announce = document.getElementById("timer-announce");
  var warnings = [[60, timer.getAttribute("data-warn-60")], [10, timer.getAttribute("data-warn-10")]];
  var startLeft = secondsLeft();
  var sent = false;

  function secondsLeft() {
    return Math.max(0, Math.ceil((deadline - (Date.now() + skew)) / 1000));
  }
  function show(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60;
    value.textContent = m + ":" + (s < 10 ? "0" : "") + s;
  }
  function tick() {
    var left = secondsLeft();
    show(left);
    for (var i = 0; i < warnings.length; i++) {
      var limit = warnings[i][0];
      if (left <= limit && startLeft > limit && !warnings[i].done) {
        warnings[i].done = true;
        announce.textContent = warnings[i][1];
        timer.classList.toggle("urgent", limit <= 10);
      }
    }
    if (left <= 0 && !sent) {
      sent = true;
      announce.textContent = timer.getAttribute("data-expired");
      document.getElementById("timeout-flag").value = "1";
      form.submit();  // not requestSubmit: an unanswered question must still be sent
      return;
    }
    window.setTimeout(tick, 250);
  }
  form.addEventListener("submit", function () { sent = true; });
  tick();
}());
