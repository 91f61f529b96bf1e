// Keys 1 to 9 choose the first to ninth answer tile of a choice question: a radio button is
// chosen, a checkbox ticked or unticked.  Only a help: every answer is a labelled input that
// works without this script.  Never while typing in a field (a text answer, a select) or with a
// modifier held, so browser and screen reader shortcuts keep working.
(function () {
  "use strict";
  var form = document.getElementById("answer-form");
  if (!form) { return; }
  var inputs = form.querySelectorAll(".choice input");
  if (!inputs.length) { return; }
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.isComposing) { return; }
    var place = "123456789".indexOf(event.key);
    if (place < 0 || place >= inputs.length || event.key.length !== 1) { return; }
    var target = event.target;
    if (target && target.matches && target.matches("textarea, select, [contenteditable], input:not([type=radio]):not([type=checkbox])")) { return; }
    event.preventDefault();
    inputs[place].focus();
    inputs[place].click();  // checks a radio, toggles a checkbox, and fires change as a click would
  });
}());
