/* Maps of the report pages, drawn on django-leaflet maps.
 * The public map asks the server for one view at a time: clusters made in SQL further out,
 * single reports close up, never more than about 2,000 features. */
(function () {
  "use strict";

  var COLOURS = { open: "#0b5cad", overdue: "#b3261e", closed: "#6b7785" };

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = String(text);
    return div.innerHTML;
  }

  function register(map, extra) {
    window.portalMaps = window.portalMaps || {};
    var entry = { map: map };
    Object.keys(extra || {}).forEach(function (key) { entry[key] = extra[key]; });
    window.portalMaps[map.getContainer().id] = entry;
  }

  function filterQuery() {
    var form = document.getElementById("report-filters");
    if (!form) return "";
    var params = new URLSearchParams(new FormData(form));
    params.delete("page");
    return params.toString();
  }

  // Seoul's districts from the portal's own GeoJSON, under everything else: the map stays
  // readable where the tile server cannot be reached. Names show from zoom 12 in.
  function districtLayer(map, attribution) {
    var node = document.getElementById("district-geojson");
    if (!node) return null;
    var korean = (document.documentElement.lang || "ko").indexOf("ko") === 0;
    var labels = map.createPane("districtLabels");
    labels.classList.add("district-label-pane");
    var layer = L.geoJSON(JSON.parse(node.textContent), {
      attribution: attribution || "",
      interactive: false,
      style: function () {
        return { color: "#33516e", weight: 1, fillColor: "#eef2f6", fillOpacity: 0.9 };
      },
      onEachFeature: function (feature, shape) {
        var props = feature.properties;
        // A name missing in the page's language falls back to the other one, as on the pages.
        var name = (korean ? props.name_ko : props.name_en) || props.name_ko || props.name_en;
        shape.bindTooltip(name, { permanent: true, direction: "center", className: "district-label", pane: "districtLabels" });
      }
    }).addTo(map);
    function showLabels() {
      // At city zoom the names would sit under the groups' counts; closer in there is room.
      labels.classList.toggle("hidden", map.getZoom() < 12);
    }
    map.on("zoomend", showLabels);
    showLabels();
    return layer;
  }

  function clusterIcon(props) {
    // The ring's red arc is the share of the group that is overdue, drawn by the stylesheet
    // from a custom property (set through the DOM: the page's policy forbids inline styles).
    var size = Math.round(Math.min(46, 26 + Math.log(props.count + 1) * 2.6));
    var ring = document.createElement("div");
    ring.className = "cluster-ring";
    ring.style.setProperty("--overdue", String(props.count ? props.overdue / props.count : 0));
    var count = document.createElement("span");
    count.textContent = String(props.count);
    ring.appendChild(count);
    return L.divIcon({ className: "report-cluster", html: ring, iconSize: [size, size] });
  }

  window.reportsMap = function (map) {
    var frame = document.getElementById("reports-map-frame");
    var districts = cityMap(map);
    var layer = L.layerGroup().addTo(map);
    var pending = null;
    function load() {
      var bounds = map.getBounds();
      var query = new URLSearchParams(filterQuery());
      query.set("south", bounds.getSouth().toFixed(5));
      query.set("west", bounds.getWest().toFixed(5));
      query.set("north", bounds.getNorth().toFixed(5));
      query.set("east", bounds.getEast().toFixed(5));
      query.set("zoom", String(map.getZoom()));
      if (pending) pending.abort();
      pending = new AbortController();
      fetch(frame.dataset.endpoint + "?" + query.toString(), { signal: pending.signal, headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          layer.clearLayers();
          data.features.forEach(function (feature) {
            var at = [feature.geometry.coordinates[1], feature.geometry.coordinates[0]];
            var props = feature.properties;
            if (data.clustered) {
              var label = props.count + " " + frame.dataset.labelReports + (props.overdue ? " · " + props.overdue + " " + frame.dataset.labelOverdue : "");
              var marker = L.marker(at, { icon: clusterIcon(props), keyboard: true, title: label, alt: label });
              marker.bindTooltip(label);
              marker.on("click", function () { map.setView(at, Math.min(map.getZoom() + 2, 18)); });
              layer.addLayer(marker);
            } else {
              var colour = props.status === "closed" ? COLOURS.closed : props.overdue ? COLOURS.overdue : COLOURS.open;
              var point = L.circleMarker(at, { radius: 8, color: "#fff", weight: 2, fillColor: colour, fillOpacity: 0.95 });
              point.bindPopup('<a href="' + (frame.dataset.base || "/reports/") + feature.id + '/">#' + feature.id + " " + escapeHtml(frame.dataset.labelOpen) + "</a>" + (props.overdue ? " · " + escapeHtml(frame.dataset.labelOverdue) : ""));
              layer.addLayer(point);
            }
          });
          map.getContainer().dataset.features = String(data.features.length);
          map.getContainer().dataset.clustered = String(data.clustered);
        })
        .catch(function () { /* A newer view replaced this request, or the network failed. */ });
    }
    map.on("moveend", load);
    load();
    register(map, { reports: layer, districts: districts });
  };

  function pickMarker(map, onPick) {
    var marker = null;
    function place(latlng) {
      if (marker) marker.setLatLng(latlng);
      else marker = L.marker(latlng).addTo(map);
      onPick(latlng);
    }
    map.on("click", function (event) { place(event.latlng); });
    return place;
  }

  function nearbyOffers(form, latlng) {
    var category = form.querySelector("[name=category]").value;
    var section = document.getElementById("nearby");
    var list = document.getElementById("nearby-list");
    if (!category || !latlng) { section.hidden = true; return; }
    var query = new URLSearchParams({ category: category, latitude: latlng.lat.toFixed(6), longitude: latlng.lng.toFixed(6) });
    fetch(form.dataset.nearby + "?" + query.toString(), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (reports) {
        list.innerHTML = "";
        reports.forEach(function (report) {
          var item = document.createElement("li");
          var token = form.querySelector("[name=csrfmiddlewaretoken]").value;
          item.innerHTML = '<a href="' + report.url + '">#' + report.id + " " + escapeHtml(report.category_name) + "</a> " +
            '<span class="meta">' + escapeHtml(report.description.slice(0, 80)) + " · " + report.support_count + " " + escapeHtml(list.dataset.supporters) + "</span>" +
            '<form method="post" action="' + report.url + 'support/"><input type="hidden" name="csrfmiddlewaretoken" value="' + escapeHtml(token) + '">' +
            '<button type="submit" class="button small me-too">' + escapeHtml(list.dataset.meToo) + "</button></form>";
          list.appendChild(item);
        });
        section.hidden = reports.length === 0;
      })
      .catch(function () { section.hidden = true; });
  }

  function cityMap(map) {
    var frame = map.getContainer().closest(".map-frame");
    var districts = districtLayer(map, frame ? frame.dataset.attribution : "");
    // Not animated: a view set while the map still zooms would be ignored by Leaflet.
    if (districts && districts.getBounds().isValid()) map.fitBounds(districts.getBounds(), { padding: [4, 4], animate: false });
    return districts;
  }

  window.reportPickMap = function (map) {
    cityMap(map);
    var form = document.getElementById("report-form");
    var status = document.getElementById("place-status");
    var picked = null;
    var districtCentre = null;
    var place = pickMarker(map, function (latlng) {
      picked = latlng;
      if (districtCentre) { map.removeLayer(districtCentre); districtCentre = null; }
      form.querySelector("[name=latitude]").value = latlng.lat.toFixed(6);
      form.querySelector("[name=longitude]").value = latlng.lng.toFixed(6);
      status.textContent = status.dataset.picked + " " + latlng.lat.toFixed(5) + ", " + latlng.lng.toFixed(5);
      nearbyOffers(form, latlng);
    });
    form.querySelector("[name=category]").addEventListener("change", function () { nearbyOffers(form, picked); });
    // There is no street-level geocoder: a typed address finds only its district. Its centre is
    // shown as a ring (the place the report would get) and the citizen is asked to tap the map.
    // The place fields stay empty, so the server places the report from the address itself.
    var address = form.querySelector("[name=address]");
    address.addEventListener("change", function () {
      var text = address.value.trim();
      if (!text || picked) return;
      fetch(form.dataset.place + "?" + new URLSearchParams({ address: text }).toString(), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (found) {
          if (picked) return;
          if (!found) { status.textContent = status.dataset.addressUnknown; return; }
          var centre = L.latLng(found.latitude, found.longitude);
          if (districtCentre) districtCentre.setLatLng(centre);
          else districtCentre = L.circleMarker(centre, { radius: 14, color: COLOURS.open, weight: 3, dashArray: "4 4", fillOpacity: 0.1 }).addTo(map);
          map.setView(centre, 13);
          status.textContent = status.dataset.addressFound.replace("__DISTRICT__", found.district_name);
        })
        .catch(function () { /* The network failed; the server still places the report. */ });
    });
    var lat = parseFloat(form.querySelector("[name=latitude]").value);
    var lng = parseFloat(form.querySelector("[name=longitude]").value);
    if (!isNaN(lat) && !isNaN(lng)) { place(L.latLng(lat, lng)); map.setView([lat, lng], 16); }
    document.getElementById("use-location").addEventListener("click", function () {
      if (!navigator.geolocation) { status.textContent = status.dataset.noLocation; return; }
      status.textContent = status.dataset.locating;
      navigator.geolocation.getCurrentPosition(function (position) {
        var here = L.latLng(position.coords.latitude, position.coords.longitude);
        map.setView(here, 17);
        place(here);
      }, function () { status.textContent = status.dataset.noLocation; }, { enableHighAccuracy: true, timeout: 10000 });
    });
    register(map, { pick: place });
  };

  window.reportPlaceMap = function (map) {
    var node = document.getElementById("report-place");
    if (!node) return;
    var place = JSON.parse(node.textContent);
    var frame = map.getContainer().closest(".map-frame");
    districtLayer(map, frame ? frame.dataset.attribution : "");
    map.setView([place.latitude, place.longitude], 16, { animate: false });
    L.circleMarker([place.latitude, place.longitude], { radius: 10, color: "#fff", weight: 2, fillColor: COLOURS.open, fillOpacity: 0.95 }).addTo(map);
    register(map);
  };

  window.alertPickMap = function (map) {
    cityMap(map);
    var form = document.getElementById("alert-form");
    var radius = form.querySelector("[name=radius_m]");
    var circle = null;
    var place = pickMarker(map, function (latlng) {
      form.querySelector("[name=latitude]").value = latlng.lat.toFixed(6);
      form.querySelector("[name=longitude]").value = latlng.lng.toFixed(6);
      form.querySelector("[name=district]").value = "";
      if (circle) circle.setLatLng(latlng);
      else circle = L.circle(latlng, { radius: parseInt(radius.value, 10) || 500, color: "#0b5cad" }).addTo(map);
    });
    radius.addEventListener("change", function () { if (circle) circle.setRadius(parseInt(radius.value, 10)); });
    register(map, { pick: place });
  };
})();
