/* The admin's pilot-area editor: draw one or more polygons; their GeoJSON goes into the textarea.
 * The textarea stays editable (inside a <details>) so that GeoJSON can also be pasted in. */
(function () {
  "use strict";

  function geometryOf(group) {
    var polygons = [];
    group.eachLayer(function (layer) {
      var geometry = layer.toGeoJSON().geometry;
      if (geometry.type === "Polygon") polygons.push(geometry.coordinates);
      if (geometry.type === "MultiPolygon") polygons = polygons.concat(geometry.coordinates);
    });
    if (!polygons.length) return "";
    if (polygons.length === 1) return JSON.stringify({ type: "Polygon", coordinates: polygons[0] });
    return JSON.stringify({ type: "MultiPolygon", coordinates: polygons });
  }

  // Leaflet.draw speaks English; the page brings its words in the manager's language.
  function merge(into, from) {
    Object.keys(from).forEach(function (key) {
      if (from[key] && typeof from[key] === "object") {
        into[key] = into[key] || {};
        merge(into[key], from[key]);
      } else {
        into[key] = from[key];
      }
    });
  }

  function setUp(editor) {
    var strings = document.getElementById(editor.dataset.textarea + "-draw-strings");
    if (strings) merge(L.drawLocal, JSON.parse(strings.textContent));
    var textarea = document.getElementById(editor.dataset.textarea);
    var config = JSON.parse(document.getElementById(editor.dataset.textarea + "-config").textContent);
    var map = L.map(editor.dataset.textarea + "-map").setView(config.center, config.zoom);
    L.tileLayer(config.tile_url, { attribution: config.attribution, maxZoom: 18 }).addTo(map);
    var districts = document.getElementById(editor.dataset.textarea + "-districts");
    if (districts) {
      L.geoJSON(JSON.parse(districts.textContent), {
        interactive: false,
        style: { color: "#33516e", weight: 1, fillColor: "#e8eef5", fillOpacity: 0.5 }
      }).addTo(map);
    }
    var drawn = new L.FeatureGroup().addTo(map);
    var value = textarea.value.trim();
    if (value) {
      try {
        L.geoJSON(JSON.parse(value)).eachLayer(function (layer) {
          // MultiPolygons come in as one layer; split them so each can be edited alone.
          var geometry = layer.toGeoJSON().geometry;
          var parts = geometry.type === "MultiPolygon" ? geometry.coordinates : [geometry.coordinates];
          parts.forEach(function (rings) {
            L.geoJSON({ type: "Polygon", coordinates: rings }).eachLayer(function (part) { drawn.addLayer(part); });
          });
        });
        if (drawn.getLayers().length) map.fitBounds(drawn.getBounds(), { padding: [20, 20] });
      } catch (error) {
        editor.dataset.invalid = "true";
      }
    }
    map.addControl(new L.Control.Draw({
      edit: { featureGroup: drawn },
      draw: { polygon: { allowIntersection: false, showArea: false }, rectangle: true, polyline: false, circle: false, marker: false, circlemarker: false }
    }));
    function save() { textarea.value = geometryOf(drawn); }
    map.on(L.Draw.Event.CREATED, function (event) { drawn.addLayer(event.layer); save(); });
    map.on(L.Draw.Event.EDITED, save);
    map.on(L.Draw.Event.DELETED, save);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".pilot-area-editor").forEach(setUp);
  });
})();
