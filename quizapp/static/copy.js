// A "Copy" button for a value shown once (a new API token).  Without script the button stays
// hidden and the value is plain selectable text in a read-only field.
(function () {
  "use strict";
  var buttons = document.querySelectorAll("button[data-copy]");
  Array.prototype.forEach.call(buttons, function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("data-copy") + "-copied");
    if (!field) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      function done() { if (status) { status.textContent = button.getAttribute("data-copied"); } }
      field.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
    });
  });
}());
