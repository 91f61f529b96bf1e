// Tells the server this browser's time zone (a cookie read by quizapp.i18n.select_timezone),
// so that times are shown in the reader's own zone from the next page on.  Without script,
// or until then, pages use the configured zone; either way each time names its zone.
(function () {
  "use strict";
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone || !/^[A-Za-z0-9_+\-\/]{1,64}$/.test(zone)) { return; }
  var current = document.cookie.match(/(?:^|;\s*)tz=([^;]*)/);
  if (current && current[1] === zone) { return; }
  document.cookie = "tz=" + zone + "; path=/; max-age=31536000; SameSite=Lax";
}());
