/* Creates the Leaflet maps that {% portal_map %} leaves as plain elements, once the page has
 * loaded (as django-leaflet's own inline script would), and hands each to the page's callback:
 * <div data-map="pilotAreaMap" data-map-options="{...}"> calls window.pilotAreaMap(map, options).
 * Loaded on every page; does nothing where there is no map or no Leaflet. */
(function () {
  "use strict";

  function createMaps() {
    if (!window.L || !L.Map.djangoMap) return;
    document.querySelectorAll("[data-map][data-map-options]").forEach(function (node) {
      var callback = window[node.dataset.map];
      L.Map.djangoMap(node.id, {
        djoptions: JSON.parse(node.dataset.mapOptions),
        globals: false,
        callback: typeof callback === "function" ? callback : null
      });
    });
  }

  window.addEventListener("load", createMaps);
})();
