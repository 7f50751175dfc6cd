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
  // The page's words in the reader's language (tracker/visit_form.py preview_words).
  var wordsNode = document.getElementById("visit-form-words");
  var words = wordsNode ? JSON.parse(wordsNode.textContent) : {};

  function say(key, values, fallback) {
    var phrase = words[key] || fallback;
    Object.keys(values || {}).forEach(function (k) {
      phrase = phrase.split("%(" + k + ")s").join(String(values[k]));
    });
    return phrase;
  }

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
      var provisional = g.provisional ? " " + say("provisional", {}, "(provisional)") : "";
      var label = say("grade_of", { term: g.name, grade: g.grade }, "%(term)s: grade %(grade)s") + provisional;
      grades.appendChild(text("li", label, "g" + g.grade));
      var out = form.querySelector('output.grade[data-term="' + g.term + '"]');
      if (out) { out.textContent = say("grade", { grade: g.grade }, "grade %(grade)s") + provisional; }
    });
  }

  function showDecision(d) {
    clear(decision);
    if (!d) { return; }
    var headline = (words.actions || {})[d.action] || d.action;
    if (d.action === "withhold" && d.resume_dose_mg_per_day) {
      headline += " · " + say("resume_at", { dose: d.resume_dose_mg_per_day }, "resume at %(dose)s mg/day when recovered");
    } else if (d.action !== "withhold" && d.action !== "discontinue") {
      headline += " · " + say("dose", { dose: d.dose_mg_per_day }, "%(dose)s mg/day");
    }
    decision.appendChild(text("p", headline, "action " + d.action));
    if (d.needs_review) { decision.appendChild(text("p", say("needs_review", {}, "Needs the oncologist's judgement."), "review")); }
    var reasons = document.createElement("ul");
    (d.reasons || []).forEach(function (r) {
      // The label's own words, as the rule set quotes them.
      var item = text("li", r.text + " (" + r.source + ")");
      item.lang = "en";
      reasons.appendChild(item);
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
    if (option && option.lang) { out.lang = option.lang; } else { out.removeAttribute("lang"); }
  }
  function loadGrades(row) {
    var term = row.querySelector('select[name$="_term"]').value;
    var grade = row.querySelector('select[name$="_grade"]');
    if (!term) {
      grade.removeAttribute("data-term");
      Array.prototype.forEach.call(grade.options, function (o) {
        if (o.value !== "") { o.textContent = o.value; o.removeAttribute("lang"); o.disabled = false; }
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
        if (c.english) { o.lang = "en"; } else { o.removeAttribute("lang"); }
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
