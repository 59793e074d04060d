// Refresh the fleet table every 2 s from /dashboard/fleet/data (the page is complete without it).
"use strict";
const PRIORITIES = { critical: "crítica", high: "alta", medium: "média", low: "baixa" };
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const hms = (iso) => (iso ? new Date(iso).toISOString().slice(11, 19) : "—");

function row(site) {
  const state = site.online ? '<span class="on">online</span>' : '<span class="prio-critical">offline</span>';
  const alarms = Object.keys(PRIORITIES)
    .filter((p) => site.alarms_by_priority[p])
    .map((p) => `<span class="prio-${p}">${site.alarms_by_priority[p]} ${PRIORITIES[p]}</span>`)
    .join(" ");
  return `<tr data-site="${esc(site.site)}"><td>${esc(site.site)}</td><td>${state} <span class="muted">desde ${hms(site.since)}</span></td>` +
    `<td>${esc(site.sequence || "—")}</td><td>${alarms || '<span class=muted>nenhum</span>'}</td>` +
    `<td>${esc(site.first_out || "—")}</td><td>${hms(site.last_update)}</td></tr>`;
}

async function refresh() {
  try {
    const response = await fetch("/dashboard/fleet/data", { credentials: "same-origin" });
    if (!response.ok) return;
    const data = await response.json();
    document.querySelector("#fleet tbody").innerHTML = data.sites.map(row).join("");
    const online = data.sites.filter((s) => s.online).length;
    document.getElementById("summary").textContent = `${online}/${data.sites.length} online`;
  } catch (e) {
    // keep the last table
  }
}
setInterval(refresh, 2000);
