/* Sorting and filtering for the model-risk HTML report. Progressive enhancement: without this script
   every row and finding is still shown. It reads the page and never anything else. */
(function () {
  "use strict";

  function compare(a, b) {
    var x = parseFloat(a), y = parseFloat(b);
    if (!isNaN(x) && !isNaN(y) && String(x) === a && String(y) === b) { return x - y; }
    return a.localeCompare(b, undefined, { sensitivity: "base", numeric: true });
  }

  function sortKey(row, column) {
    var cell = row.cells[column];
    if (!cell) { return ""; }
    return cell.getAttribute("data-sort") || cell.textContent.trim();
  }

  function makeSortable(table) {
    var headers = table.querySelectorAll("thead th");
    Array.prototype.forEach.call(headers, function (th, column) {
      var button = th.querySelector("button");
      if (!button) { return; }
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var order = compare(sortKey(a, column), sortKey(b, column));
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  function filterItems(items, text, flag, counter, noun) {
    var needle = text.trim().toLowerCase();
    var shown = 0;
    items.forEach(function (item) {
      var flags = " " + (item.getAttribute("data-flags") || "") + " ";
      var visible = (!needle || item.textContent.toLowerCase().indexOf(needle) !== -1) &&
        (!flag || flags.indexOf(" " + flag + " ") !== -1);
      item.hidden = !visible;
      if (visible) { shown += 1; }
    });
    if (counter) { counter.textContent = shown + " of " + items.length + " " + noun; }
  }

  function wireFilter(prefix, items, noun) {
    var search = document.getElementById(prefix + "-search");
    var menu = document.getElementById(prefix + "-flag");
    var counter = document.getElementById(prefix + "-shown");
    if (!search || !menu) { return; }
    var update = function () { filterItems(items, search.value, menu.value, counter, noun); };
    search.addEventListener("input", update);
    menu.addEventListener("change", update);
    update();
  }

  var table = document.getElementById("models-table");
  if (table) {
    makeSortable(table);
    wireFilter("models", Array.prototype.slice.call(table.tBodies[0].rows), "models");
  }
  wireFilter("findings", Array.prototype.slice.call(document.querySelectorAll("#active-findings .finding")),
    "findings");

  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) { d.open = true; });
  });
  document.documentElement.setAttribute("data-js", "ready");
}());
