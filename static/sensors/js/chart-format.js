/* How the sensor charts write times and numbers: in the page's language, on Seoul's 24-hour
 * clock whatever the browser's zone, and with the reader's own digits and separators.
 * uPlot's defaults are American ("8:25am", "12/1/26", "Time"); live.js and device.js hand it
 * these functions instead. Times are seconds since the epoch, as uPlot keeps them. */
(function () {
  "use strict";

  var lang = document.documentElement.lang || "ko";
  var ZONE = "Asia/Seoul";

  function format(options) {
    var all = { timeZone: ZONE, hourCycle: "h23" };
    Object.keys(options).forEach(function (key) { all[key] = options[key]; });
    return new Intl.DateTimeFormat(lang, all);
  }

  var clockSeconds = format({ hour: "2-digit", minute: "2-digit", second: "2-digit" });
  var clock = format({ hour: "2-digit", minute: "2-digit" });
  // "12월 1일" in Korean, "Dec 1" in English.
  var day = format({ month: "short", day: "numeric" });
  var moment = format({ month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
  var number = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });

  function dayKey(seconds) {
    return day.format(new Date(seconds * 1000));
  }

  window.sensorCharts = {
    // Labels of the time axis, as precise as the spacing of its ticks; a tick that starts a
    // new day says which day it is.
    timeTicks: function (u, splits, axis, space, increment) {
      var previous = null;
      return splits.map(function (seconds) {
        if (seconds === null) return "";
        var date = new Date(seconds * 1000);
        if (increment >= 86400) return day.format(date);
        var time = (increment < 60 ? clockSeconds : clock).format(date);
        var today = dayKey(seconds);
        var label = previous !== null && today !== previous ? today + "\n" + time : time;
        previous = today;
        return label;
      });
    },
    // The time in the legend, for the point under the pointer.
    timeValue: function (u, seconds) {
      return seconds === null || seconds === undefined ? "–" : moment.format(new Date(seconds * 1000));
    },
    // Labels of a value axis.
    numberTicks: function (u, splits) {
      return splits.map(function (value) { return value === null ? "" : number.format(value); });
    },
    // A series' value in the legend, with its unit.
    numberValue: function (unit) {
      return function (u, value) {
        if (value === null || value === undefined) return "–";
        return number.format(value) + (unit ? " " + unit : "");
      };
    },
    // A reading's time on its own, for status lines and popups.
    clock: function (date) { return clockSeconds.format(date); },
    number: function (value) { return number.format(value); },
    // Points `step` seconds apart; where one or more are missing, a null between the two that
    // are there makes uPlot break the line (its series do not span gaps) instead of drawing
    // a straight line across the hole.
    withGaps: function (series, step) {
      var filled = series.map(function () { return []; });
      var times = series[0];
      for (var i = 0; i < times.length; i++) {
        if (i > 0 && times[i] - times[i - 1] > step * 1.5) {
          filled[0].push(times[i - 1] + step);
          for (var s = 1; s < series.length; s++) filled[s].push(null);
        }
        for (var k = 0; k < series.length; k++) filled[k].push(series[k][i]);
      }
      return filled;
    }
  };
})();
