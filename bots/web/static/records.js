/* Records on the page: source cards, the record sheet, partner suggestions, and answers that cite records.
   Record text is untrusted: it only ever reaches the page as text nodes. */

import { getRecord } from "./api.js";
import { $, el } from "./dom.js";
import { countryLine, fieldLabel, language, t } from "./lang.js";
import { translationToggle } from "./translation.js";

/** How the record sheet offers introductions; the app sets it from /v1/config. */
export const introductions = { enabled: false, open: (recordIds, about) => {} };

function badge(kind, text, i18nKey) {
  const node = el("span", { class: "badge " + kind, text });
  if (i18nKey) node.dataset.label = i18nKey;
  return node;
}
export function kindBadge(kind) {
  return kind ? badge(kind, t(kind), kind) : null;
}

export function recordCard(item, number) {
  const meta = el("span", { class: "card-meta" });
  if (item.organization) meta.append(el("span", { text: item.organization }));
  if (item.organization && item.country) meta.append(document.createTextNode(" · "));
  if (item.country) meta.append(el("span", { text: countryLine(item.country), "data-country": item.country }));
  const badges = el("span", { class: "badges" }, kindBadge(item.kind));
  if (item.field) badges.append(el("span", { class: "badge", text: fieldLabel(item.field), "data-field": item.field }));
  const trl = el("span", { class: "badge trl", hidden: true });
  badges.append(trl);
  const showTrl = (value) => {
    if (!value) return;
    trl.textContent = `TRL ${value}`;
    trl.title = t("trl_full");
    trl.hidden = false;
  };
  if (item.trl) showTrl(item.trl);
  else getRecord(item.id).then((record) => showTrl(record.trl), () => {});
  const title = el("span", { class: "card-title", text: item.title || item.id });
  const snippet = item.snippet ? el("span", { class: "card-snippet", text: item.snippet }) : null;
  const button = el("button", { type: "button", class: "card", "aria-haspopup": "dialog", onclick: () => openRecord(item.id) },
    number ? el("span", { class: "num", text: `[${number}]`, "aria-hidden": "true" }) : null,
    badges,
    title,
    meta.childNodes.length ? meta : null,
    snippet,
  );
  const tr = item.translation;
  const toggle = tr && translationToggle(tr, [[title, tr.title, item.title], [snippet, tr.snippet, item.snippet]]);
  return el("li", { class: toggle ? "translated" : null }, button, toggle);
}

export async function openRecord(id) {
  const dialog = $("record-dialog");
  $("record-title").textContent = t("loading");
  for (const id2 of ["record-org", "record-description"]) $(id2).textContent = "";
  $("record-facts").replaceChildren();
  $("record-badges").replaceChildren();
  $("record-page").hidden = true;
  if (!dialog.open) dialog.showModal();
  let record;
  try {
    record = await getRecord(id);
  } catch (error) {
    $("record-title").textContent = error.status === 404 ? t("not_found") : t("error");
    return;
  }
  $("record-badges").append(kindBadge(record.kind));
  if (record.field) $("record-badges").append(el("span", { class: "badge", text: fieldLabel(record.field) }));
  if (record.trl) $("record-badges").append(el("span", { class: "badge trl", text: `TRL ${record.trl}`, title: t("trl_full") }));
  $("record-title").textContent = record.title;
  $("record-org").textContent = [record.organization, countryLine(record.country)].filter(Boolean).join(" · ");
  $("record-description").textContent = record.description;
  showRecordTranslation(id, record);
  const facts = $("record-facts");
  const fact = (key, value) => {
    if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) return;
    facts.append(el("dt", { text: t(key) }), el("dd", {}, value instanceof Node ? value : document.createTextNode(
      Array.isArray(value) ? value.join(", ") : String(value))));
  };
  fact("trl_full", record.trl);
  fact("ip_status", record.ip_status ? record.ip_status.replaceAll("_", " ") : "");
  fact("cooperation", (record.cooperation || []).map((c) => c.replaceAll("_", " ")));
  fact("keywords", record.keywords);
  fact("contact", record.contact);
  fact("website", safeLink(record.url));
  fact("date", record.date);
  fact("source", record.source);
  const page = $("record-page");
  page.href = `/records/${encodeURIComponent(record.id)}?lang=${encodeURIComponent(language())}`;
  page.hidden = false;
  const intro = $("record-intro");
  intro.hidden = !introductions.enabled;
  intro.onclick = () => introductions.open([record.id], `${t("intro_about")} ${record.title}`);
}

