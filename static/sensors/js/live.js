/* The live sensor map: devices coloured by their latest value, kept current over WebSockets,
 * with a live chart of the city's average and highest value and a ticker of alerts.
 * The city's feed carries public devices; a member also listens to the feeds of their pilots,
 * which add the pilots' private devices. Each feed keeps its own latest values, and the map shows
 * the newest of them all.
 * The district boundaries come from the portal's own GeoJSON, so the map reads without tiles. */
(function () {
  "use strict";

  var COLOURS = {
    good: "#1e66d0",
    moderate: "#1f9d55",
    bad: "#e8a317",
    very_bad: "#d7301f",
    cold: "#6a51a3",
    none: "#8c99a6"
  };
  var CHART_WINDOW_SECONDS = 600;

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = String(text);
    return div.innerHTML;
  }

  // Keep a reading if it is the newest of its device and metric in `store`; true if kept.
  function keep(store, reading) {
    var byDevice = store[reading.metric] = store[reading.metric] || {};
    var held = byDevice[reading.device];
    if (held && new Date(held.time) > new Date(reading.time)) return false;
    byDevice[reading.device] = reading;
    return true;
  }

  function bandFor(metric, value) {
    if (!metric || !metric.bands.length) return null;
    for (var i = 0; i < metric.bands.length; i++) {
      var band = metric.bands[i];
      // Bands end on whole numbers (PM2.5 "bad" is 36-75): a value belongs to the first band
      // whose next whole number it is below, so 35.5 is still "moderate" and the colour turns
      // exactly where the alerts' "at or above 36" does.
      if (band.upto === null || value < band.upto + 1) return band;
    }
    return metric.bands[metric.bands.length - 1];
  }

  function colourFor(metric, value, range) {
    var band = bandFor(metric, value);
    if (band) return COLOURS[band.level] || COLOURS.none;
    // Metrics without bands: a light-to-dark blue scale over the values on the map.
    var span = Math.max(range.max - range.min, 1e-9);
    var share = Math.min(1, Math.max(0, (value - range.min) / span));
    var shades = ["#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"];
    return shades[Math.round(share * (shades.length - 1))];
  }

  // Times on the charts are Seoul's, whatever the zone of the browser, as on the rest of the site.
  function seoulDate(seconds) {
    return uPlot.tzDate(new Date(seconds * 1000), "Asia/Seoul");
  }

  // Seoul's 24-hour clock in the page's language (the home page's map has no chart-format.js).
  var clock = new Intl.DateTimeFormat(document.documentElement.lang || "ko", {
    hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZone: "Asia/Seoul"
  });
  var numbers = new Intl.NumberFormat(document.documentElement.lang || "ko", { maximumFractionDigits: 1 });

  function formatTime(iso) {
    return clock.format(new Date(iso));
  }

  function LiveMap(map, root) {
    this.map = map;
    this.root = root;
    this.text = root.dataset;
    this.metrics = {};
    (readJson("live-metrics") || []).forEach(function (metric) { this.metrics[metric.code] = metric; }, this);
    this.devices = {};
    (readJson("live-devices") || []).forEach(function (device) { this.devices[device.id] = device; }, this);
    this.latest = {}; // metric code -> device id -> reading, the newest across every feed
    // The first feed is the city's; the chart follows it alone, as it covers public devices only.
    this.feeds = (readJson("live-feeds") || []).map(function (path) {
      return { path: path, latest: {}, state: "connecting" };
    });
    this.markers = {};
    this.alerts = {};
    this.rules = readJson("alert-rules") || {};
    this.phrases = readJson("alert-phrases") || {};
    this.levels = readJson("alert-levels") || {};
    this.select = root.querySelector("[data-live-metric]");
    this.metric = this.select ? this.select.value : "pm25";
    this.status = root.querySelector("[data-live-status]");
    this.legend = root.querySelector("[data-live-legend]");
    this.chartNode = document.querySelector("[data-live-chart]");
    this.ticker = document.querySelector("[data-live-alerts]");
    this.series = { time: [], mean: [], max: [] };
    this.frames = 0;
    this.drawDistricts();
    this.markerLayer = L.layerGroup().addTo(map);
    this.drawLegend();
    this.makeChart();
    var self = this;
    if (this.select) {
      this.select.addEventListener("change", function () {
        self.metric = self.select.value;
        self.series = { time: [], mean: [], max: [] };
        self.redraw();
        self.drawLegend();
        self.sample();
        self.loadHistory();
      });
    }
    this.feeds.forEach(function (feed) { self.connect(feed, 0); });
  }

  LiveMap.prototype.drawDistricts = function () {
    var geojson = readJson(this.text.geojson);
    if (!geojson) return;
    var frame = this.map.getContainer().closest(".map-frame");
    // No district names here: on a live map they would cover the devices.
    var layer = L.geoJSON(geojson, {
      attribution: frame ? frame.dataset.attribution : "",
      interactive: false,
      style: function () { return { color: "#7b8a99", weight: 1, fillColor: "#eef2f6", fillOpacity: 0.85 }; }
    }).addTo(this.map);
    if (layer.getBounds().isValid()) this.map.fitBounds(layer.getBounds(), { padding: [6, 6] });
  };

  LiveMap.prototype.drawLegend = function () {
    if (!this.legend) return;
    var metric = this.metrics[this.metric];
    var items = [];
    if (metric && metric.bands.length) {
      var low = null;
      // Bands are whole numbers, as Korea's forecasts give them: 0–15, 16–35, 36–75, 76+.
      metric.bands.forEach(function (band) {
        var range = band.upto === null ? (low + 1) + "+" : (low === null ? "≤ " + band.upto : (low + 1) + "–" + band.upto);
        items.push('<li><span class="swatch" data-colour="' + (COLOURS[band.level] || COLOURS.none) + '"></span>' +
          escapeHtml(band.label) + ' <small>' + escapeHtml(range) + "</small></li>");
        low = band.upto;
      });
    } else if (metric) {
      items.push('<li><span class="swatch" data-colour="#c6dbef"></span><span class="swatch" data-colour="#08519c"></span>' +
        escapeHtml(metric.unit) + "</li>");
    }
    this.legend.innerHTML = items.join("");
    // Coloured through the DOM: a style attribute in the markup would break the page's CSP.
    this.legend.querySelectorAll("[data-colour]").forEach(function (swatch) {
      swatch.style.background = swatch.dataset.colour;
    });
  };

  LiveMap.prototype.range = function () {
    var values = this.latest[this.metric] || {};
    var min = Infinity, max = -Infinity;
    Object.keys(values).forEach(function (id) {
      min = Math.min(min, values[id].value);
      max = Math.max(max, values[id].value);
    });
    return { min: min === Infinity ? 0 : min, max: max === -Infinity ? 1 : max };
  };

  LiveMap.prototype.redraw = function () {
    this.markerLayer.clearLayers();
    this.markers = {};
    var values = this.latest[this.metric] || {};
    var range = this.range();
    Object.keys(values).forEach(function (id) { this.place(values[id], range); }, this);
    this.map.getContainer().dataset.devices = String(Object.keys(this.markers).length);
  };

  LiveMap.prototype.place = function (reading, range) {
    var metric = this.metrics[reading.metric];
    var colour = colourFor(metric, reading.value, range);
    var marker = this.markers[reading.device];
    var device = this.devices[reading.device] || { name: "#" + reading.device };
    var label = escapeHtml(device.name) + "<br><strong>" + escapeHtml(numbers.format(reading.value)) + " " + escapeHtml(metric ? metric.unit : "") +
      "</strong><br><small>" + escapeHtml(formatTime(reading.time)) + "</small>";
    var link = this.text.deviceUrl.replace("/0/", "/" + reading.device + "/");
    var popup = label + '<br><a href="' + link + '">' + escapeHtml(this.text.textOpen) + "</a>";
    if (!marker) {
      marker = L.circleMarker([reading.lat, reading.lon], { radius: 7, weight: 1.5, color: "#fff", fillOpacity: 0.95, fillColor: colour });
      marker.bindPopup(popup);
      marker.addTo(this.markerLayer);
      this.markers[reading.device] = marker;
    } else {
      marker.setStyle({ fillColor: colour });
      marker.setPopupContent(popup);
    }
    marker.getElement && marker.getElement() && marker.getElement().setAttribute("data-device", reading.device);
    marker.getElement && marker.getElement() && marker.getElement().setAttribute("data-value", reading.value);
  };

  LiveMap.prototype.take = function (readings, feed) {
    var changed = false;
    readings.forEach(function (reading) {
      keep(feed.latest, reading);
      if (keep(this.latest, reading) && reading.metric === this.metric) changed = true;
    }, this);
    if (!changed) return;
    var bands = !!(this.metrics[this.metric] && this.metrics[this.metric].bands.length);
    if (bands) {
      var range = this.range();
      readings.forEach(function (reading) {
        if (reading.metric === this.metric && this.latest[this.metric][reading.device] === reading) this.place(reading, range);
      }, this);
      this.map.getContainer().dataset.devices = String(Object.keys(this.markers).length);
    } else {
      this.redraw();
    }
  };

  // After a feed's snapshot or its end: the newest value per device across the feeds as they are now.
  LiveMap.prototype.merge = function () {
    var latest = this.latest = {};
    this.feeds.forEach(function (feed) {
      Object.keys(feed.latest).forEach(function (metric) {
        var byDevice = feed.latest[metric];
        Object.keys(byDevice).forEach(function (id) { keep(latest, byDevice[id]); });
      });
    });
    this.redraw();
  };

  LiveMap.prototype.makeChart = function () {
    if (!this.chartNode || !window.uPlot || !window.sensorCharts) return;
    var format = window.sensorCharts;
    var self = this;
    var width = this.chartNode.clientWidth || 320;
    function valueWithUnit(u, value) {
      var metric = self.metrics[self.metric];
      return format.numberValue(metric ? metric.unit : "")(u, value);
    }
    this.chart = new uPlot({
      width: width,
      height: 220,
      series: [
        { label: this.chartNode.dataset.labelTime, value: format.timeValue },
        { label: this.chartNode.dataset.labelMean, stroke: "#0b5cad", width: 2, spanGaps: false, value: valueWithUnit },
        { label: this.chartNode.dataset.labelMax, stroke: "#d7301f", width: 1.5, dash: [6, 4], spanGaps: false, value: valueWithUnit }
      ],
      axes: [{ values: format.timeTicks }, { size: 56, values: format.numberTicks }],
      tzDate: seoulDate,
      scales: {
        // Always the last ten minutes, so that the first points do not fill the whole width.
        x: { time: true, range: function (u, min, max) { return [max - CHART_WINDOW_SECONDS, max + 5]; } }
      }
    }, [[], [], []], this.chartNode);
    window.addEventListener("resize", function () {
      self.chart.setSize({ width: self.chartNode.clientWidth || 320, height: 220 });
    });
    this.loadHistory();
  };

  // The chart opens with the last ten minutes as the server has them, minute by minute; the
  // live frames carry it on from there.
  LiveMap.prototype.loadHistory = function () {
    var url = this.chartNode && this.chartNode.dataset.historyUrl;
    if (!url || !this.chart) return;
    var self = this;
    var metric = this.metric;
    fetch(url.replace("METRIC", encodeURIComponent(metric)) + "?minutes=" + CHART_WINDOW_SECONDS / 60, {
      headers: { Accept: "application/json" }, credentials: "same-origin"
    })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (page) {
        if (self.metric !== metric) return; // The reader chose another metric meanwhile.
        var history = [[], [], []];
        page.results.forEach(function (minute) {
          history[0].push(new Date(minute.bucket).getTime() / 1000);
          history[1].push(Math.round(minute.mean * 10) / 10);
          history[2].push(minute.max);
        });
        history = window.sensorCharts.withGaps(history, 60);
        var s = self.series;
        // Live samples taken while the history was on its way stay after it.
        var first = s.time.length ? s.time[0] : Infinity;
        var keep = history[0].filter(function (t) { return t < first; }).length;
        s.time = history[0].slice(0, keep).concat(s.time);
        s.mean = history[1].slice(0, keep).concat(s.mean);
        s.max = history[2].slice(0, keep).concat(s.max);
        self.chartNode.dataset.history = String(page.results.length);
        self.chart.setData([s.time.slice(), s.mean.slice(), s.max.slice()]);
      })
      .catch(function () { /* The live frames still fill the chart. */ });
  };

  LiveMap.prototype.sample = function () {
    if (!this.chart || !this.feeds.length) return;
    var values = this.feeds[0].latest[this.metric] || {};
    var ids = Object.keys(values);
    var s = this.series;
    if (!ids.length) { this.chart.setData([s.time.slice(), s.mean.slice(), s.max.slice()]); return; }
    var sum = 0, max = -Infinity;
    ids.forEach(function (id) { sum += values[id].value; max = Math.max(max, values[id].value); });
    var now = Date.now() / 1000;
    var last = s.time.length ? s.time[s.time.length - 1] : null;
    if (last !== null && now - last > 90) {
      // Nothing came for a while (the feed was down, the tab asleep): the line breaks there.
      s.time.push(last + 1); s.mean.push(null); s.max.push(null);
    }
    s.time.push(now); s.mean.push(Math.round((sum / ids.length) * 10) / 10); s.max.push(max);
    while (s.time.length && s.time[0] < now - CHART_WINDOW_SECONDS) { s.time.shift(); s.mean.shift(); s.max.shift(); }
    this.chart.setData([s.time.slice(), s.mean.slice(), s.max.slice()]);
  };

  LiveMap.prototype.takeAlert = function (alert) {
    if (!this.ticker) return;
    this.alerts[alert.id] = alert;
    var list = Object.keys(this.alerts).map(function (id) { return this.alerts[id]; }, this);
    list.sort(function (a, b) { return new Date(b.closed_at || b.opened_at) - new Date(a.closed_at || a.opened_at); });
    list = list.slice(0, 12);
    var closedText = this.text.textClosed;
    var link = this.text.deviceUrl;
    var levels = this.levels;
    this.ticker.innerHTML = list.map(function (item) {
      var level = item.closed_at ? "closed" : item.level;
      var text = this.alertText(item);
      return '<li class="alert-' + escapeHtml(level) + '" title="' + escapeHtml(levels[item.level] || "") + '"><time>' +
        escapeHtml(formatTime(item.closed_at || item.opened_at)) + "</time> " +
        '<a href="' + link.replace("/0/", "/" + item.device + "/") + '">' + escapeHtml(item.device_name) + "</a> " +
        escapeHtml(text) + (item.closed_at ? " <small>(" + escapeHtml(closedText) + ")</small>" : "") + "</li>";
    }, this).join("");
  };

  // An alert's sentence in the page's language, from its rule and value. The stored message is
  // in the server's language; it stands in only for a rule this page does not know.
  LiveMap.prototype.alertText = function (alert) {
    var phrase = this.phrases[alert.rule];
    if (phrase === undefined) return alert.message || this.rules[alert.rule] || alert.rule;
    if (phrase.indexOf("{value}") === -1) return phrase;
    if (alert.value === null || alert.value === undefined) return this.rules[alert.rule] || alert.message;
    return phrase.split("{value}").join(String(Math.round(alert.value * 10) / 10));
  };

  // One status for all the feeds: offline while any is, live once all are.
  LiveMap.prototype.showStatus = function () {
    if (!this.status) return;
    var states = this.feeds.map(function (feed) { return feed.state; });
    var text = this.text.textLive + " · " + this.text.textUpdated + " " + formatTime(new Date().toISOString());
    var state = "live";
    if (states.indexOf("offline") !== -1) {
      text = this.text.textOffline;
      state = "offline";
    } else if (states.indexOf("connecting") !== -1) {
      text = this.text.textConnecting;
      state = "connecting";
    }
    this.status.textContent = text;
    this.status.dataset.state = state;
  };

  LiveMap.prototype.connect = function (feed, attempt) {
    var self = this;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + feed.path);
    feed.state = "connecting";
    this.showStatus();
    socket.onmessage = function (event) {
      var message = JSON.parse(event.data);
      if (message.type === "snapshot") {
        feed.latest = {};
        message.readings.forEach(function (reading) { keep(feed.latest, reading); });
        self.merge();
        (message.alerts || []).forEach(function (alert) { self.takeAlert(alert); });
        self.sample();
        attempt = 0;
      } else if (message.type === "readings") {
        self.take(message.readings, feed);
        self.sample();
        self.frames += 1;
        self.root.dataset.frames = String(self.frames);
      } else if (message.type === "alert") {
        self.takeAlert(message.alert);
      }
      feed.state = "live";
      self.showStatus();
    };
    socket.onclose = function (event) {
      if (event.code === 4403 || event.code === 4404) {
        // The viewer may no longer see this feed (they left the pilot, say): its devices go.
        feed.state = "ended";
        feed.latest = {};
        self.merge();
        self.showStatus();
        return;
      }
      feed.state = "offline";
      self.showStatus();
      // Back off up to half a minute, so that a restarting server is not stormed.
      var delay = Math.min(30000, 1000 * Math.pow(2, attempt)) * (0.5 + Math.random() / 2);
      setTimeout(function () { self.connect(feed, attempt + 1); }, delay);
    };
  };

  window.sensorsLiveMap = function (map) {
    var root = map.getContainer().closest(".live");
    if (!root) return;
    window.sensorsLive = new LiveMap(map, root);
  };
})();
