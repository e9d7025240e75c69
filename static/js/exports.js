// An export job's page: polls the job's state once a second and moves the progress bar, until the
// file is ready (the download link appears) or the export failed. Without script the page refreshes.
// Every word shown comes from the server in the reader's language (status_label, rows_text, error).
(function () {
  "use strict";
  var card = document.querySelector("[data-export-job]");
  if (!card) return;
  var bar = card.querySelector("[data-export-progress]");
  var status = card.querySelector("[data-export-status]");
  var rows = card.querySelector("[data-export-rows]");
  var link = card.querySelector("[data-export-download]");
  var error = card.querySelector("[data-export-error]");

  function show(state) {
    status.textContent = state.status_label;
    rows.textContent = state.rows_text;
    if (state.progress !== null) bar.value = state.progress;
    if (state.download_url) {
      link.href = state.download_url;
      link.hidden = false;
    }
    if (state.error) {
      error.textContent = state.error;
      error.hidden = false;
    }
    return ["done", "failed", "expired"].indexOf(state.status) === -1;
  }

  function poll() {
    fetch(card.dataset.stateUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state === null || show(state)) window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  poll();
})();
