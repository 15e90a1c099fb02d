/* The phone menu: the navigation folds behind a button on narrow screens. Without JavaScript
 * the navigation simply stays open. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.remove("no-js");
  // Panels folded on a phone (a list's filters) start open where there is room for them.
  if (window.matchMedia("(min-width: 760px)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach(function (panel) { panel.open = true; });
  }
  var toggle = document.querySelector(".menu-toggle");
  if (!toggle) return;
  toggle.addEventListener("click", function () {
    var open = root.classList.toggle("menu-open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
