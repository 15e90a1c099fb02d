/* The phone menu: the navigation folds behind a button on narrow screens. Without JavaScript
 * the navigation simply stays open. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.remove("no-js");
  var toggle = document.querySelector(".menu-toggle");
  if (!toggle) return;
  toggle.addEventListener("click", function () {
    var open = root.classList.toggle("menu-open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
