/* The agent workspace, a little faster by keyboard. Everything works without this file:
   the search is a GET form and the contact form a plain POST.
   - As-you-type search: fetch the server-rendered result list after a short pause.
   - "/" jumps to the search box (or the search page); arrows move through the results.
   - The contact form: the channel follows the touchpoint, the measure fields show only for a
     touchpoint with a measure, Ctrl/Cmd+Enter logs the contact.
   No words of its own: what it shows comes from the page, in the page's language. */
(function () {
  "use strict";

  var DEBOUNCE_MS = 200;

  function typingIn(element) {
    return element && (element.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName));
  }

  function setupSearch(form) {
    var input = form.querySelector("[data-search-input]");
    var results = document.querySelector("[data-search-results]");
    var url = form.getAttribute("data-results-url");
    if (!input || !results || !url || !window.fetch) return;
    var timer = null;
    var inflight = null;
    var last = input.value.trim();

    function load() {
      var query = input.value.trim();
      if (query === last) return;
      last = query;
      if (inflight) inflight.abort();
      inflight = window.AbortController ? new AbortController() : null;
      var address = url + "?q=" + encodeURIComponent(query);
      fetch(address, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" }, signal: inflight && inflight.signal })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));  // never shown: marks the form
          return response.text();
        })
        .then(function (html) {
          results.innerHTML = html;
          var page = form.getAttribute("action") + (query ? "?q=" + encodeURIComponent(query) : "");
          window.history.replaceState(null, "", page);
        })
        .catch(function (error) {
          if (error.name !== "AbortError") form.setAttribute("data-search-failed", "");
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(load, DEBOUNCE_MS);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        var first = results.querySelector("a.result-link");
        if (first) { event.preventDefault(); first.focus(); }
      }
    });
    results.addEventListener("keydown", function (event) {
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
      var links = Array.prototype.slice.call(results.querySelectorAll("a.result-link"));
      var index = links.indexOf(document.activeElement);
      if (index < 0) return;
      event.preventDefault();
      if (event.key === "ArrowDown" && index < links.length - 1) links[index + 1].focus();
      else if (event.key === "ArrowUp") (index > 0 ? links[index - 1] : input).focus();
    });
  }

  function setupLogForm(form) {
    var touchpoint = form.querySelector("[data-touchpoint-select]");
    var channel = form.querySelector("[data-channel-select]");
    var measure = form.querySelector("[data-measure-fields]");
    var measureLabel = form.querySelector("[data-measure-label]");

    function follow(initial) {
      var option = touchpoint.options[touchpoint.selectedIndex];
      var tpChannel = option ? option.getAttribute("data-channel") : null;
      if (channel && tpChannel && !initial) channel.value = tpChannel;
      if (measure) {
        var name = option ? option.getAttribute("data-measure") : null;
        var hasValues = Array.prototype.some.call(measure.querySelectorAll("input"), function (i) { return i.value !== ""; });
        measure.hidden = !name && !hasValues;
        if (measureLabel && name) {
          // The words come translated from the page: "({name}, {unit})", "({name})".
          var unit = option.getAttribute("data-unit");
          var template = measureLabel.getAttribute(unit ? "data-template-unit" : "data-template");
          if (template) measureLabel.textContent = template.replace("{name}", name).replace("{unit}", unit || "");
        }
      }
    }

    if (touchpoint) {
      touchpoint.addEventListener("change", function () { follow(false); });
      follow(true);
    }
    form.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      }
    });
  }

  // "/" at the start of the search box is the shortcut, never part of the query: the box has
  // autofocus, so an agent who presses "/" out of habit is already in it (no query starts with
  // a slash). Anywhere else in the box, and in every other field, "/" is typed as usual.
  function atStartOf(box) {
    return box.value === "" || box.selectionStart === 0;
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var box = document.querySelector("[data-search-input]");
    if (box && event.target === box) {
      if (atStartOf(box)) { event.preventDefault(); box.select(); }
      return;
    }
    if (typingIn(event.target)) return;
    var page = document.querySelector("[data-search-page]");
    if (!box && !page) return;
    event.preventDefault();
    if (box) { box.focus(); box.select(); }
    else window.location.href = page.href;
  });

  Array.prototype.forEach.call(document.querySelectorAll("[data-search-form]"), setupSearch);
  Array.prototype.forEach.call(document.querySelectorAll("[data-log-form]"), setupLogForm);
})();
