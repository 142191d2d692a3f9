/* Questionnaire: show a follow-up only when its question's answer opens the gate (Yes or
   Not sure, from the form's data-gate) and its own ask-when condition holds. The form
   works without this script: the server then asks the follow-ups after the first
   submission. Hidden follow-ups are disabled, so their answers are never sent.
   A red-flag answer (the rule book's, marked by data-red-flag-values) fills the live region
   beside it with the urgent advice from <template id="urgent-advice">, at once. */
(function () {
  "use strict";

  var form = document.querySelector("form[data-questionnaire]");

  function valuesOf(name) {
    var values = [];
    var elements = form.elements.namedItem(name);
    if (!elements) { return values; }
    if (elements.length === undefined || elements.tagName === "SELECT") { elements = [elements]; }
    Array.prototype.forEach.call(elements, function (element) {
      if (element.disabled) { return; }
      if (element.type === "radio" || element.type === "checkbox") {
        if (element.checked) { values.push(element.value); }
      } else if (element.value.trim() !== "") {
        values.push(element.value);
      }
    });
    return values;
  }

  function holds(test) {
    if (test.all) { return test.all.every(holds); }
    if (test.any) { return test.any.some(holds); }
    if (test.not) { return !holds(test.not); }
    var values = valuesOf(test.q);
    if ("is" in test) { return values.length === 1 && values[0] === test.is; }
    if ("in" in test) { return values.length === 1 && test.in.indexOf(values[0]) !== -1; }
    if ("includes" in test) {
      var wanted = [].concat(test.includes);
      return values.some(function (value) { return wanted.indexOf(value) !== -1; });
    }
    if ("answered" in test) { return (values.length > 0) === test.answered; }
    return true;
  }

  /* A hidden body-area question arrives without its list of areas: copy in the shared list
     (from <template id="body-regions">) the first time it is shown. */
  function fillChoices(box) {
    var target = box.element.querySelector("[data-choices-from]");
    if (!target || target.childElementCount) { return; }
    var template = document.getElementById(target.dataset.choicesFrom);
    target.appendChild(template.content.cloneNode(true));
    Array.prototype.forEach.call(target.querySelectorAll("input"), function (input, index) {
      input.name = target.dataset.name;
      if (index === 0) { input.id = target.dataset.name + "-0"; }
    });
  }

  function update(boxes) {
    boxes.forEach(function (box) {
      var show = holds(box.test);
      if (show) { fillChoices(box); }
      box.element.hidden = !show;
      Array.prototype.forEach.call(
        box.element.querySelectorAll("input, textarea, select"),
        function (control) { control.disabled = !show; });
    });
  }

  function warn(regions) {
    regions.forEach(function (region) {
      var wanted = JSON.parse(region.dataset.redFlagValues);
      var flagged = valuesOf(region.dataset.redFlagOf).some(function (value) {
        return wanted.indexOf(value) !== -1;
      });
      if (flagged && !region.childElementCount) {
        region.appendChild(document.getElementById("urgent-advice").content.cloneNode(true));
      } else if (!flagged && region.childElementCount) {
        region.textContent = "";
      }
    });
  }

  /* A note asking the client to check a date (sent by the server) is about the date it was
     sent: once the date is changed it goes, with its box, and comes back if it is put back. */
  function recheck(notes) {
    notes.forEach(function (note) {
      var box = note.querySelector("input[name=dates_checked]");
      var question = box.value.split("=")[0];
      var date = form.elements.namedItem(question);
      var same = Boolean(date) && !date.disabled && question + "=" + date.value === box.value;
      note.hidden = !same;
      box.disabled = !same;
    });
  }

  if (form) {
    var gate = JSON.parse(form.dataset.gate);
    var boxes = Array.prototype.map.call(
      form.querySelectorAll("[data-follow-up-of]"),
      function (element) {
        var tests = [{ q: element.dataset.followUpOf, in: gate }];
        if (element.dataset.askWhen) { tests.push(JSON.parse(element.dataset.askWhen)); }
        return { element: element, test: { all: tests } };
      });
    var regions = Array.prototype.slice.call(form.querySelectorAll("[data-red-flag-of]"));
    var notes = Array.prototype.slice.call(form.querySelectorAll(".date-check"));
    form.addEventListener("change", function () { update(boxes); warn(regions); recheck(notes); });
    update(boxes);
    warn(regions);
    recheck(notes);
  }
})();
