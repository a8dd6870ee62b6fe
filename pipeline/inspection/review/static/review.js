/* nianbao review site: filtering and sorting the index, in plain JS (no library, no network). */
(function () {
  "use strict";
  var table = document.getElementById("docs");
  if (!table) { return; }
  var body = table.tBodies[0];
  var controls = Array.prototype.slice.call(document.querySelectorAll("#filters [data-key]"));
  var shown = document.getElementById("shown");

  function matches(row) {
    return controls.every(function (control) {
      var want = control.value.trim();
      if (!want) { return true; }
      var key = control.getAttribute("data-key");
      var have = row.getAttribute("data-" + key) || "";
      if (key === "agency") { return have.toLowerCase().indexOf(want.toLowerCase()) >= 0; }
      if (key === "region") { return have === want || have.indexOf(want + "/") === 0; }
      if (key === "failed") {
        var rules = have ? have.split(" ") : [];
        if (want === "none") { return rules.length === 0; }
        if (want === "some") { return rules.length > 0; }
        return rules.indexOf(want) >= 0;
      }
      if (key === "findings") {
        var codes = have ? have.split(" ") : [];
        if (want === "none") { return codes.length === 0; }
        if (want === "some") { return codes.length > 0; }
        if (want === "errors") { return row.getAttribute("data-finding-errors") === "1"; }
        return codes.indexOf(want) >= 0;
      }
      return have === want;
    });
  }

  function apply() {
    var count = 0;
    Array.prototype.forEach.call(body.rows, function (row) {
      var ok = matches(row);
      row.hidden = !ok;
      if (ok) { count += 1; }
    });
    shown.textContent = String(count);
    var state = {};
    controls.forEach(function (c) { if (c.value) { state[c.getAttribute("data-key")] = c.value; } });
    var hash = new URLSearchParams(state).toString();
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", hash ? "#" + hash : window.location.pathname);
    }
  }

  function restore() {
    var params = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    controls.forEach(function (c) {
      var v = params.get(c.getAttribute("data-key"));
      if (v !== null) { c.value = v; }
    });
  }

  function cellValue(row, index, numeric) {
    var cell = row.cells[index];
    var raw = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
    if (numeric) { var n = parseFloat(raw); return isNaN(n) ? -Infinity : n; }
    return raw;
  }

  function sortBy(th) {
    var index = th.cellIndex;
    var numeric = th.getAttribute("data-type") === "num";
    var asc = !th.classList.contains("asc");
    Array.prototype.forEach.call(th.parentNode.cells, function (h) { h.classList.remove("asc", "desc"); });
    th.classList.add(asc ? "asc" : "desc");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, index, numeric), y = cellValue(b, index, numeric);
      var r = numeric ? x - y : String(x).localeCompare(String(y), "zh-CN");
      return asc ? r : -r;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  controls.forEach(function (c) { c.addEventListener(c.tagName === "INPUT" ? "input" : "change", apply); });
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
    th.addEventListener("click", function () { sortBy(th); });
  });
  document.getElementById("f-reset").addEventListener("click", function () {
    controls.forEach(function (c) { c.value = ""; });
    apply();
  });
  restore();
  apply();
})();