/** The record's machine translation into the page language, when the server has one, with the original a click away. */
async function showRecordTranslation(id, record) {
  $("record-translation")?.remove();
  if (!record.language || record.language === language()) return;
  let translated;
  try {
    translated = (await getRecord(id, language())).translation;
  } catch {
    return;
  }
  if (!translated || $("record-title").textContent !== record.title) return;
  const toggle = translationToggle(translated, [[$("record-title"), translated.title, record.title],
    [$("record-description"), translated.description, record.description]]);
  toggle.id = "record-translation";
  $("record-org").after(toggle);
}

function safeLink(url) {
  if (!url) return "";
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return url;
  return el("a", { href: parsed.href, target: "_blank", rel: "noopener noreferrer nofollow", text: parsed.host + parsed.pathname.replace(/\/$/, "") });
}

export function partnerList(partners) {
  const list = el("ul", { class: "partners" });
  const top = Math.max(...partners.map((p) => Number(p.score) || 0), 1e-9);
  for (const partner of partners) {
    const name = partner.organization || "—";
    const evidence = el("div", { class: "partner-evidence" });
    for (const id of partner.evidence || []) {
      const chip = el("button", { type: "button", text: id, "aria-haspopup": "dialog", onclick: () => openRecord(id) });
      getRecord(id).then((record) => { chip.textContent = record.title; chip.title = record.title; }, () => {});
      evidence.append(chip);
    }
    const body = el("div", {},
      el("div", { class: "partner-name", text: name }),
      el("div", { class: "partner-reason", text: [countryLine(partner.country), partner.reason].filter(Boolean).join(" · ") }),
      evidence.childNodes.length ? evidence : null);
    const share = Math.round(100 * (Number(partner.score) || 0) / top);
    const meter = el("div", { class: "meter", role: "img", "aria-label": `${share}%` }, Object.assign(el("span"), { style: `width:${share}%` }));
    list.append(el("li", { class: "partner" }, el("span", { class: "avatar", "aria-hidden": "true", text: initials(name) }), body, meter));
  }
  return list;
}
function initials(name) {
  const words = name.replace(/[^\p{L}\p{N} ]/gu, " ").split(/\s+/).filter(Boolean);
  return (words.slice(0, 2).map((w) => [...w][0]).join("") || "?").toUpperCase();
}

/** The answer as paragraphs and lists; a cited record id ("[id]" or "[n]") becomes a button that opens it. */
export function renderAnswer(container, text, citations, evidence) {
  container.replaceChildren();
  let list = null;
  let item = null;
  for (const raw of text.split("\n")) {
    const line = raw.trimEnd();
    const bullet = /^\s*([-•*]|\d+[.)])\s+(.*)$/.exec(line);
    if (bullet) {
      const ordered = /\d/.test(bullet[1]);
      if (!list || (list.tagName === "OL") !== ordered) container.append((list = el(ordered ? "ol" : "ul")));
      list.append((item = withRefs(el("li"), bullet[2], citations, evidence)));
    } else if (item && /^\s{2,}\S/.test(line)) {
      item.append(withRefs(el("span", { class: "sub" }), line.trim(), citations, evidence));
    } else if (line.trim()) {
      list = item = null;
      container.append(withRefs(el("p"), line, citations, evidence));
    } else {
      list = item = null;
    }
  }
}
function withRefs(node, text, citations, evidence) {
  let last = 0;
  for (const match of text.matchAll(/\[([\w.:\-]{1,200})\]/g)) {
    const key = match[1];
    let index = citations.findIndex((c) => c.id === key);
    if (index < 0 && /^\d{1,2}$/.test(key) && citations[Number(key) - 1]) index = Number(key) - 1;
    if (index < 0 && !(evidence && evidence.has(key))) continue;
    node.append(document.createTextNode(text.slice(last, match.index).replace(/\s+$/, " ")));
    const id = index < 0 ? key : citations[index].id;
    const label = index < 0 ? "↗" : String(index + 1);
    node.append(el("button", { type: "button", class: "ref", text: label, title: index < 0 ? id : citations[index].title,
      "aria-label": `${t("details")} ${index < 0 ? id : index + 1}`, "aria-haspopup": "dialog", onclick: () => openRecord(id) }));
    last = match.index + match[0].length;
  }
  node.append(document.createTextNode(text.slice(last)));
  return node;
}
