/* Sorting, filtering, paging and expanding rows for the model-risk HTML report. Progressive enhancement:
   without this script every row and finding is shown (a <noscript> style undoes the collapsing). It
   reads the page and never anything else. A report of thousands of models stays fast because only one
   page of rows is laid out at a time; the rest carry the "paged" class (display: none). */
(function () {
  "use strict";

  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };

  function compare(a, b) {
    var x = parseFloat(a), y = parseFloat(b);
    if (!isNaN(x) && !isNaN(y) && String(x) === a && String(y) === b) { return x - y; }
    return a.localeCompare(b, undefined, { sensitivity: "base", numeric: true });
  }

  /* A list of items (table bodies or list items) shown a page at a time after filtering. */
  function Pager(items, size, counter, noun, controls) {
    this.items = items;
    this.size = size;
    this.limit = size;
    this.counter = counter;
    this.noun = noun;
    this.controls = controls;
  }
  Pager.prototype.matching = function () {
    return this.items.filter(function (item) { return !item.hidden; });
  };
  Pager.prototype.render = function () {
    var shown = 0, limit = this.limit;
    var matching = this.matching();
    matching.forEach(function (item, i) {
      item.classList.toggle("paged", i >= limit);
      if (i < limit) { shown += 1; }
    });
    if (this.counter) {
      this.counter.textContent = (matching.length < this.items.length ? matching.length + " of " : "") +
        this.items.length + " " + this.noun + (shown < matching.length ? ", showing " + shown : "");
    }
    if (this.controls) {
      var rest = matching.length - shown;
      this.controls.hidden = rest <= 0;
      this.controls.textContent = "";
      if (rest > 0) {
        var pager = this;
        var more = document.createElement("button");
        more.type = "button";
        more.textContent = "Show " + Math.min(rest, this.size) + " more";
        more.addEventListener("click", function () { pager.limit += pager.size; pager.render(); });
        var all = document.createElement("button");
        all.type = "button";
        all.textContent = "Show all " + matching.length;
        all.addEventListener("click", function () { pager.limit = Infinity; pager.render(); });
        var note = document.createElement("span");
        note.textContent = "Showing " + shown + " of " + matching.length + " " + this.noun;
        this.controls.appendChild(note);
        this.controls.appendChild(more);
        this.controls.appendChild(all);
      }
    }
  };
  Pager.prototype.reveal = function (item) {
    var index = this.matching().indexOf(item);
    if (index < 0) { item.hidden = false; index = this.matching().indexOf(item); }
    if (index >= this.limit) { this.limit = index + 1; }
    this.render();
  };

  function flagged(item, needle, flag) {
    /* A finding carries its own flags only where they differ from its rule's list. */
    var flags = " " + (item.getAttribute("data-flags") || item.parentNode.getAttribute("data-flags") || "") + " ";
    return (!needle || item.textContent.toLowerCase().indexOf(needle) !== -1) &&
      (!flag || flags.indexOf(" " + flag + " ") !== -1);
  }

  /* ---- the models table ---- */
  var table = document.getElementById("models-table");
  var models = null;
  if (table) {
    var bodies = Array.prototype.slice.call(table.tBodies);
    models = new Pager(bodies, parseInt(table.getAttribute("data-page"), 10) || 50,
      document.getElementById("models-shown"), "models", document.getElementById("models-pager"));

    /* Each row gets its expand button here: without the script the details are shown already. */
    bodies.forEach(function (body) {
      var main = body.rows[0], detail = body.rows[1];
      if (!detail) { return; }
      detail.id = main.id + "-detail";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "expand";
      button.title = "Details";
      button.setAttribute("aria-expanded", "false");
      button.setAttribute("aria-controls", detail.id);
      button.addEventListener("click", function () { toggle(button); });
      main.cells[0].insertBefore(button, main.cells[0].firstChild);
    });

    var headers = table.tHead.rows[0].cells;
    each(headers, function (th, column) {
      var button = th.querySelector("button");
      if (!button) { return; }
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        each(headers, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var key = function (body) {
          var cell = body.rows[0].cells[column];
          return cell ? (cell.getAttribute("data-sort") || cell.textContent.trim()) : "";
        };
        models.items.sort(function (a, b) {
          var order = compare(key(a), key(b));
          return ascending ? order : -order;
        });
        models.items.forEach(function (body) { table.appendChild(body); });
        models.render();
      });
    });

    var search = document.getElementById("models-search");
    var menu = document.getElementById("models-flag");
    var update = function () {
      var needle = search.value.trim().toLowerCase();
      models.items.forEach(function (body) { body.hidden = !flagged(body, needle, menu.value); });
      models.limit = models.size;
      models.render();
    };
    search.addEventListener("input", update);
    menu.addEventListener("change", update);
    models.render();
  }

  function toggle(button, open) {
    var row = document.getElementById(button.getAttribute("aria-controls"));
    if (!row) { return; }
    var show = open === undefined ? row.hidden : open;
    row.hidden = !show;
    button.setAttribute("aria-expanded", show ? "true" : "false");
  }

  /* ---- findings: rule groups, each a paged list of models ---- */
  var groups = [];
  each(document.querySelectorAll("#active-findings details.rule-group"), function (group) {
    var list = group.querySelector("ul.hits");
    var controls = document.createElement("div");
    controls.className = "pager";
    list.parentNode.insertBefore(controls, list.nextSibling);
    var pager = new Pager(Array.prototype.slice.call(list.children),
      parseInt(list.getAttribute("data-page"), 10) || 50, null, "findings", controls);
    pager.render();
    groups.push({ element: group, pager: pager });
  });
  var findingsSearch = document.getElementById("findings-search");
  var findingsMenu = document.getElementById("findings-flag");
  var findingsCounter = document.getElementById("findings-shown");
  var filterFindings = function () {
    var needle = findingsSearch.value.trim().toLowerCase();
    var flag = findingsMenu.value, total = 0, shown = 0;
    groups.forEach(function (g) {
      var visible = 0;
      g.pager.items.forEach(function (item) {
        item.hidden = !flagged(item, needle, flag) &&
          !(needle && g.element.querySelector("summary").textContent.toLowerCase().indexOf(needle) !== -1 && !flag);
        if (!item.hidden) { visible += 1; }
      });
      total += g.pager.items.length;
      shown += visible;
      g.element.hidden = visible === 0;
      if (needle || flag) { g.element.open = visible > 0; }
      g.pager.limit = g.pager.size;
      g.pager.render();
    });
    if (findingsCounter) {
      findingsCounter.textContent = shown === total ? total + " findings in " + groups.length + " rules"
        : shown + " of " + total + " findings";
    }
  };
  if (findingsSearch && findingsMenu) {
    findingsSearch.addEventListener("input", filterFindings);
    findingsMenu.addEventListener("change", filterFindings);
    filterFindings();
  }

  /* ---- links to a model's row or a rule: show it even when paged, filtered or collapsed ---- */
  function follow() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) { return; }
    if (models && target.parentNode.classList.contains("model") && target === target.parentNode.rows[0]) {
      models.reveal(target.parentNode);
      var button = target.querySelector("button.expand");
      if (button) { toggle(button, true); }
    } else if (target.tagName === "DETAILS") {
      target.hidden = false;
      target.open = true;
    }
    target.scrollIntoView();
  }
  window.addEventListener("hashchange", follow);
  if (location.hash) { follow(); }

  /* Printing shows every rule's findings: a paper copy cannot be clicked open. */
  /* Chromium does not paint buttons in the table header it repeats on every printed page, so for
     printing the sort buttons give way to their text. */
  var swapped = [];
  window.addEventListener("beforeprint", function () {
    each(document.querySelectorAll("details"), function (d) { d.open = true; });
    each(document.querySelectorAll("thead th button"), function (button) {
      var text = document.createTextNode(button.textContent);
      button.parentNode.replaceChild(text, button);
      swapped.push([text, button]);
    });
  });
  window.addEventListener("afterprint", function () {
    swapped.forEach(function (pair) { pair[0].parentNode.replaceChild(pair[1], pair[0]); });
    swapped = [];
  });
  document.documentElement.setAttribute("data-js", "ready");
}());
