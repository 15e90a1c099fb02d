/* One device's history: the last hour from minute rollups, the last day and week from hour
 * rollups, each with its lowest-to-highest band; the last hour grows as readings arrive live.
 * Every chart opens with its whole range from the server; where the device sent nothing, the
 * line breaks. Times and numbers are written by chart-format.js, in the page's language. */
(function () {
  "use strict";

  var root = document.querySelector(".device-page");
  var config = JSON.parse(document.getElementById("device-config").textContent);
  if (!root || !window.uPlot || !window.sensorCharts) return;
  var chartFormat = window.sensorCharts;
  var text = root.dataset;
  var select = root.querySelector("[data-device-metric]");
  var latestNode = root.querySelector("[data-device-latest]");
  var units = {};
  JSON.parse(document.getElementById("live-metrics").textContent).forEach(function (metric) { units[metric.code] = metric.unit; });
  var PERIODS = {
    hour: { resolution: "minute", seconds: 3600, step: 60 },
    day: { resolution: "hour", seconds: 86400, step: 3600 },
    week: { resolution: "hour", seconds: 7 * 86400, step: 3600 }
  };
  var charts = {};
  var data = {};

  function url(base, params) {
    var query = Object.keys(params).map(function (key) { return key + "=" + encodeURIComponent(params[key]); }).join("&");
    return base + "?" + query;
  }

  function rangeParams(period, extra) {
    var end = new Date(Date.now() + 60000);
    var start = new Date(end.getTime() - PERIODS[period].seconds * 1000);
    var params = { metric: select.value, start: start.toISOString(), end: end.toISOString() };
    Object.keys(extra || {}).forEach(function (key) { params[key] = extra[key]; });
    return params;
  }

  // Times on the charts are Seoul's, whatever the zone of the browser, as on the rest of the site.
  function seoulDate(seconds) {
    return uPlot.tzDate(new Date(seconds * 1000), "Asia/Seoul");
  }

  // The legend's value with the unit of the metric shown now.
  function valueWithUnit(u, value) {
    return chartFormat.numberValue(units[select.value] || "")(u, value);
  }

  function makeChart(node, period) {
    return new uPlot({
      width: node.clientWidth || 320,
      height: 200,
      series: [
        { label: text.textTime, value: chartFormat.timeValue },
        { label: text.textMin, stroke: "rgba(11,92,173,0.35)", width: 1, spanGaps: false, value: valueWithUnit },
        { label: text.textMax, stroke: "rgba(11,92,173,0.35)", width: 1, spanGaps: false, value: valueWithUnit },
        { label: text.textMean, stroke: "#0b5cad", width: 2, spanGaps: false, value: valueWithUnit }
      ],
      bands: [{ series: [2, 1], fill: "rgba(11,92,173,0.12)" }],
      axes: [{ values: chartFormat.timeTicks }, { size: 56, values: chartFormat.numberTicks }],
      tzDate: seoulDate,
      scales: {
        x: {
          time: true,
          range: function () {
            var now = Date.now() / 1000;
            return [now - PERIODS[period].seconds, now];
          }
        }
      }
    }, [[], [], [], []], node);
  }

  function fetchAll(address, rows) {
    return fetch(address, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (page) {
        rows = rows.concat(page.results || []);
        return page.next ? fetchAll(page.next, rows) : rows;
      });
  }

  function load(period) {
    var node = root.querySelector('[data-history="' + period + '"]');
    if (!charts[period]) charts[period] = makeChart(node, period);
    var params = rangeParams(period, { resolution: PERIODS[period].resolution, page_size: 5000 });
    return fetchAll(url(config.rollups, params), []).then(function (rows) {
      var series = [[], [], [], []];
      rows.forEach(function (row) {
        series[0].push(new Date(row.bucket).getTime() / 1000);
        series[1].push(row.min);
        series[2].push(row.max);
        series[3].push(Math.round(row.mean * 10) / 10);
      });
      series = chartFormat.withGaps(series, PERIODS[period].step);
      data[period] = series;
      charts[period].setData(series);
      node.dataset.points = String(rows.length);
      node.classList.toggle("is-empty", rows.length === 0);
      node.setAttribute("data-empty-text", text.textEmpty);
    });
  }

  function loadAll() {
    ["hour", "day", "week"].forEach(load);
    root.querySelector('[data-csv="hour"]').href = url(config.rollups, rangeParams("week", { resolution: "hour", format: "csv" }));
    root.querySelector('[data-csv="readings"]').href = url(config.readings, rangeParams("day", { format: "csv" }));
  }

  // A live reading joins the last hour's chart in its minute, until the next reload of rollups.
  function takeLive(reading) {
    if (reading.metric !== select.value) return;
    latestNode.textContent = chartFormat.number(reading.value) + " " + (units[reading.metric] || "") + " · " +
      chartFormat.clock(new Date(reading.time));
    latestNode.parentNode.dataset.state = "live";
    var series = data.hour;
    if (!series) return;
    var minute = Math.floor(new Date(reading.time).getTime() / 60000) * 60;
    var last = series[0].length - 1;
    if (last >= 0 && series[0][last] === minute) {
      series[1][last] = Math.min(series[1][last], reading.value);
      series[2][last] = Math.max(series[2][last], reading.value);
      series[3][last] = reading.value;
    } else if (last < 0 || minute > series[0][last]) {
      if (last >= 0 && minute - series[0][last] > 90) {
        // Minutes without readings since the last point: the line breaks there.
        series[0].push(series[0][last] + 60); series[1].push(null); series[2].push(null); series[3].push(null);
      }
      series[0].push(minute); series[1].push(reading.value); series[2].push(reading.value); series[3].push(reading.value);
    }
    charts.hour.setData(series);
  }

  function connect(attempt) {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + config.feed);
    socket.onmessage = function (event) {
      var message = JSON.parse(event.data);
      if (message.type === "snapshot" || message.type === "readings") {
        message.readings.forEach(takeLive);
        attempt = 0;
      }
    };
    socket.onclose = function (event) {
      if (event.code === 4403 || event.code === 4404) return;
      setTimeout(function () { connect(attempt + 1); }, Math.min(30000, 1000 * Math.pow(2, attempt)));
    };
  }

  select.addEventListener("change", loadAll);
  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (period) {
      var node = root.querySelector('[data-history="' + period + '"]');
      charts[period].setSize({ width: node.clientWidth || 320, height: 200 });
    });
  });
  loadAll();
  connect(0);
})();
