// The journey-map editor, improved: adding, moving and removing steps happen in the page (the
// steps' fields are renumbered so the post is the same as without script), the focus stays on the
// button pressed, each change is announced, and the preview comes back without leaving the page.
// Without this script every button posts the form and the server makes the same change.
// Also the re-assembly page: polls the run's state once a second and moves the progress bar.
// Every word shown comes from the server in the reader's language (data attributes, fragments, JSON).
(function () {
  "use strict";

  var editor = document.querySelector("[data-map-editor]");
  if (editor) mapEditor(editor);
  var run = document.querySelector("[data-assembly-run]");
  if (run) runProgress(run);

  function mapEditor(form) {
    var list = form.querySelector("[data-steps]");
    var template = form.querySelector("[data-step-template]");
    var total = form.querySelector("input[name='steps-TOTAL_FORMS']");
    var select = form.querySelector("[data-add-select]");
    var announcer = form.querySelector("[data-announce]");
    var empty = form.querySelector("[data-steps-empty]");
    var unsaved = form.querySelector("[data-unsaved]");
    var preview = form.querySelector("[data-preview]");
    var prefixed = /steps-(\d+|__prefix__)-/;

    function rows() {
      return Array.prototype.slice.call(list.querySelectorAll("[data-step]"));
    }

    function words(pattern, name, position) {
      return pattern.replace("__NAME__", name).replace("__POSITION__", String(position));
    }

    function nameOf(row) {
      return row.querySelector("[data-step-name]").textContent.trim();
    }

    function announce(text) {
      announcer.textContent = "";
      window.setTimeout(function () { announcer.textContent = text; }, 50);
    }

    function markChanged() {
      if (unsaved) unsaved.hidden = false;
      var publish = document.querySelector("[data-publish]");
      if (publish) publish.disabled = true;
    }

    function renumber() {
      var all = rows();
      all.forEach(function (row, index) {
        Array.prototype.forEach.call(row.querySelectorAll("[name], [id], label[for]"), function (element) {
          ["name", "id", "for"].forEach(function (attribute) {
            var value = element.getAttribute(attribute);
            if (value && prefixed.test(value)) {
              element.setAttribute(attribute, value.replace(prefixed, "steps-" + index + "-"));
            }
          });
        });
        row.querySelector("input[name$='-position']").value = String(index + 1);
        row.querySelector("[data-step-number]").textContent = String(index + 1);
        var up = row.querySelector("[data-move='up']");
        var down = row.querySelector("[data-move='down']");
        up.value = index + ":up";
        down.value = index + ":down";
        row.querySelector("[data-remove]").value = String(index);
        toggleDisabled(up, index === 0);
        toggleDisabled(down, index === all.length - 1);
      });
      total.value = String(all.length);
      if (empty) empty.hidden = all.length > 0;
      var used = {};
      all.forEach(function (row) { used[row.querySelector("input[name$='-touchpoint']").value] = true; });
      Array.prototype.forEach.call(select.options, function (option) {
        if (option.value) option.disabled = Boolean(used[option.value]);
      });
    }

    function toggleDisabled(button, disabled) {
      if (disabled) button.setAttribute("aria-disabled", "true");
      else button.removeAttribute("aria-disabled");
    }

    function flash(row) {
      row.classList.add("moved");
      window.setTimeout(function () { row.classList.remove("moved"); }, 700);
    }

    function move(button) {
      if (button.getAttribute("aria-disabled") === "true") return;
      var row = button.closest("[data-step]");
      // Move the neighbour, not the row holding the focus: the focus stays where it is.
      if (button.dataset.move === "up") {
        list.insertBefore(row.previousElementSibling, row.nextElementSibling);
      } else {
        list.insertBefore(row.nextElementSibling, row);
      }
      renumber();
      flash(row);
      markChanged();
      if (button.getAttribute("aria-disabled") === "true") {
        row.querySelector("[data-move='" + (button.dataset.move === "up" ? "down" : "up") + "']").focus();
      }
      announce(words(list.dataset.moved, nameOf(row), rows().indexOf(row) + 1));
    }

    function remove(button) {
      var row = button.closest("[data-step]");
      var next = row.nextElementSibling || row.previousElementSibling;
      var name = nameOf(row);
      row.remove();
      renumber();
      markChanged();
      (next ? next.querySelector("[data-remove]") : select).focus();
      announce(words(list.dataset.removed, name, 0));
    }

    function add() {
      var option = select.options[select.selectedIndex];
      if (!option || !option.value || option.disabled) {
        select.focus();
        return;
      }
      var index = rows().length;
      var holder = document.createElement("ol");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
      var row = holder.querySelector("[data-step]");
      var name = option.dataset.name;
      row.querySelector("[data-step-name]").textContent = name;
      var stage = row.querySelector("[data-step-stage]");
      stage.className = "stage stage-" + option.dataset.stage;
      stage.textContent = option.dataset.stageLabel;
      row.querySelector("[data-step-channel]").textContent = option.dataset.channel;
      Array.prototype.forEach.call(row.querySelectorAll("[data-step-name-hidden]"), function (span) {
        span.textContent = " (" + name + ")";
      });
      row.querySelector("input[name$='-touchpoint']").value = option.value;
      row.querySelector("input[name$='-floor_score']").value = option.dataset.floor || "";
      row.querySelector("[data-move='up']").setAttribute("aria-label", words(list.dataset.labelUp, name, 0));
      row.querySelector("[data-move='down']").setAttribute("aria-label", words(list.dataset.labelDown, name, 0));
      row.querySelector("[data-remove]").setAttribute("aria-label", words(list.dataset.labelRemove, name, 0));
      list.appendChild(row);
      select.value = "";
      renumber();
      flash(row);
      markChanged();
      select.focus();
      announce(words(list.dataset.added, name, index + 1));
    }

    function showPreview() {
      var data = new FormData(form);
      data.set("action", "preview");
      preview.setAttribute("aria-busy", "true");
      fetch(form.dataset.previewUrl, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          preview.innerHTML = html;
          preview.removeAttribute("aria-busy");
        })
        .catch(function () {
          preview.removeAttribute("aria-busy");
          form.requestSubmit(form.querySelector("[data-preview-button]"));
        });
    }

    form.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button || !form.contains(button)) return;
      if (button.hasAttribute("data-move")) {
        event.preventDefault();
        move(button);
      } else if (button.hasAttribute("data-remove")) {
        event.preventDefault();
        remove(button);
      } else if (button.hasAttribute("data-add")) {
        event.preventDefault();
        add();
      } else if (button.hasAttribute("data-preview-button")) {
        event.preventDefault();
        showPreview();
      }
    });
    form.addEventListener("input", function (event) {
      if (event.target !== select) markChanged();
    });
    form.addEventListener("change", function (event) {
      if (event.target !== select) markChanged();
    });
    renumber();
  }

  function runProgress(card) {
    var bar = card.querySelector("[data-run-progress]");
    var percent = card.querySelector("[data-run-percent]");
    var status = card.querySelector("[data-run-status]");
    var text = card.querySelector("[data-run-text]");
    var error = card.querySelector("[data-run-error]");
    var done = card.querySelector("[data-run-done]");

    function show(state) {
      status.textContent = state.status_label;
      text.textContent = state.progress_text;
      bar.value = state.percent;
      percent.textContent = state.percent + "%";
      error.textContent = state.error;
      error.hidden = !state.error;
      done.hidden = state.status !== "done";
      return !state.finished;
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
  }
})();
