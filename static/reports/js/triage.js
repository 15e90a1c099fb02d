/* The admin's triage map: open reports as dots over the city's districts (drawn from the
 * portal's own GeoJSON, so the map stays readable where tiles cannot load), the overdue ones in
 * red, each linking to its change page. */
(function () {
  "use strict";

  function popup(point) {
    var content = document.createElement("span");
    var link = document.createElement("a");
    link.href = "../" + point.id + "/change/";
    link.textContent = "#" + point.id;
    content.appendChild(link);
    content.appendChild(document.createTextNode(" " + point.category + " · " + point.status));
    return content;
  }

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  var container = document.getElementById("triage-map");
  var points = readJson("triage-points") || [];
  var tiles = readJson("triage-tiles");
  var districts = readJson("district-geojson");
  var map = L.map(container).setView([37.5665, 126.978], 11);
  L.tileLayer(tiles.url, { maxZoom: 18, attribution: tiles.attribution }).addTo(map);
  if (districts) {
    var korean = (document.documentElement.lang || "ko").indexOf("ko") === 0;
    var labels = map.createPane("districtLabels");
    labels.classList.add("district-label-pane");
    var boundaries = L.geoJSON(districts, {
      attribution: container.dataset.attribution || "",
      interactive: false,
      style: function () { return { color: "#33516e", weight: 1, fillColor: "#eef2f6", fillOpacity: 0.9 }; },
      onEachFeature: function (feature, shape) {
        var props = feature.properties;
        var name = (korean ? props.name_ko : props.name_en) || props.name_ko || props.name_en;
        shape.bindTooltip(name, { permanent: true, direction: "center", className: "district-label", pane: "districtLabels" });
      }
    }).addTo(map);
    if (boundaries.getBounds().isValid()) map.fitBounds(boundaries.getBounds(), { padding: [4, 4], animate: false });
    var showLabels = function () {
      // Names would hide the dots at city zoom; closer in there is room for both.
      labels.classList.toggle("hidden", map.getZoom() < 12);
    };
    map.on("zoomend", showLabels);
    showLabels();
  }
  // Many dots are drawn smaller so that they do not cover each other and the districts.
  var radius = points.length > 500 ? 3.5 : 6;
  // Within-target dots first, so that the overdue ones are drawn on top.
  points.slice().sort(function (a, b) { return Number(a.overdue) - Number(b.overdue); }).forEach(function (point) {
    L.circleMarker([point.lat, point.lng], {
      radius: radius, color: "#fff", weight: 0.8, fillColor: point.overdue ? "#b3261e" : "#0b5cad", fillOpacity: 0.9
    }).bindPopup(popup(point)).addTo(map);
  });
  container.dataset.points = String(points.length);
})();
