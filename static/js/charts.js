/* Draws the dashboards' figures with plotly.js (served from the installed plotly package).
 *
 * Each figure is built in Python and rendered as JSON into a
 * <script type="application/json" id="…-data"> element; the chart element names it in
 * its data-figure attribute. No inline script, no eval: a strict Content-Security-Policy
 * (script-src 'self') holds. Also keeps the filter bar's period on "Custom range" once a
 * date is edited, so the dates typed are the dates applied.
 *
 * No word a person reads is written here: the page's language comes in the JSON of
 * #chart-settings (plotly.js's locale, registered by its own script, and the messages,
 * translated by the server).
 */
(function () {
  "use strict";

  var CONFIG = {
    responsive: true,
    displaylogo: false,
    showSendToCloud: false, // the figures stay in the app: no upload to plotly's cloud
    modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"],
    toImageButtonOptions: { format: "png", scale: 2 }
  };

  function readSettings() {
    var source = document.getElementById("chart-settings");
    if (!source) {
      return { locale: "", messages: {} };
    }
    try {
      return JSON.parse(source.textContent);
    } catch (error) {
      return { locale: "", messages: {} };
    }
  }

  function say(element, message) {
    if (message) {
      element.textContent = message;
    }
  }

  function draw(element, settings) {
    var source = document.getElementById(element.getAttribute("data-figure"));
    if (!source) {
      return;
    }
    var messages = settings.messages || {};
    if (!window.Plotly) {
      say(element, messages.noLibrary);
      return;
    }
    var figure;
    try {
      figure = JSON.parse(source.textContent);
    } catch (error) {
      say(element, messages.unreadable);
      return;
    }
    var config = Object.assign({}, CONFIG);
    if (settings.locale) {
      config.locale = settings.locale; // registered by the page's plotly.js locale script
    }
    if (settings.dateFormats) {
      // Per key, these come before the registered locale's: days on date axes as the page writes them.
      config.locales = {};
      config.locales[config.locale || "en-US"] = { format: settings.dateFormats };
    }
    if (element.hasAttribute("data-empty")) {
      config.staticPlot = true; // an empty state is a message, not something to zoom
    }
    window.Plotly.newPlot(element, figure.data || [], figure.layout || {}, config);
  }

  function keepCustomPeriod(form) {
    var period = form.querySelector("select[name=period]");
    if (!period) {
      return;
    }
    form.querySelectorAll("input[name=start], input[name=end]").forEach(function (input) {
      input.addEventListener("change", function () {
        period.value = "custom";
      });
    });
  }

  function ready() {
    var settings = readSettings();
    document.querySelectorAll("[data-figure]").forEach(function (element) {
      draw(element, settings);
    });
    document.querySelectorAll("form.filter-bar").forEach(keepCustomPeriod);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
