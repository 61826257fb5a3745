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
  // Division pickers (select[data-division-select]): a search box under the
  // select narrows its options to the divisions whose name or code holds
  // what is typed, and chooses the first of them, so "新城" and Enter
  // filter by 新城区. Without this script the select alone does the job.
  function enhanceDivisionPicker(select) {
    var wrap = select.closest(".division-picker");
    if (!wrap || wrap.querySelector(".division-search")) {
      return;
    }
    var box = document.createElement("input");
    box.type = "search";
    box.className = "division-search";
    box.autocomplete = "off";
    box.placeholder = select.getAttribute("data-search-label") || "";
    box.setAttribute("aria-label", box.placeholder);
    box.setAttribute("data-testid", "division-search-" + select.name);
    wrap.appendChild(box);
    box.addEventListener("input", function () {
      var needle = box.value.trim().toLowerCase();
      var first = null;
      var groups = select.querySelectorAll("optgroup");
      var options = select.options;
      for (var i = 0; i < options.length; i++) {
        var o = options[i];
        var match = needle === "" || o.value === "" ||
          o.text.toLowerCase().indexOf(needle) >= 0;
        o.hidden = !match;
        if (match && needle !== "" && o.value !== "" && !first) {
          first = o;
        }
      }
      for (var g = 0; g < groups.length; g++) {
        var visible = groups[g].querySelector("option:not([hidden])");
        groups[g].hidden = !visible;
      }
      if (first) {
        select.value = first.value;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var selects = document.querySelectorAll("select[data-division-select]");
    for (var i = 0; i < selects.length; i++) {
      enhanceDivisionPicker(selects[i]);
    }
  });
})();
