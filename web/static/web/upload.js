/* Roster upload: after the dry-run preview, import and follow the progress. */
"use strict";
const preview = document.getElementById("preview");
if (preview) {
  const token = preview.dataset.token;
  const button = document.getElementById("import-now");
  const progress = document.getElementById("progress");
  const bar = document.getElementById("bar");
  const text = document.getElementById("progress-text");
  const csrf = document.querySelector("[name=csrfmiddlewaretoken]").value;

  function showReport(report) {
    const summary = Object.entries(report.summary).map(([k, v]) => `<span class="pill ${k}">${escapeHtml(T[k] || k)}: <b>${v}</b></span>`).join("");
    document.getElementById("final-report").innerHTML = `<h2>${T.report}</h2><p id="final-summary">${summary}</p>`;
    document.getElementById("final-report").hidden = false;
  }

  async function poll() {
    const response = await fetch(`/upload-excel/${token}/status/`, { credentials: "same-origin" });
    const state = await response.json();
    if (state.state === "running") {
      const pct = state.total ? Math.round(100 * state.done / state.total) : 0;
      bar.style.width = pct + "%";
      text.textContent = `${T.importing} ${state.done}/${state.total}`;
      setTimeout(poll, 500);
    } else if (state.state === "done") {
      bar.style.width = "100%";
      text.textContent = T.done;
      showReport(state.report);
    } else {
      text.textContent = state.error || "error";
    }
  }

  button.addEventListener("click", async () => {
    button.disabled = true;
    progress.hidden = false;
    await fetch(`/upload-excel/${token}/import/`, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf } });
    poll();
  });
}
