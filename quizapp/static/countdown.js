// The countdown is a view of the server's deadline: it shows the time left until the
// deadline the server fixed, corrected for the difference between this computer's
// clock and the server's, announces thresholds politely, and submits at zero.  A second
// value with data-until (the whole quiz, beside a question's own limit) counts down too.
// On a page without an answer form (the feedback page) it only counts: the quiz's clock
// runs while the player reads, and nothing is sent at zero.
(function () {
  "use strict";
  var timer = document.getElementById("timer");
  var form = document.getElementById("answer-form");
  if (!timer) { return; }
  document.documentElement.classList.add("js");
  var deadline = Date.parse(timer.getAttribute("data-deadline"));
  var skew = Date.parse(timer.getAttribute("data-server-now")) - Date.now();
  var value = timer.querySelector(".timer-value");
  var others = timer.querySelectorAll("[data-until]");
  var announce = document.getElementById("timer-announce");
  var warnings = [[60, timer.getAttribute("data-warn-60")], [10, timer.getAttribute("data-warn-10")]];
  var startLeft = secondsLeft();
  var sent = false;

  function secondsLeft() {
    return Math.max(0, Math.ceil((deadline - (Date.now() + skew)) / 1000));
  }
  function show(element, seconds) {
    var h = Math.floor(seconds / 3600), m = Math.floor(seconds / 60) % 60, s = seconds % 60;
    element.textContent = (h ? h + ":" + (m < 10 ? "0" : "") : "") + m + ":" + (s < 10 ? "0" : "") + s;
  }
  function tick() {
    var left = secondsLeft();
    show(value, left);
    for (var j = 0; j < others.length; j++) {
      var until = Date.parse(others[j].getAttribute("data-until"));
      show(others[j], Math.max(0, Math.ceil((until - (Date.now() + skew)) / 1000)));
    }
    for (var i = 0; i < warnings.length; i++) {
      var limit = warnings[i][0];
      if (left <= limit && startLeft > limit && !warnings[i].done) {
        warnings[i].done = true;
        announce.textContent = warnings[i][1];
        timer.classList.toggle("urgent", limit <= 10);
      }
    }
    if (left <= 0 && !form) {
      announce.textContent = timer.getAttribute("data-expired");
      return;
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
  if (form) { form.addEventListener("submit", function () { sent = true; }); }
  tick();
}());
