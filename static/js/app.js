// SafeCampus progressive enhancement. Every page works without this file:
// it only asks for confirmation and saves a click on filter forms. No inline
// scripts anywhere, so the Content-Security-Policy can forbid them.
(function () {
  "use strict";

  // Ask before a form marked data-confirm (on the form or on the pressed
  // button) is sent.
  document.addEventListener(
    "submit",
    function (e) {
      var form = e.target;
      var button = e.submitter;
      var message =
        (button && button.getAttribute("data-confirm")) ||
        form.getAttribute("data-confirm");
      if (message && !window.confirm(message)) {
        e.preventDefault();
        e.stopPropagation();
      }
    },
    true
  );

  // Print buttons (data-print) are hidden until this script can run them;
  // without it the browser's own Print command prints the same report.
  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll("[data-print]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function () {
        window.print();
      });
    }
  });

  // Filter forms: send the form as soon as a select or checkbox marked
  // data-autosubmit changes.
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (!el || !el.hasAttribute || !el.hasAttribute("data-autosubmit") || !el.form) {
      return;
    }
    if (el.form.requestSubmit) {
      el.form.requestSubmit();
    } else {
      el.form.submit();
    }
  });
})();
