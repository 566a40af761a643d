// Staff insights view: what people ask, what we could not answer, ratings. Text goes in with textContent only.
"use strict";

(() => {
  const KEY_STORE = "ttc-staff-key";
  const FIELDS = ["ai", "biomedicine", "new_materials", "renewable_energy", "digital_economy", "low_altitude_economy",
    "composites", "railway_equipment", "agriculture", "environment", "aerospace", "manufacturing", "other"];
  const COLORS = ["#0b5cad", "#0d9488", "#b45309", "#7c3aed", "#be185d", "#4d7c0f", "#0e7490", "#9a3412", "#64748b"];
  const SVG = "http://www.w3.org/2000/svg";
  const $ = (id) => document.getElementById(id);

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function svg(tag, attrs) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
    return node;
  }

  function notice(text, ok) {
    $("notice").textContent = text || "";
    $("notice").className = ok ? "notice ok" : "notice";
  }

  async function call(path, options) {
    const key = sessionStorage.getItem(KEY_STORE);
    if (!key) throw new Error("Enter the staff key first.");
    const headers = { Authorization: "Bearer " + key, Accept: "application/json" };
    if (options && options.body) headers["Content-Type"] = "application/json";
    const response = await fetch(path, Object.assign({}, options, { headers }));
    if (!response.ok) {
      const data = await response.json().catch(() => ({}));
      if (response.status === 401 || response.status === 403) sessionStorage.removeItem(KEY_STORE);
      throw new Error(response.status + ": " + (data.error ? data.error.message : response.statusText));
    }
    return response;
  }

  const days = () => $("ins-days").value;
  const day = (iso) => (iso ? iso.slice(0, 10) : "");

  function show(view) {
    const insights = view === "insights";
    $("insights").hidden = !insights;
    for (const node of document.querySelectorAll(".queue-view")) node.hidden = insights;
    $("show-insights").setAttribute("aria-pressed", String(insights));
    $("show-queue").setAttribute("aria-pressed", String(!insights));
    if (insights) load();
    history.replaceState(null, "", insights ? "#insights" : "#");
  }

  async function load() {
    if (!sessionStorage.getItem(KEY_STORE)) {
      notice("Enter the staff key to load the insights.", true);
      return;
    }
    try {
      const data = await (await call("/v1/insights?days=" + encodeURIComponent(days()))).json();
      render(data);
      notice("");
    } catch (error) {
      notice(error.message);
    }
  }

  function render(data) {
    renderCounts(data);
    renderChart(data.per_day || []);
    renderUnanswered(data.unanswered || []);
    renderDown(data.down_rated || []);
    renderFields(data.fields || {});
  }

  function renderCounts(data) {
    const share = data.questions ? Math.round((100 * data.answered) / data.questions) + "%" : "–";
    const cards = [["Questions", data.questions], ["Answered", data.answered + " (" + share + ")"],
      ["Not answered", data.unanswered_count], ["👍 Helpful", data.feedback.up], ["👎 Not helpful", data.feedback.down],
      ["Languages", Object.keys(data.languages).length]];
    $("ins-counts").replaceChildren(...cards.map(([label, value]) => {
      const card = el("div", null, "ins-count");
      card.append(el("strong", value), el("span", label, "muted"));
      return card;
    }));
  }

  /** Stacked bars: one per day, one colour per language (the eight most asked, the rest as "other"). */
  function renderChart(perDay) {
    const totals = {};
    for (const d of perDay) for (const [code, n] of Object.entries(d.languages)) totals[code] = (totals[code] || 0) + n;
    const ranked = Object.keys(totals).sort((a, b) => totals[b] - totals[a]);
    const shown = ranked.slice(0, 8);
    const series = ranked.length > 8 ? [...shown, "other"] : shown;
    const color = (code) => COLORS[series.indexOf(code) % COLORS.length];
    // drawn at the container's own width, so labels keep their size on a phone
    const width = Math.max(280, Math.round($("ins-chart").clientWidth || 720)), height = 200;
    const left = 34, bottom = 24, top = 8;
    const max = Math.max(1, ...perDay.map((d) => d.questions));
    const step = (width - left - 4) / Math.max(1, perDay.length);
    const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "ins-svg",
      "aria-label": "Questions per day by language" });
    const plot = height - bottom - top;
    const ticks = [...new Set([0, Math.round(max / 2), max])];
    for (const value of ticks) {
      const y = top + plot - (value / max) * plot;
      chart.append(svg("line", { x1: left, x2: width, y1: y, y2: y, stroke: "#d8dee5" }));
      const label = svg("text", { x: left - 6, y: y + 4, "text-anchor": "end", "font-size": 11, fill: "#5d6b7a" });
      label.textContent = String(value);
      chart.append(label);
    }
    perDay.forEach((d, i) => {
      const x = left + i * step + step * 0.15;
      let y = top + plot;
      const parts = {};
      for (const [code, n] of Object.entries(d.languages)) {
        const key = shown.includes(code) ? code : "other";
        parts[key] = (parts[key] || 0) + n;
      }
      for (const code of series) {
        if (!parts[code]) continue;
        const h = (parts[code] / max) * plot;
        y -= h;
        const bar = svg("rect", { x, y, width: Math.max(1, step * 0.7), height: h, fill: color(code) });
        const title = svg("title");
        title.textContent = `${d.date} ${code}: ${parts[code]}`;
        bar.append(title);
        chart.append(bar);
      }
      const every = Math.ceil(perDay.length / Math.max(2, Math.floor(width / 70)));
      if ((perDay.length - 1 - i) % every === 0) {
        const label = svg("text", { x: x + step * 0.35, y: height - 6, "text-anchor": "middle", "font-size": 11,
          fill: "#5d6b7a" });
        label.textContent = d.date.slice(5);
        chart.append(label);
      }
    });
    $("ins-chart").replaceChildren(chart);
    $("ins-legend").replaceChildren(...series.map((code) => {
      const item = el("li");
      const swatch = svg("svg", { width: 12, height: 12, "aria-hidden": "true" });
      swatch.append(svg("rect", { width: 12, height: 12, rx: 2, fill: color(code) }));
      item.append(swatch, el("span", code + " " + (code === "other" ? "" : totals[code])));
      return item;
    }));
  }

  function renderUnanswered(groups) {
    const body = $("ins-unanswered").querySelector("tbody");
    body.replaceChildren();
    $("ins-unanswered-empty").hidden = groups.length > 0;
    for (const group of groups) {
      const row = el("tr");
      const question = el("td");
      question.append(el("div", group.question, "ins-question"));
      const others = (group.variants || []).filter((v) => v !== group.question);
      if (others.length) question.append(el("div", "also: " + others.slice(0, 2).join(" · "), "muted ins-variants"));
      const action = el("td");
      const draft = el("button", "Draft a demand", "secondary ins-draft-button");
      draft.type = "button";
      draft.addEventListener("click", () => openDraft(group));
      action.append(draft);
      row.append(question, el("td", group.language), el("td", group.count), el("td", day(group.last_asked)), action);
      body.append(row);
    }
  }

  function renderDown(items) {
    $("ins-down-empty").hidden = items.length > 0;
    $("ins-down").replaceChildren(...items.map((item) => {
      const li = el("li");
      li.append(el("div", item.question, "ins-question"));
      if (item.comment) li.append(el("blockquote", item.comment));
      const facts = [item.language, item.channel, day(item.rated_at || item.asked_at),
        item.answered ? item.cited.length + " cited" : "not answered"];
      li.append(el("div", facts.join(" · "), "muted"));
      return li;
    }));
  }

  function renderFields(fields) {
    const max = Math.max(1, ...Object.values(fields));
    $("ins-fields").replaceChildren(...Object.entries(fields).map(([name, n]) => {
      const li = el("li");
      const meter = el("meter");
      meter.max = max;
      meter.value = n;
      li.append(el("span", name), meter, el("span", n, "muted"));
      return li;
    }));
  }

  function openDraft(group) {
    const form = $("ins-draft");
    form.elements.title.value = group.question.slice(0, 500);
    form.elements.description.value = "Asked " + group.count + " time(s) through the TTC assistant (last on " +
      day(group.last_asked) + ") and not answered by any record:\n\n" + (group.variants || [group.question]).join("\n");
    form.elements.language.value = group.language || "";
    form.hidden = false;
    form.scrollIntoView({ behavior: "smooth", block: "center" });
    form.elements.title.focus();
  }

  async function publishDraft(event) {
    event.preventDefault();
    const form = $("ins-draft");
    const record = { id: "demand-" + Date.now().toString(36) + Math.random().toString(36).slice(2, 6),
      kind: "demand", source: "ttc-insights" };
    for (const name of ["title", "description", "field", "language", "country", "organization"]) {
      const value = form.elements[name].value.trim();
      if (value) record[name] = name === "country" ? value.toUpperCase() : value;
    }
    try {
      const report = await (await call("/v1/records", { method: "POST", body: JSON.stringify([record]) })).json();
      if (report.rejected) throw new Error("rejected: " + report.errors.map((e) => e.error).join("; "));
      form.hidden = true;
      notice("Demand " + record.id + " published.", true);
    } catch (error) {
      notice(error.message);
    }
  }

  async function downloadCsv() {
    try {
      const blob = await (await call("/v1/insights/questions.csv?days=" + encodeURIComponent(days()))).blob();
      const link = el("a");
      link.href = URL.createObjectURL(blob);
      link.download = "ttc-questions-" + days() + "d.csv";
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    } catch (error) {
      notice(error.message);
    }
  }

  function init() {
    for (const field of FIELDS) $("ins-draft-field").append(el("option", field));
    $("show-insights").addEventListener("click", () => show("insights"));
    $("show-queue").addEventListener("click", () => show("queue"));
    $("ins-refresh").addEventListener("click", load);
    $("ins-days").addEventListener("change", load);
    $("ins-csv").addEventListener("click", downloadCsv);
    $("ins-draft").addEventListener("submit", publishDraft);
    $("ins-draft-cancel").addEventListener("click", () => { $("ins-draft").hidden = true; });
    $("key-form").addEventListener("submit", () => { if (!$("insights").hidden) load(); });
    if (location.hash === "#insights") show("insights");
  }

  document.addEventListener("DOMContentLoaded", init);
})();
