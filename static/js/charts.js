/* Draws the dashboards' figures with plotly.js (served from the installed plotly package).
 *
 * Each figure is built in Python and rendered as JSON into a
 * <script type="application/json" id="…-data"> element; the chart element names it in
 * its data-figure attribute. No inline script, no eval: a strict Content-Security-Policy
 * (script-src 'self') holds. Also keeps the filter bar's period on "Custom range" once a
 * date is edited, so the dates typed are the dates applied.
 */
(function () {
  "use strict";

  var CONFIG = {
    responsive: true,
    displaylogo: false,
    modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"],
    toImageButtonOptions: { format: "png", scale: 2 }
  };

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-figure"));
    if (!source) {
      return;
    }
    if (!window.Plotly) {
      element.textContent = "The chart library did not load; the figures are in the download.";
      return;
    }
    var figure;
    try {
      figure = JSON.parse(source.textContent);
    } catch (error) {
      element.textContent = "This figure could not be read.";
      return;
    }
    var config = Object.assign({}, CONFIG);
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
    document.querySelectorAll("[data-figure]").forEach(draw);
    document.querySelectorAll("form.filter-bar").forEach(keepCustomPeriod);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
