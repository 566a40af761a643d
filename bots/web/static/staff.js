// Staff triage page: every piece of inquiry text is written with textContent (never innerHTML).
"use strict";

const FIELDS = ["ai", "biomedicine", "new_materials", "renewable_energy", "digital_economy", "low_altitude_economy",
  "composites", "railway_equipment", "agriculture", "environment", "aerospace", "manufacturing", "other"];
const KEY_STORE = "ttc-staff-key";
const $ = (id) => document.getElementById(id);
let selected = null;

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function notice(text, ok) {
  $("notice").textContent = text || "";
  $("notice").className = ok ? "notice ok" : "notice";
}

async function api(path, options) {
  const key = sessionStorage.getItem(KEY_STORE);
  if (!key) throw new Error("Enter the staff key first.");
  const headers = { "Authorization": "Bearer " + key, "Accept": "application/json" };
  if (options && options.body) headers["Content-Type"] = "application/json";
  const response = await fetch(path, Object.assign({}, options, { headers }));
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const message = data.error ? data.error.message : response.statusText;
    if (response.status === 401 || response.status === 403) sessionStorage.removeItem(KEY_STORE);
    throw new Error(response.status + ": " + message);
  }
  return data;
}

function when(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + pad(d.getHours()) + ":" +
    pad(d.getMinutes());
}

async function loadQueue() {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData($("filters"))) if (value) params.set(name, String(value).trim());
  try {
    const data = await api("/v1/inquiries?" + params.toString());
    renderQueue(data.inquiries);
    $("count").textContent = data.count + (data.count === 1 ? " inquiry" : " inquiries");
  } catch (error) {
    notice(error.message);
  }
}

function renderQueue(items) {
  const body = $("queue").querySelector("tbody");
  body.replaceChildren();
  $("empty").hidden = items.length > 0;
  for (const item of items) {
    const c = item.classification;
    const row = el("tr");
    row.dataset.id = item.id;
    if (item.id === selected) row.classList.add("selected");
    row.append(el("td", when(item.created_at)));
    const status = el("td"); status.append(el("span", item.status, "badge " + item.status)); row.append(status);
    const labels = el("td", c.intent); labels.append(el("div", c.field, "muted"));
    row.append(labels, el("td", c.language));
    const urgency = el("td"); urgency.append(el("span", c.urgency, "badge " + c.urgency)); row.append(urgency);
    const message = el("td"); message.append(el("div", item.message, "msg"));
    row.append(el("td", item.routed_to.queue || ""), message);
    row.addEventListener("click", () => showDetail(item.id));
    body.append(row);
  }
}

function fact(list, name, value) {
  list.append(el("dt", name), el("dd", value === null || value === undefined || value === "" ? "—" : value));
}

async function showDetail(id) {
  try {
    renderDetail(await api("/v1/inquiries/" + encodeURIComponent(id)));
    selected = id;
    for (const row of document.querySelectorAll("#queue tbody tr")) {
      row.classList.toggle("selected", row.dataset.id === id);
    }
  } catch (error) {
    notice(error.message);
  }
}

function renderDetail(d) {
  const c = d.classification, r = d.routed_to;
  $("detail").hidden = false;
  $("d-title").textContent = "Inquiry " + d.id + " · " + d.status;
  $("d-message").textContent = d.message;
  const facts = $("d-facts"); facts.replaceChildren();
  fact(facts, "Intent", c.intent + " (confidence " + c.confidence + ")");
  fact(facts, "Field", c.field);
  fact(facts, "Language", c.language);
  fact(facts, "Urgency", c.urgency);
  fact(facts, "Channel", d.channel);
  fact(facts, "Contact", d.contact);
  fact(facts, "Assignee", d.assignee);
  fact(facts, "Repeats merged", d.duplicates);
  fact(facts, "Received", when(d.created_at));
  $("d-route").textContent = (r.institution || "") + " (" + (r.country || "") + ") → queue " + (r.queue || "") +
    (r.example ? " [example directory]" : "");
  $("d-reason").textContent = r.reason || "";
  const alternatives = $("d-alternatives"); alternatives.replaceChildren();
  for (const alt of r.alternatives || []) {
    alternatives.append(el("li", "Alternative: " + alt.institution + " (" + alt.country + ") → " + alt.queue));
  }
  const records = $("d-records"); records.replaceChildren();
  for (const rec of d.related_records) {
    const where = [rec.organization, rec.country, rec.field].filter(Boolean).join(", ");
    const item = el("li", (rec.suggested ? "suggested · " : "from user · ") + "[" + rec.kind + "] " + rec.title +
      (where ? " — " + where : "") + " (" + rec.id + ") ");
    const page = el("a", "record page ↗");
    page.href = "/records/" + encodeURIComponent(rec.id) + "?lang=en";
    page.target = "_blank";
    page.rel = "noopener";
    item.append(page);
    records.append(item);
  }
  if (!d.related_records.length) records.append(el("li", "none", "muted"));
  const deliveries = $("d-deliveries"); deliveries.replaceChildren();
  for (const item of d.deliveries) {
    const state = item.delivered_at ? "delivered " + when(item.delivered_at) : "pending" +
      (item.last_error ? " (last error: " + item.last_error + ")" : "");
    deliveries.append(el("li", item.channel + " · " + state + " · " + item.text));
  }
  if (!d.deliveries.length) deliveries.append(el("li", "none", "muted"));
  const events = $("d-events"); events.replaceChildren();
  for (const event of d.events) {
    const extra = event.detail.text || event.detail.reason || (event.detail.to !== undefined ? "→ " + event.detail.to : "");
    events.append(el("li", when(event.at) + " · " + event.type + " · " + event.actor + (extra ? " · " + extra : "")));
  }
  const form = $("update");
  form.elements.status.value = "";
  form.elements.assignee.value = d.assignee || "";
  form.elements.reply.value = "";
}

async function saveUpdate(event) {
  event.preventDefault();
  if (!selected) return;
  const form = $("update");
  const body = {};
  if (form.elements.status.value) body.status = form.elements.status.value;
  if (form.elements.assignee.value.trim()) body.assignee = form.elements.assignee.value.trim();
  if (form.elements.reply.value.trim()) body.reply = form.elements.reply.value.trim();
  try {
    const d = await api("/v1/inquiries/" + encodeURIComponent(selected), { method: "PATCH", body: JSON.stringify(body) });
    renderDetail(d);
    notice(body.reply ? "Reply queued for delivery via " + d.channel + "." : "Saved.", true);
    await loadQueue();
  } catch (error) {
    notice(error.message);
  }
}

function init() {
  const fieldFilter = $("field-filter");
  for (const field of FIELDS) fieldFilter.append(el("option", field));
  $("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const key = $("key").value.trim();
    if (!key) return;
    sessionStorage.setItem(KEY_STORE, key);
    $("key").value = "";
    notice("");
    loadQueue();
  });
  $("forget").addEventListener("click", () => { sessionStorage.removeItem(KEY_STORE); notice("Key forgotten."); });
  $("filters").addEventListener("submit", (event) => { event.preventDefault(); loadQueue(); });
  $("update").addEventListener("submit", saveUpdate);
  if (sessionStorage.getItem(KEY_STORE)) loadQueue(); else notice("Enter the staff key to load the queue.", true);
}

document.addEventListener("DOMContentLoaded", init);
