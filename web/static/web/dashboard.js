/* Dashboard and person pages: cards, charts, logs with filters, paging and export. */
"use strict";
const PAGE_SIZE = 20;
const STAT_KEYS = ["total_persons", "total_logins", "today_logins", "this_week_logins",
  "this_month_logins", "face_logins", "passport_logins"];

function statCards(element, values, keys) {
  element.innerHTML = keys.map((key) => `<div class="stat" data-key="${key}">
    <div class="value">${escapeHtml(values[key] ?? "—")}</div><div class="label">${escapeHtml(T[key] || key)}</div></div>`).join("");
}

function methodLabel(method) { return method === "face" ? T.face_logins : T.passport_logins; }

function logRow(log, columns) {
  const cells = {
    time: formatTime(log.login_time),
    person: log.person ? `<a href="/dashboard/person/${log.person.id}/">${escapeHtml(log.person.full_name)}</a>` : `<span class="muted">${T.unknown_person}</span>`,
    method: escapeHtml(methodLabel(log.login_method)),
    confidence: log.confidence == null ? "—" : log.confidence.toFixed(1),
    result: `<span class="pill ${log.success}">${log.success ? T.success : T.failed}</span>`,
    ip: escapeHtml(log.ip_address || "—"),
  };
  return `<tr data-id="${log.id}">${columns.map((c) => `<td>${cells[c]}</td>`).join("")}</tr>`;
}

async function fillLogs(table, query, columns) {
  const data = await api("/api/login-logs/?" + query);
  if (!data.success) { table.tBodies[0].innerHTML = `<tr><td class="error">${escapeHtml(data.error)}</td></tr>`; return data; }
  table.tBodies[0].innerHTML = data.logs.map((log) => logRow(log, columns)).join("");
  return data;
}

function barChart(element, labels, values, everyNth) {
  const width = 600, height = 180, pad = 18, max = Math.max(1, ...values);
  const step = (width - pad) / values.length;
  const bars = values.map((v, i) => {
    const h = (height - 2 * pad) * v / max;
    const x = pad + i * step;
    const label = i % everyNth === 0 ? `<text class="axis" x="${x + step / 2}" y="${height - 4}" text-anchor="middle">${escapeHtml(labels[i])}</text>` : "";
    return `<rect class="bar" x="${x + 1}" y="${height - pad - h}" width="${Math.max(1, step - 2)}" height="${h}"><title>${escapeHtml(labels[i])}: ${v}</title></rect>${label}`;
  }).join("");
  element.innerHTML = `<svg viewBox="0 0 ${width} ${height}" role="img"><text class="axis" x="2" y="10">${max}</text>${bars}</svg>`;
}

function donut(element, face, passport) {
  const total = face + passport;
  const share = total ? face / total : 0;
  const r = 60, c = 2 * Math.PI * r;
  element.innerHTML = `<svg viewBox="0 0 180 160" role="img">
    <circle cx="90" cy="80" r="${r}" fill="none" stroke="#e3e8f0" stroke-width="26"/>
    <circle cx="90" cy="80" r="${r}" fill="none" stroke="#2f6fad" stroke-width="26"
      stroke-dasharray="${c * share} ${c}" transform="rotate(-90 90 80)"/>
    <text x="90" y="86" text-anchor="middle" font-size="20" font-weight="700">${total ? Math.round(share * 100) : 0}%</text></svg>
    <div class="legend"><span><i style="background:#2f6fad"></i>${T.face_logins}: ${face}</span>
    <span><i style="background:#e3e8f0"></i>${T.passport_logins}: ${passport}</span></div>`;
}

async function staffDashboard() {
  const stats = await api("/api/statistics/");
  if (stats.success) statCards(document.getElementById("stats"), stats.stats, STAT_KEYS);
  const charts = await api("/api/charts/");
  if (charts.success) {
    barChart(document.getElementById("chart-days"), charts.per_day.map((d) => d.date.slice(5)), charts.per_day.map((d) => d.count), 5);
    barChart(document.getElementById("chart-hours"), charts.per_hour.map((h) => String(h.hour)), charts.per_hour.map((h) => h.count), 3);
    donut(document.getElementById("chart-methods"), charts.methods.face, charts.methods.passport);
  }
  const form = document.getElementById("filters");
  const table = document.getElementById("all-logs");
  const exportLink = document.getElementById("export");
  let offset = 0;
  async function load() {
    const params = new URLSearchParams();
    for (const [key, value] of new FormData(form)) if (value) params.set(key, value);
    exportLink.href = "/api/login-logs/export/?" + params;
    params.set("limit", PAGE_SIZE);
    params.set("offset", offset);
    const data = await fillLogs(table, params, ["time", "person", "method", "confidence", "result", "ip"]);
    if (data.success) {
      document.getElementById("page-info").textContent = data.total ? `${offset + 1}–${offset + data.count} / ${data.total}` : "0";
      document.getElementById("prev").disabled = offset === 0;
      document.getElementById("next").disabled = offset + data.count >= data.total;
    }
  }
  form.addEventListener("submit", (e) => { e.preventDefault(); offset = 0; load(); });
  document.getElementById("prev").addEventListener("click", () => { offset = Math.max(0, offset - PAGE_SIZE); load(); });
  document.getElementById("next").addEventListener("click", () => { offset += PAGE_SIZE; load(); });
  load();
}

async function personPage() {
  const id = CONFIG.person_id;
  const data = await api(`/api/person-statistics/${id}/`);
  if (data.success) {
    const s = data.stats;
    statCards(document.getElementById("person-stats"),
      { ...s, last_login: formatTime(s.last_login), first_login: formatTime(s.first_login) },
      ["total_logins", "face_logins", "passport_logins", "first_login", "last_login"]);
  }
  fillLogs(document.getElementById("person-logs"), `person_id=${id}&limit=50`, ["time", "method", "confidence", "result", "ip"]);
}

if (document.getElementById("my-logs") && CONFIG.person_id) {
  fillLogs(document.getElementById("my-logs"), `person_id=${CONFIG.person_id}&limit=10`, ["time", "method", "confidence", "result"]);
}
if (document.getElementById("stats")) staffDashboard();
if (document.getElementById("person-stats")) personPage();
// Only sessions started at the kiosk end by themselves; staff on their own desk stay.
if (CONFIG.kiosk_session) startIdleTimer();
