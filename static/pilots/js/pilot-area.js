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
    if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 14, animate: false });
    map.getContainer().dataset.area = "shown";
  };
})();
