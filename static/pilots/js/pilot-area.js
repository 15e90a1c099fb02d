/* The pilot page's map: districts drawn by the portal's district map, the pilot's area on top. */
(function () {
  "use strict";

  window.pilotAreaMap = function (map) {
    if (window.portalDistrictMap) window.portalDistrictMap(map);
    var node = document.getElementById("pilot-area");
    var area = node ? JSON.parse(node.textContent) : null;
    if (!area || !area.type) return;
    var frame = map.getContainer().closest(".map-frame");
    var layer = L.geoJSON(area, {
      style: { color: "#c2410c", weight: 3, fillColor: "#f97316", fillOpacity: 0.35 }
    }).addTo(map);
    if (frame) layer.bindTooltip(frame.dataset.areaLabel || "");
    var bounds = layer.getBounds();
    if (bounds.isValid()) {
      // The district map has just started an animated zoom to all districts; when it ends it
      // would leave the view there, so the area is fitted again once it has finished.
      var fitting = false;
      var until = Date.now() + 1500;
      var fit = function () {
        fitting = true;
        map.fitBounds(bounds, { padding: [24, 24], maxZoom: 13, animate: false });
        fitting = false;
      };
      var refit = function () {
        if (fitting) return;
        map.off("zoomend", refit);
        if (Date.now() < until) fit();
      };
      fit();
      map.on("zoomend", refit);
    }
    map.getContainer().dataset.area = "shown";
  };
})();
