/* On any page with an error summary: move focus to it, and make each of its links move
   focus to its field (not just scroll), showing the field's question or label too. */
(function () {
  "use strict";

  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) { return; }
      event.preventDefault();
      var container = target.closest("fieldset") || target.closest(".field") || target;
      container.scrollIntoView();
      target.focus({ preventScroll: true });
    });
  }
})();
