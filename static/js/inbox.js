// The inbox's decision form: the dose picker and the reason matter only for some
// decisions, so show them when they apply. Without JavaScript every field shows
// and the server checks the combination.
(function () {
  "use strict";
  function sync(form) {
    var choice = form.querySelector("input[name=decision]:checked");
    var value = choice ? choice.value : "approve";
    var dose = form.querySelector("[data-for=approve_modified]");
    var reason = form.querySelector("[data-reason]");
    if (dose) { dose.hidden = value !== "approve_modified"; }
    if (reason) {
      var needed = value !== "approve";
      reason.querySelector("textarea").required = needed;
      reason.querySelector("[data-required]").hidden = !needed;
    }
  }
  Array.prototype.forEach.call(document.querySelectorAll("form.decide"), function (form) {
    sync(form);
    form.addEventListener("change", function () { sync(form); });
  });
})();
