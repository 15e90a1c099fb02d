/* Draws Seoul's districts from the portal's own GeoJSON on a django-leaflet map.
 * The boundaries keep the map readable where the tile server cannot be reached. */
(function () {
  "use strict";

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function fill(count, max) {
    if (!count) return "#e8eef5";
    var shades = ["#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"];
    var index = Math.min(shades.length - 1, Math.floor((count / Math.max(max, 1)) * (shades.length - 1)));
    return shades[index];
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  window.portalDistrictMap = function (map) {
    var districts = readJson("district-geojson");
    var pilots = readJson("map-pilots") || [];
    if (!districts) return;
    var korean = (document.documentElement.lang || "ko").indexOf("ko") === 0;
    var byDistrict = {};
    pilots.forEach(function (pilot) {
      pilot.districts.forEach(function (code) {
        (byDistrict[code] = byDistrict[code] || []).push(pilot);
      });
    });
    var max = 0;
    Object.keys(byDistrict).forEach(function (code) {
      max = Math.max(max, byDistrict[code].length);
    });

    var frame = map.getContainer().closest(".map-frame");
    var layer = L.geoJSON(districts, {
      attribution: frame ? frame.dataset.attribution : "",
      style: function (feature) {
        var count = (byDistrict[feature.properties.code] || []).length;
        return { color: "#33516e", weight: 1.2, fillColor: fill(count, max), fillOpacity: 0.75 };
      },
      onEachFeature: function (feature, shape) {
        var props = feature.properties;
        // A name missing in the page's language falls back to the other one, as on the pages.
        var name = (korean ? props.name_ko : props.name_en) || props.name_ko || props.name_en;
        var list = byDistrict[feature.properties.code] || [];
        shape.bindTooltip(name, { permanent: map.getSize().x > 500, direction: "center", className: "district-label" });
        if (list.length) {
          var items = list.map(function (pilot) {
            return '<li><a href="' + pilot.url + '">' + escapeHtml(pilot.title) + "</a> <small>" + escapeHtml(pilot.phase) + "</small></li>";
          });
          shape.bindPopup("<strong>" + escapeHtml(name) + "</strong><ul class=\"popup-list\">" + items.join("") + "</ul>");
        } else {
          shape.bindPopup("<strong>" + escapeHtml(name) + "</strong>");
        }
      }
    }).addTo(map);
    if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds(), { padding: [8, 8] });
    map.getContainer().dataset.districts = String(layer.getLayers().length);
    // Other scripts on the page (and browser tests) find the map by its element's id.
    window.portalMaps = window.portalMaps || {};
    window.portalMaps[map.getContainer().id] = { map: map, districts: layer };
  };
})();
