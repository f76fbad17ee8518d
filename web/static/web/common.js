/* Shared by every page: config, texts, JSON API calls, sign-out and the idle timer. */
"use strict";
const CONFIG = JSON.parse(document.getElementById("page-config").textContent);
const T = CONFIG.texts;

async function api(path, options = {}) {
  const init = { credentials: "same-origin", ...options };
  if (init.body && typeof init.body !== "string") {
    init.body = JSON.stringify(init.body);
    init.headers = { "Content-Type": "application/json", ...(init.headers || {}) };
  }
  const response = await fetch(path, init);
  let data;
  try { data = await response.json(); } catch (e) { data = { success: false, error: response.statusText }; }
  data.status = response.status;
  return data;
}

function escapeHtml(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function formatTime(iso) {
  if (!iso) return "—";
  return iso.replace("T", " ").slice(0, 19);
}

async function signOut() {
  await api("/api/logout/", { method: "POST" });
  window.location.href = "/";
}

const logoutButton = document.getElementById("logout");
if (logoutButton) logoutButton.addEventListener("click", signOut);

/* A shared kiosk: sign out after CONFIG.idle_seconds without input (signed-in pages only). */
function startIdleTimer() {
  const label = document.getElementById("idle");
  const seconds = document.getElementById("idle-seconds");
  let last = Date.now();
  ["mousemove", "keydown", "click", "touchstart", "scroll"].forEach((name) =>
    window.addEventListener(name, () => { last = Date.now(); }, { passive: true }));
  setInterval(() => {
    const left = Math.max(0, CONFIG.idle_seconds - Math.floor((Date.now() - last) / 1000));
    if (label) { label.hidden = left > 30; seconds.textContent = left; }
    if (left === 0) signOut();
  }, 1000);
}
