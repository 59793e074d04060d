// Lockpilot dashboard: refresh the schematic and alarms every 2 s, draw trends with the local Plotly.
(function () {
  "use strict";
  const svg = document.getElementById("schematic");
  const floorY = Number(svg.dataset.floorY), topY = Number(svg.dataset.topY), topM = Number(svg.dataset.topM);
  let windowS = 3600;

  function fmt(value, unit) {
    if (value === null || value === undefined) return "—";
    if (typeof value === "boolean") return value ? "sim" : "não";
    const digits = unit === "m" ? 2 : 1;
    return (Number(value).toFixed(digits).replace(".", ",") + " " + (unit || "")).trim();
  }
  function levelY(m) { const c = Math.max(0, Math.min(topM, Number(m) || 0)); return floorY - c / topM * (floorY - topY); }

  function updateSchematic(values) {
    document.querySelectorAll("rect.water").forEach(function (el) {
      const y = levelY(values[el.dataset.tag]);
      el.setAttribute("y", y.toFixed(1)); el.setAttribute("height", (floorY - y).toFixed(1));
    });
    document.querySelectorAll("rect.gate").forEach(function (el) {
      const opening = Math.max(0, Math.min(100, Number(values[el.dataset.tag]) || 0));
      el.setAttribute("height", ((floorY - topY) * (1 - opening / 100)).toFixed(1));
    });
    document.querySelectorAll("circle.valve").forEach(function (el) {
      const open = (Number(values[el.dataset.tag]) || 0) > 5;
      el.classList.toggle("open", open); el.classList.toggle("closed", !open);
    });
    const pump = document.getElementById("status-bomba_principal_status");
    const on = values.bomba_principal_status === true;
    pump.classList.toggle("on", on); pump.classList.toggle("off", !on);
    Object.keys(values).forEach(function (tag) {
      const el = document.getElementById("value-" + tag);
      if (!el) return;
      if (tag === "bomba_principal_status") { el.textContent = on ? "ligada" : "desligada"; return; }
      const unit = tag.startsWith("nivel") ? "m" : (tag.startsWith("posicao") || tag === "velocidade_bomba" ? "%" : "");
      el.textContent = fmt(values[tag], unit || (el.textContent.split(" ")[1] || ""));
    });
  }

  function markFaults(faulted) {
    document.querySelectorAll(".fault").forEach(function (el) { el.classList.remove("fault"); });
    (faulted || []).forEach(function (id) {
      const el = document.getElementById(id) || document.querySelector('[data-element="' + id + '"]');
      if (el) el.classList.add("fault");
    });
    document.body.dataset.faulted = (faulted || []).join(" ");
  }

  function act(alarm, action) {
    let comment = "";
    if (action === "shelve") {
      comment = window.prompt("Comentário para arquivar " + alarm.id + " por 1 h (obrigatório):", "") || "";
      if (!comment.trim()) return;
    }
    fetch("/dashboard/alarms/" + encodeURIComponent(alarm.id) + "/" + action, {
      method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ comment: comment, for_s: 3600 }),
    }).then(function (r) {
      if (!r.ok) return r.json().then(function (e) { window.alert("Não foi possível: " + (e.detail || r.status)); });
      refresh();
    });
  }

  function button(label, alarm, action) {
    const b = document.createElement("button"); b.type = "button"; b.textContent = label;
    b.className = "alarm-" + action; b.dataset.alarm = alarm.id;
    b.addEventListener("click", function () { act(alarm, action); }); return b;
  }

  function updateAlarms(alarms, error, canAct) {
    const body = document.querySelector("#alarms tbody");
    const lead = document.getElementById("first-out");
    document.getElementById("alarm-count").textContent = String(alarms.length);
    body.replaceChildren();
    const first = alarms.filter(function (a) { return a.first_out; });
    lead.hidden = first.length === 0;
    lead.textContent = first.length ? "Primeiro alarme (causa provável): " + first.map(function (a) { return a.name; }).join(", ") : "";
    if (!alarms.length) {
      const row = body.insertRow(); const cell = row.insertCell(); cell.colSpan = 5; cell.className = "muted";
      cell.textContent = error ? "Alarmes indisponíveis" : "Nenhum alarme ativo"; return;
    }
    const groups = {};
    alarms.forEach(function (a) { (groups[a.group] = groups[a.group] || []).push(a); });
    Object.keys(groups).forEach(function (key) {
      const members = groups[key].sort(function (x, y) { return (y.first_out ? 1 : 0) - (x.first_out ? 1 : 0); });
      if (members.length > 1) {
        const head = body.insertRow(); head.className = "incident";
        const c = head.insertCell(); c.colSpan = 5; c.textContent = "Incidente: " + members.length + " alarmes relacionados";
      }
      members.forEach(function (a) {
        const row = body.insertRow(); row.dataset.alarm = a.id;
        if (a.first_out) row.className = "first-out-row";
        const name = (a.first_out ? "1º · " : (members.length > 1 ? "↳ " : "")) + a.name + " (" + a.id + ")" +
          (a.command_id ? " · comando " + a.command_id : "");
        [a.priority_pt, name, a.state_pt, a.since_local].forEach(function (text, i) {
          const c = row.insertCell(); c.textContent = text; if (i === 0) c.className = "prio-" + a.priority;
        });
        const actions = row.insertCell(); actions.className = "actions";
        if (canAct) {
          if (!a.acknowledged) actions.appendChild(button("Reconhecer", a, "ack"));
          if (a.state !== "shelved") actions.appendChild(button("Arquivar 1 h", a, "shelve"));
        }
      });
    });
  }

  function refresh() {
    fetch("/dashboard/data", { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (d) {
      updateSchematic(d.values); updateAlarms(d.alarms, d.alarms_error, d.can_act); markFaults(d.faulted);
      document.getElementById("updated").textContent = "Atualizado " + new Date().toLocaleTimeString("pt-BR");
      document.body.dataset.live = "1";
    }).catch(function () { document.getElementById("updated").textContent = "Sem conexão"; });
  }

  function themeColors() {
    const s = getComputedStyle(document.body);
    return { paper_bgcolor: s.getPropertyValue("--card").trim(), plot_bgcolor: s.getPropertyValue("--card").trim(),
             font: { color: s.getPropertyValue("--fg").trim() } };
  }
  function drawTrend() {
    const tag = document.getElementById("trend-tag").value;
    fetch("/dashboard/trend?tag=" + encodeURIComponent(tag) + "&window_s=" + windowS, { credentials: "same-origin" })
      .then(function (r) { return r.json(); }).then(function (fig) {
        const layout = Object.assign({}, fig.layout || {}, themeColors(), { margin: { t: 40, r: 20, b: 40, l: 60 },
          legend: { orientation: "h", y: -0.25 } });
        Plotly.react("trend", fig.data || [], layout, { displaylogo: false, responsive: true });
      });
  }

  document.querySelectorAll("button.period").forEach(function (b) {
    if (Number(b.dataset.windowS) === windowS) b.classList.add("active");
    b.addEventListener("click", function () {
      windowS = Number(b.dataset.windowS);
      document.querySelectorAll("button.period").forEach(function (o) { o.classList.toggle("active", o === b); });
      drawTrend();
    });
  });
  document.getElementById("trend-tag").addEventListener("change", drawTrend);
  const root = document.documentElement;
  const saved = localStorage.getItem("lockpilot-theme");
  if (saved) root.dataset.theme = saved;
  document.getElementById("theme-toggle").addEventListener("click", function () {
    const dark = root.dataset.theme === "dark" || (root.dataset.theme === "auto" && matchMedia("(prefers-color-scheme: dark)").matches);
    root.dataset.theme = dark ? "light" : "dark"; localStorage.setItem("lockpilot-theme", root.dataset.theme); drawTrend();
  });
  refresh(); drawTrend();
  setInterval(refresh, 2000); setInterval(drawTrend, 30000);
})();
