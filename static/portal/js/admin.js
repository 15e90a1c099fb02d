/* The admin's few changes for accessibility, once the page's own scripts have run.
 * Django's two-box selector (filter_horizontal) names its search icon with an aria-label on a
 * bare <span>, which assistive technology ignores there: as an image it is read, and it names
 * the search box of its <label>. */
(function () {
  "use strict";
  window.addEventListener("load", function () {
    // After the selector's own load handler, which builds the icons.
    window.setTimeout(function () {
      document.querySelectorAll(".selector .search-label-icon[aria-label]").forEach(function (icon) {
        icon.setAttribute("role", "img");
      });
    }, 0);
  });
})();
