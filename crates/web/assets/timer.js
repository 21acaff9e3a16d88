// A contact timer: counts while the staff member talks with the patient and fills in the
// minutes field (rounded up) when stopped. Without script the minutes are typed by hand.
(function () {
  "use strict";
  var box = document.querySelector(".timer");
  if (!box) { return; }
  var field = document.getElementById(box.getAttribute("data-target"));
  var out = document.getElementById("timer-out");
  var button = document.getElementById("timer-toggle");
  if (!field || !out || !button) { return; }
  box.hidden = false;
  var started = null, handle = null;
  function elapsed() { return Math.floor((Date.now() - started) / 1000); }
  function show(s) { out.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0"); }
  button.addEventListener("click", function () {
    if (started === null) {
      started = Date.now();
      handle = setInterval(function () { show(elapsed()); }, 1000);
      button.textContent = "Stop timer";
    } else {
      clearInterval(handle);
      var s = elapsed();
      show(s);
      field.value = String(Math.max(1, Math.ceil(s / 60)));
      started = null;
      button.textContent = "Start timer";
      field.focus();
    }
  });
})();
