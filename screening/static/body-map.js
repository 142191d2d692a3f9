/* Body map: the front and back figures above each body-area question's checkboxes (copied
   from <template id="body-map"> into the question's [data-body-map] slot once it shows).
   Tapping or clicking an area ticks or unticks its checkbox; the figures show each ticked
   area hatched, and the area of the focused checkbox outlined. The checkboxes stay the
   question's real input: by keyboard, with a screen reader and without this script, the
   list is the whole question. Load it after questionnaire.js, which fills in the lists of
   questions that start hidden. */
(function () {
  "use strict";

  var template = document.getElementById("body-map");
  if (!template) { return; }

  function checkbox(slot, region) {
    return slot.parentNode.querySelector('input[type="checkbox"][value="' + region + '"]');
  }

  function shapes(slot) {
    return slot.querySelectorAll("[data-region]");
  }

  /* The map, copied in the first time its question shows (a hidden follow-up stays empty),
     each area named after its checkbox's label for the pointer's tooltip. */
  function fill(slot) {
    if (slot.childElementCount || slot.closest("[hidden]")) { return; }
    slot.appendChild(template.content.cloneNode(true));
    Array.prototype.forEach.call(shapes(slot), function (shape) {
      var input = checkbox(slot, shape.getAttribute("data-region"));
      if (!input) { return; }
      var title = document.createElementNS("http://www.w3.org/2000/svg", "title");
      title.textContent = input.parentNode.textContent.trim();
      shape.appendChild(title);
    });
  }

  function show(slot) {
    fill(slot);
    Array.prototype.forEach.call(shapes(slot), function (shape) {
      var input = checkbox(slot, shape.getAttribute("data-region"));
      shape.classList.toggle("is-picked", Boolean(input && input.checked));
      shape.classList.toggle("is-focused", Boolean(input && input === document.activeElement));
    });
  }

  function showAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-body-map]"), show);
  }

  document.addEventListener("click", function (event) {
    var shape = event.target.closest ? event.target.closest("[data-region]") : null;
    var slot = shape ? shape.closest("[data-body-map]") : null;
    if (!slot) { return; }
    var input = checkbox(slot, shape.getAttribute("data-region"));
    if (input && !input.disabled) { input.click(); }  /* its change event redraws the map */
  });
  /* On the document, so these run after questionnaire.js has shown or hidden follow-ups. */
  document.addEventListener("change", showAll);
  document.addEventListener("focusin", showAll);
  document.addEventListener("focusout", function () { window.setTimeout(showAll, 0); });
  showAll();
})();
