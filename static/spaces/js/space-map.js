/* The spaces catalogue's map: one marker a space, with its free seats on the day filtered on. */
(function () {
  "use strict";

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = String(text);
    return div.innerHTML;
  }

  window.spacesMap = function (map) {
    var node = document.getElementById("space-markers");
    var markers = node ? JSON.parse(node.textContent) : [];
    var frame = map.getContainer().closest(".map-frame");
    var freeLabel = frame ? frame.dataset.freeLabel : "";
    var points = [];
    markers.forEach(function (space) {
      var html = space.url
        ? '<a href="' + escapeHtml(space.url) + '">' + escapeHtml(space.name) + "</a>"
        : escapeHtml(space.name);
      if (space.kind) html += "<br>" + escapeHtml(space.kind);
      if (space.free !== undefined) html += "<br>" + escapeHtml(space.free) + " " + escapeHtml(freeLabel);
      L.circleMarker([space.lat, space.lng], {
        radius: 9, color: "#1d4ed8", weight: 2, fillColor: "#60a5fa", fillOpacity: 0.8
      }).bindPopup(html).addTo(map);
      points.push([space.lat, space.lng]);
    });
    if (points.length === 1) map.setView(points[0], 15);
    else if (points.length) map.fitBounds(points, { padding: [30, 30], maxZoom: 15 });
    map.getContainer().dataset.markers = String(points.length);
  };
})();
