/* A returning client's questionnaire: "Something has changed" shows the section's questions
   (filled in with last time's answers) at once; "No change" hides them again, and last
   time's answers are what is sent for them. Without this script, the server shows them
   after "Continue". The hidden "opened" field tells the server the client has seen them. */
(function () {
  "use strict";

  function show(section, open) {
    document.querySelectorAll('[data-kept-by="' + section + '"]').forEach(function (box) {
      box.hidden = !open;
    });
    document.querySelectorAll('[data-opened-of="' + section + '"]').forEach(function (input) {
      input.disabled = !open;
    });
  }

  document.querySelectorAll("input[data-change-of]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      if (radio.checked) { show(radio.dataset.changeOf, radio.value === "changed"); }
    });
  });
}());
