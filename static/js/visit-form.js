// The visit form's live preview: posts the form (debounced) and shows the grades
// and the recommendation the engine would make. Saving is the form's own submit;
// without JavaScript the form works the same, only without the preview.
(function () {
  "use strict";
  var form = document.getElementById("visit-form");
  if (!form) { return; }
  var url = form.getAttribute("data-preview-url");
  var grades = document.getElementById("preview-grades");
  var decision = document.getElementById("preview-decision");
  var errors = document.getElementById("preview-errors");
  var empty = document.getElementById("preview-empty");
  var timer = null;
  var inFlight = null;

  function text(tag, value, cls) {
    var node = document.createElement(tag);
    node.textContent = value;
    if (cls) { node.className = cls; }
    return node;
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function showGrades(list) {
    clear(grades);
    form.querySelectorAll("output.grade").forEach(function (o) { o.textContent = ""; });
    list.forEach(function (g) {
      var label = g.name + ": grade " + g.grade + (g.provisional ? " (provisional)" : "");
      grades.appendChild(text("li", label, "g" + g.grade));
      var out = form.querySelector('output.grade[data-term="' + g.term + '"]');
      if (out) { out.textContent = "grade " + g.grade + (g.provisional ? " (provisional)" : ""); }
    });
  }

  function showDecision(d) {
    clear(decision);
    if (!d) { return; }
    var headline = d.action;
    if (d.action === "withhold" && d.resume_dose_mg_per_day) {
      headline += " · resume at " + d.resume_dose_mg_per_day + " mg/day when recovered";
    } else if (d.action !== "withhold" && d.action !== "discontinue") {
      headline += " · " + d.dose_mg_per_day + " mg/day";
    }
    decision.appendChild(text("p", headline, "action " + d.action));
    if (d.needs_review) { decision.appendChild(text("p", "Needs the oncologist's judgement.", "review")); }
    var reasons = document.createElement("ul");
    (d.reasons || []).forEach(function (r) {
      reasons.appendChild(text("li", r.text + " (" + r.source + ")"));
    });
    decision.appendChild(reasons);
  }

  function showErrors(map) {
    clear(errors);
    Object.keys(map || {}).forEach(function (k) { errors.appendChild(text("li", map[k])); });
  }

  function refresh() {
    if (inFlight) { inFlight.abort(); }
    inFlight = new AbortController();
    fetch(url, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }, signal: inFlight.signal
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      empty.hidden = true;
      if (result.ok) {
        showErrors({});
        showGrades(result.body.grades || []);
        showDecision(result.body.decision);
      } else {
        showErrors(result.body.errors);
      }
    }).catch(function () { /* aborted or offline: the next keystroke tries again */ });
  }

  // After a refused save the cursor goes to the list of what to correct, so a
  // keyboard or screen-reader user hears it at once; each entry links to its box.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  // A form shown again after a refused save keeps what was typed: so does the preview.
  if (form.hasAttribute("data-bound")) { refresh(); }

  // Ctrl+Enter (Cmd+Enter on a Mac) saves from any box, as the form's hint says.
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    }
  });

  // "Other event" rows: once a term is chosen, its grades carry the dictionary's
  // descriptors (served by the tracker from toxicity/ctcae), the grades the term
  // lacks are greyed out, and the chosen grade's descriptor is shown in full.
  var events = document.getElementById("other-events");
  function describe(row) {
    var grade = row.querySelector('select[name$="_grade"]');
    var out = row.querySelector("output.descriptor");
    var option = grade.options[grade.selectedIndex];
    out.textContent = option && option.value !== "" && grade.getAttribute("data-term") ? option.textContent : "";
  }
  function loadGrades(row) {
    var term = row.querySelector('select[name$="_term"]').value;
    var grade = row.querySelector('select[name$="_grade"]');
    if (!term) {
      grade.removeAttribute("data-term");
      Array.prototype.forEach.call(grade.options, function (o) {
        if (o.value !== "") { o.textContent = o.value; o.disabled = false; }
      });
      describe(row);
      return;
    }
    var url = events.getAttribute("data-grades-url").replace("TERM", encodeURIComponent(term));
    fetch(url, { credentials: "same-origin" }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (body) {
      if (!body || row.querySelector('select[name$="_term"]').value !== term) { return; }
      body.choices.forEach(function (c) {
        var o = grade.querySelector('option[value="' + c.value + '"]');
        if (!o) { return; }
        o.textContent = c.label;
        o.disabled = !c.defined;
        if (o.selected && !c.defined) { grade.value = ""; }
      });
      grade.setAttribute("data-term", term);
      describe(row);
    }).catch(function () { /* offline: the numbers stay, the server still checks */ });
  }
  if (events) {
    events.querySelectorAll(".row.event").forEach(function (row) {
      row.querySelector('select[name$="_term"]').addEventListener("change", function () { loadGrades(row); });
      row.querySelector('select[name$="_grade"]').addEventListener("change", function () { describe(row); });
      if (row.querySelector('select[name$="_term"]').value) { loadGrades(row); }
    });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 350);
  });
})();
