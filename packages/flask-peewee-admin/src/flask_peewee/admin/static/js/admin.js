/* flask-peewee admin: lookup dialog, filter rows, select-all. Bundled, no dependencies. */
(function () {
  "use strict";

  function $(selector, root) { return (root || document).querySelector(selector); }
  function $all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }

  /* The texts shown by this script, translated by the page (a JSON blob in #fp-admin-texts); English otherwise. */
  var TEXTS = {
    nothingFound: "Nothing found.", page: "Page %(page)s of %(pages)s", loadFailed: "The list could not be loaded.",
    remove: "Remove %(label)s", selectField: "Select %(field)s", select: "Select\u2026"
  };
  (function () {
    var blob = document.getElementById("fp-admin-texts");
    if (!blob) { return; }
    try {
      var given = JSON.parse(blob.textContent);
      Object.keys(given).forEach(function (key) { TEXTS[key] = given[key]; });
    } catch (e) { /* keep the English texts */ }
  })();
  function text(key, values) {
    return TEXTS[key].replace(/%\((\w+)\)s/g, function (all, name) { return values && name in values ? values[name] : all; });
  }

  /* -- the foreign-key lookup dialog ------------------------------------------------ */
  var dialog, queryInput, results, pageLabel, prevButton, nextButton;
  var state = { url: "", field: "", target: null, button: null, page: 1, timer: null, keepLabel: false, request: 0 };

  function currentIds() {
    var listId = state.button ? state.button.getAttribute("data-lookup-list") : null;
    var list = listId ? document.getElementById(listId) : null;
    if (list) { return $all('input[type="hidden"]', list).map(function (input) { return input.value; }); }
    return state.target && state.target.value !== "" ? [state.target.value] : [];
  }

  function render(data) {
    var chosen = currentIds();
    results.textContent = "";
    if (!data.objects || !data.objects.length) {
      var empty = document.createElement("li");
      empty.className = "fp-empty";
      empty.textContent = data.error || text("nothingFound");
      results.appendChild(empty);
    }
    (data.objects || []).forEach(function (obj) {
      var item = document.createElement("li");
      var choose = document.createElement("button");
      choose.type = "button";
      choose.textContent = obj.label;
      choose.setAttribute("data-id", obj.id);
      if (chosen.indexOf(String(obj.id)) >= 0) { choose.setAttribute("aria-current", "true"); }
      choose.addEventListener("click", function () { pick(obj); });
      item.appendChild(choose);
      results.appendChild(item);
    });
    pageLabel.textContent = data.pages ? text("page", { page: data.page, pages: data.pages }) : "";
    prevButton.disabled = !data.has_previous;
    nextButton.disabled = !data.has_next;
  }

  function load() {
    var params = new URLSearchParams({ field: state.field, query: queryInput.value, page: String(state.page) });
    var ticket = ++state.request;
    fetch(state.url + "?" + params.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) { if (ticket === state.request) { render(data); } })
      .catch(function () { render({ error: text("loadFailed") }); });
  }

  function addChip(list, obj) {
    var name = list.getAttribute("data-name");
    var exists = $all('input[type="hidden"]', list).some(function (input) { return input.value === String(obj.id); });
    if (exists) { return; }
    var item = document.createElement("li");
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = obj.id;
    var label = document.createElement("span");
    label.textContent = obj.label;
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "fp-btn fp-btn-plain fp-m2m-remove";
    remove.setAttribute("aria-label", text("remove", { label: obj.label }));
    remove.innerHTML = "&times;";
    item.appendChild(input);
    item.appendChild(label);
    item.appendChild(remove);
    list.appendChild(item);
  }

  function pick(obj) {
    var listId = state.button ? state.button.getAttribute("data-lookup-list") : null;
    if (listId) {
      var list = document.getElementById(listId);
      if (list) { addChip(list, obj); }
      dialog.close();
      state.button.focus();
      return;
    }
    if (state.target) {
      state.target.value = obj.id;
      state.target.dispatchEvent(new Event("change", { bubbles: true }));
    }
    if (state.button && !state.keepLabel) { state.button.textContent = obj.label; }
    if (state.button && state.keepLabel) { state.button.setAttribute("title", obj.label); }
    dialog.close();
    if (state.button) { state.button.focus(); }
  }

  function open(button) {
    state.url = button.getAttribute("data-lookup-url");
    state.field = button.getAttribute("data-lookup-field");
    state.target = document.getElementById(button.getAttribute("data-lookup-target"));
    state.button = button;
    state.keepLabel = button.hasAttribute("data-lookup-keep-label");
    state.page = 1;
    queryInput.value = "";
    $("#fp-lookup-title").textContent = text("selectField", { field: state.button.getAttribute("data-lookup-label") || state.field.replace(/_/g, " ") });
    dialog.showModal();
    queryInput.focus();
    load();
  }

  function setUpDialog() {
    dialog = $("#fp-lookup-dialog");
    if (!dialog) { return; }
    queryInput = $("#fp-lookup-query");
    results = $("#fp-lookup-results");
    pageLabel = $("#fp-lookup-page");
    prevButton = $("#fp-lookup-prev");
    nextButton = $("#fp-lookup-next");
    queryInput.addEventListener("input", function () {
      clearTimeout(state.timer);
      state.timer = setTimeout(function () { state.page = 1; load(); }, 200);
    });
    queryInput.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }
      if (event.key === "ArrowDown") {
        var first = $("button", results);
        if (first) { event.preventDefault(); first.focus(); }
      }
    });
    results.addEventListener("keydown", function (event) {
      var current = document.activeElement;
      var buttons = $all("button", results);
      var index = buttons.indexOf(current);
      if (event.key === "ArrowDown" && index >= 0 && index < buttons.length - 1) { event.preventDefault(); buttons[index + 1].focus(); }
      if (event.key === "ArrowUp") {
        event.preventDefault();
        if (index > 0) { buttons[index - 1].focus(); } else { queryInput.focus(); }
      }
    });
    prevButton.addEventListener("click", function () { if (state.page > 1) { state.page -= 1; load(); } });
    nextButton.addEventListener("click", function () { state.page += 1; load(); });
    document.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest(".fp-lookup-btn") : null;
      if (button) { event.preventDefault(); open(button); return; }
      var removeChip = event.target.closest ? event.target.closest(".fp-m2m-remove") : null;
      if (removeChip) {
        var group = removeChip.closest(".fp-m2m");
        removeChip.parentNode.parentNode.removeChild(removeChip.parentNode);
        var add = group ? group.querySelector(".fp-lookup-btn") : null;
        if (add) { add.focus(); }
        return;
      }
      var clear = event.target.closest ? event.target.closest(".fp-lookup-clear") : null;
      if (clear) {
        var target = document.getElementById(clear.getAttribute("data-lookup-target"));
        if (target) { target.value = ""; }
        var sibling = clear.parentNode.querySelector(".fp-lookup-btn");
        if (sibling) { sibling.textContent = text("select"); }
      }
    });
  }

  /* -- filter rows ------------------------------------------------------------------ */
  function syncRow(row) {
    var fieldSelect = $(".fp-filter-field", row);
    var opSelect = $(".fp-filter-op", row);
    var lookup = $(".fp-filter-lookup", row);
    var option = fieldSelect.options[fieldSelect.selectedIndex];
    var ops = option && option.getAttribute("data-ops") ? option.getAttribute("data-ops").split(",") : null;
    var labels = {};
    $all("option", opSelect).forEach(function (o) { labels[o.value] = o.textContent; });
    if (ops) {
      var current = opSelect.value;
      var all = window.fpOperatorLabels || labels;
      opSelect.textContent = "";
      ops.forEach(function (op) {
        var o = document.createElement("option");
        o.value = op;
        o.textContent = all[op] || op;
        if (op === current) { o.selected = true; }
        opSelect.appendChild(o);
      });
    }
    if (lookup) {
      var isLookup = option && option.hasAttribute("data-lookup");
      lookup.hidden = !isLookup;
      lookup.setAttribute("data-lookup-field", option ? option.value : "");
      lookup.setAttribute("data-lookup-label", option && option.value ? option.textContent : "");
    }
  }

  function setUpFilters() {
    var template = $("#fp-filter-template");
    if (!template) { return; }
    var labels = {};
    $all(".fp-filter-op option", template.content).forEach(function (o) { labels[o.value] = o.textContent; });
    window.fpOperatorLabels = labels;
    var rows = $(".fp-filter-rows");
    var counter = 1000;
    $all(".fp-filter-row", rows).forEach(function (row) { syncRow(row); });
    document.addEventListener("change", function (event) {
      if (event.target.classList && event.target.classList.contains("fp-filter-field")) {
        syncRow(event.target.closest(".fp-filter-row"));
      }
    });
    $(".fp-filter-add").addEventListener("click", function () {
      counter += 1;
      var html = template.innerHTML.replace(/__n__/g, String(counter));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var row = holder.firstElementChild;
      rows.appendChild(row);
      syncRow(row);
      $(".fp-filter-field", row).focus();
    });
    rows.addEventListener("click", function (event) {
      var remove = event.target.closest ? event.target.closest(".fp-filter-remove") : null;
      if (!remove) { return; }
      var row = remove.closest(".fp-filter-row");
      if ($all(".fp-filter-row", rows).length > 1) {
        row.parentNode.removeChild(row);
      } else {
        $(".fp-filter-field", row).value = "";
        $(".fp-filter-value", row).value = "";
      }
    });
  }

  /* -- select all rows -------------------------------------------------------------- */
  function setUpSelectAll() {
    $all(".fp-select-all").forEach(function (box) {
      box.addEventListener("change", function () {
        $all('input[name="id"]', box.closest("form")).forEach(function (other) { other.checked = box.checked; });
      });
    });
  }

  /* -- inline rows: "add" copies the row template instead of submitting --------------- */
  function setUpInlines() {
    var counter = 0;
    $all(".fp-inline-add").forEach(function (button) {
      button.type = "button";
      button.addEventListener("click", function () {
        var section = button.closest(".fp-inline");
        var template = $(".fp-inline-template", section);
        var rows = $(".fp-inline-rows", section);
        if (!template || !rows) { return; }
        counter += 1;
        var index = "j" + counter;
        while (section.querySelector('input[name$="-_row"][value="' + index + '"]')) { counter += 1; index = "j" + counter; }
        var holder = document.createElement("div");
        holder.innerHTML = template.innerHTML.replace(/__n__/g, index);
        var row = holder.firstElementChild;
        var empty = $(".fp-inline-empty", rows);
        if (empty) { empty.parentNode.removeChild(empty); }
        rows.appendChild(row);
        var first = $("input:not([type=hidden]), select, textarea", row);
        if (first) { first.focus(); }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpDialog();
    setUpFilters();
    setUpSelectAll();
    setUpInlines();
  });
})();
