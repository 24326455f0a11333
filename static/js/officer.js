/* Officer pages, enhanced (everything works without it): keyboard navigation of the inbox table (j/k or arrows move,
   Enter opens, x marks, / searches), "mark all", and a search box over long agency and officer pickers. */
(function () {
  "use strict";
  function fold(s) {
    return s.replace(/đ/g, "d").replace(/Đ/g, "D").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#inbox-table tbody tr")); }
  var current = -1;
  function move(to) {
    var list = rows();
    if (!list.length) return;
    current = Math.max(0, Math.min(list.length - 1, to));
    list.forEach(function (r, i) { r.classList.toggle("current", i === current); });
    var link = list[current].querySelector(".title-cell a");
    if (link) link.focus({preventScroll: false});
  }
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT")) return;
    if (!document.getElementById("inbox-table")) {
      if (e.key === "/") { var q0 = document.getElementById("q"); if (q0) { e.preventDefault(); q0.focus(); } }
      return;
    }
    var list = rows();
    if (current >= list.length) current = -1;
    if (e.key === "j" || e.key === "ArrowDown" && t.closest && t.closest("#inbox-table")) { e.preventDefault(); move(current + 1); }
    else if (e.key === "k" || e.key === "ArrowUp" && t.closest && t.closest("#inbox-table")) { e.preventDefault(); move(current - 1); }
    else if (e.key === "x" && current >= 0) { var box = list[current].querySelector("input[type=checkbox]"); if (box) box.checked = !box.checked; }
    else if (e.key === "Enter" && current >= 0 && t === document.body) { location.href = list[current].dataset.href; }
    else if (e.key === "/") {
      var q = document.getElementById("q");
      if (q) { e.preventDefault(); var d = q.closest("details"); if (d) d.open = true; q.focus(); }
    }
  });
  document.addEventListener("htmx:afterSwap", function () { current = -1; });

  /* A search box over a long <select data-filter="…"> (agency picker): keeps matching options and their groups. */
  function enhance(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("select[data-filter]"), function (select) {
      if (select.dataset.enhanced) return;
      select.dataset.enhanced = "1";
      var box = document.createElement("input");
      box.type = "search"; box.className = "select-filter"; box.autocomplete = "off";
      box.placeholder = select.dataset.filter;
      box.setAttribute("aria-label", select.dataset.filter);
      box.setAttribute("aria-controls", select.id);
      select.parentNode.insertBefore(box, select);
      var original = select.cloneNode(true);
      box.addEventListener("input", function () {
        var q = fold(box.value.trim()), value = select.value, copy = original.cloneNode(true);
        Array.prototype.forEach.call(copy.querySelectorAll("option"), function (o) {
          if (o.value && q && fold(o.text).indexOf(q) === -1 && o.value !== value) o.remove();
        });
        Array.prototype.forEach.call(copy.querySelectorAll("optgroup"), function (g) { if (!g.children.length) g.remove(); });
        select.innerHTML = copy.innerHTML;
        select.value = value;
        var opts = Array.prototype.filter.call(select.options, function (o) { return o.value; });
        if (q && opts.length === 1 && !value) select.value = opts[0].value;
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSwap", function (e) { enhance(e.target); });
})();
