// The family index filter: hides the rows of #families whose text (family id, sizes,
// relations, member ids) does not contain what is typed, case-insensitively, and opens a
// family's section when a link to it is followed. Reads text, sets `hidden` and `open`: it
// never writes markup. Without it the page works the same, with the filter box hidden.
(function () {
  "use strict";
  var box = document.getElementById("filter");
  var table = document.getElementById("families");
  if (!box || !table) return;
  var rows = table.tBodies[0].rows;
  var count = document.getElementById("shown");
  var keys = [];
  for (var i = 0; i < rows.length; i++) {
    keys.push((rows[i].textContent + " " + (rows[i].getAttribute("data-ids") || "")).toLowerCase());
  }
  function apply() {
    var q = box.value.trim().toLowerCase();
    var n = 0;
    for (var i = 0; i < rows.length; i++) {
      var show = !q || keys[i].indexOf(q) >= 0;
      rows[i].hidden = !show;
      if (show) n++;
    }
    count.textContent = n + " of " + rows.length + " families";
  }
  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) return;
    for (var el = target; el; el = el.parentElement) {
      if (el.tagName === "DETAILS") el.open = true;
    }
    target.scrollIntoView();
  }
  box.parentElement.hidden = false;
  box.addEventListener("input", apply);
  window.addEventListener("hashchange", reveal);
  document.addEventListener("DOMContentLoaded", reveal);
  apply();
})();
