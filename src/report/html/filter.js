// The page's script. (1) The family index filter: hides the rows of #families whose text
// (family id, sizes, relations, member ids) does not contain what is typed, case-insensitively.
// (2) Closed sections: the body of a closed section is kept as the raw text of a noscript
// element of class "lazy" (the page's own markup, every untrusted string in it escaped); when
// the section is opened, that text is parsed in an inert template element and put in its place.
// (3) A followed link opens the sections around its target, filling them first (a link into a
// family not yet filled is found by the block range in its data-b). The only markup it writes
// is the page's own, from those noscript texts. Without script the page works the same: the
// filter box stays hidden and a browser shows the noscript content as ordinary markup.
(function () {
  "use strict";
  function fill(details) {
    var kids = details.children;
    for (var i = 0; i < kids.length; i++) {
      var lazy = kids[i];
      if (lazy.tagName === "NOSCRIPT" && lazy.className === "lazy") {
        var t = document.createElement("template");
        t.innerHTML = lazy.textContent;
        lazy.replaceWith(t.content);
        details.removeAttribute("data-b");
        return;
      }
    }
  }
  document.addEventListener("toggle", function (e) {
    if (e.target.tagName === "DETAILS" && e.target.open) fill(e.target);
  }, true);
  function holder(id) {
    var m = /^b(\d+)(-|$)/.exec(id);
    if (!m) return null;
    var k = +m[1];
    var all = document.querySelectorAll("details[data-b]");
    for (var i = 0; i < all.length; i++) {
      var r = all[i].getAttribute("data-b").split(" ");
      if (k >= +r[0] && k <= +r[1]) return all[i];
    }
    return null;
  }
  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id) return;
    var target = document.getElementById(id);
    if (!target) {
      var h = holder(id);
      if (h) fill(h);
      target = document.getElementById(id);
    }
    if (!target) return;
    for (var el = target; el; el = el.parentElement) {
      if (el.tagName === "DETAILS") {
        fill(el);
        el.open = true;
      }
    }
    target.scrollIntoView();
  }
  window.addEventListener("hashchange", reveal);
  document.addEventListener("DOMContentLoaded", reveal);

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
  box.parentElement.hidden = false;
  box.addEventListener("input", apply);
  apply();
})();
