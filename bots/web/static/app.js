/* TTC Assistant web chat: the conversation, filters and the side search, introductions, and the wiring.
   Vanilla ES modules, no build step. */

import { api, apiError, describeError, readEvents } from "./api.js";
import { $, el } from "./dom.js";
import { browserLanguage, countryLine, countryName, fieldLabel, language, setLanguage, t } from "./lang.js";
import { showNextStep, wireDemandForm } from "./demand.js";
import { introductions, partnerList, recordCard, renderAnswer } from "./records.js";
import { feedbackBar } from "./feedback.js";

const state = {
  config: { languages: [], fields: [], kinds: ["achievement", "demand"], countries: [], features: {} },
  choice: stored("ttc.language") || "auto",
  sessionId: null,
  lastQuestion: "",
  controller: null,
  introRecordIds: [],
};

// Storage can be unavailable (privacy modes); the page then simply forgets the choice.
function stored(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}
function store(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch { /* not persisted */ }
}

/** The page language: the chosen one, else (auto) the browser's; labels, examples and filters follow it. */
function applyLanguage(code) {
  setLanguage(code);
  renderExamples();
  renderFilterOptions();
}

function scrollToEnd(force) {
  const nearBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 160;
  if (force || nearBottom) window.scrollTo({ top: document.body.scrollHeight });
}

// ---------------------------------------------------------------- conversation
function addUserMessage(text) {
  $("welcome").hidden = true;
  $("messages").append(el("div", { class: "msg user" }, el("div", { class: "bubble", text })));
}

function startBotMessage() {
  const status = el("div", { class: "status-line" },
    el("span", { class: "typing", "aria-hidden": "true" }, el("i"), el("i"), el("i")),
    el("span", { text: t("searching"), "data-label": "searching" }));
  const answer = el("div", { class: "answer", hidden: true });
  const bubble = el("div", { class: "bubble", "aria-busy": "true" }, status, answer);
  const sources = el("section", { class: "sources", hidden: true });
  const partners = el("section", { class: "partner-block", hidden: true });
  const actions = el("div", { class: "answer-actions", hidden: true });
  const node = el("article", { class: "msg bot" }, bubble, sources, partners, actions);
  $("messages").append(node);
  return { node, bubble, status, answer, sources, partners, actions, text: "", citations: [], evidence: new Set() };
}

function showCitations(view, citations) {
  view.citations = citations || [];
  if (!view.citations.length) return;
  const list = el("ol", { class: "cards", "aria-label": t("sources") });
  view.cards = new Map();
  view.citations.forEach((item, i) => {
    const card = recordCard(item, i + 1);
    view.cards.set(item.id, card.querySelector(".card"));
    list.append(card);
  });
  view.sources.replaceChildren(el("h3", { class: "block-title", text: t("sources"), "data-label": "sources" }), list);
  view.sources.hidden = false;
}

// A model wrote the answer: its text need not say why each record fits, so each card says it (the offline answer's
// numbered list already does, and the cards do not repeat it).
function showReasons(view, citations) {
  for (const item of citations || []) {
    const card = view.cards && view.cards.get(item.id);
    if (card && item.why && !card.querySelector(".card-why")) card.append(el("span", { class: "card-why", text: item.why }));
  }
}

function showPartners(view, partners) {
  if (!partners || !partners.length) return;
  view.evidence = new Set(partners.flatMap((p) => p.evidence || []));
  view.partners.replaceChildren(el("h3", { class: "block-title", text: t("partners"), "data-label": "partners" }), partnerList(partners));
  view.partners.hidden = false;
}

function showText(view, text, streaming) {
  view.status.hidden = true;
  view.answer.hidden = false;
  renderAnswer(view.answer, text, view.citations, view.evidence);
  view.answer.classList.toggle("cursor", streaming);
}

function finish(view, answer, question) {
  view.bubble.setAttribute("aria-busy", "false");
  view.answer.classList.remove("cursor");
  if (!answer) {
    // Stopped before any text arrived: keep the sources if there are some, drop the empty bubble.
    if (view.citations.length) view.bubble.hidden = true;
    else view.node.remove();
  } else {
    if (answer.session_id) state.sessionId = answer.session_id;
    if (answer.citations && !view.citations.length) showCitations(view, answer.citations);
    if (answer.metadata && answer.metadata.llm === "used") showReasons(view, answer.citations);
    if (answer.partners && view.partners.hidden) showPartners(view, answer.partners);
    showText(view, answer.answer || view.text, false);
    if (state.choice === "auto" && answer.language && answer.language !== language()) applyLanguage(answer.language);
    if (answer.answer_id) view.node.append(feedbackBar(answer.answer_id));
    if (state.config.features.inquiries) {
      const ids = view.citations.map((c) => c.id);
      view.actions.replaceChildren(el("button", { type: "button", class: "ghost", text: t("request_intro"), "data-label": "request_intro",
        "aria-haspopup": "dialog", onclick: () => openIntro(ids, question) }));
      view.actions.hidden = false;
    }
    showNextStep(view, answer);
  }
}

function fail(view, message) {
  view.bubble.setAttribute("aria-busy", "false");
  view.status.hidden = true;
  view.answer.hidden = false;
  view.answer.classList.remove("cursor");
  view.bubble.classList.add("error-note");
  view.answer.replaceChildren(el("p", { text: message }));
}

async function ask(question) {
  question = question.trim();
  if (!question || state.controller) return;
  state.lastQuestion = question;
  addUserMessage(question);
  const view = startBotMessage();
  scrollToEnd(true);
  setBusy(true);
  refreshSideSearch();
  const body = { message: question };
  if (state.choice !== "auto") body.language = state.choice;
  if (state.sessionId) body.session_id = state.sessionId;
  const filters = Object.fromEntries(Object.entries(filterValues()).filter(([, value]) => value));
  if (Object.keys(filters).length) body.filters = filters;
  state.controller = new AbortController();
  try {
    const response = await fetch("/v1/chat/stream", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify(body),
      signal: state.controller.signal,
    });
    if (!response.ok) throw await apiError(response);
    let finished = false;
    for await (const { event, data } of readEvents(response)) {
      if (event === "citations") showCitations(view, data);
      else if (event === "partners") showPartners(view, data);
      else if (event === "delta") {
        view.text += data.text || "";
        showText(view, view.text, true);
      } else if (event === "done") {
        finish(view, data, question);
        finished = true;
      } else if (event === "error") {
        throw Object.assign(new Error(data.message || ""), { status: 500 });
      }
      scrollToEnd(false);
    }
    if (!finished) finish(view, view.text ? { answer: view.text } : null, question);
  } catch (error) {
    if (error.name === "AbortError") finish(view, view.text ? { answer: view.text } : null, question);
    else fail(view, describeError(error));
  } finally {
    state.controller = null;
    setBusy(false);
    scrollToEnd(false);
  }
}

function setBusy(busy) {
  $("composer").classList.toggle("busy", busy);
  $("send").setAttribute("aria-label", t(busy ? "stop" : "send"));
  $("send").dataset.i18nAria = busy ? "stop" : "send";
}

// ---------------------------------------------------------------- filters and the side search
function filterValues() {
  return { kind: $("f-kind").value, field: $("f-field").value, country: $("f-country").value };
}
function renderFilterOptions() {
  const fill = (select, values, label) => {
    const current = select.value;
    const options = [el("option", { value: "", text: t("any") })];
    for (const value of values) options.push(el("option", { value, text: label(value) }));
    select.replaceChildren(...options);
    select.value = current;
  };
  fill($("f-kind"), state.config.kinds, (k) => t(k));
  fill($("f-field"), state.config.fields, fieldLabel);
  const countries = [...state.config.countries].sort((a, b) => countryName(a).localeCompare(countryName(b), language()));
  fill($("f-country"), countries, countryLine);
}
let searchSeq = 0;
async function refreshSideSearch() {
  const active = Object.values(filterValues()).filter(Boolean).length;
  $("filter-count").hidden = !active;
  $("filter-count").textContent = String(active);
  const results = $("side-results");
  if (!state.lastQuestion) return;
  const params = new URLSearchParams({ q: state.lastQuestion, k: "8", lang: language() });
  for (const [key, value] of Object.entries(filterValues())) if (value) params.set(key, value);
  const seq = ++searchSeq;
  results.setAttribute("aria-busy", "true");
  try {
    const data = await api(`/v1/search?${params}`);
    if (seq !== searchSeq) return;
    results.replaceChildren(...data.results.map((item) => recordCard(item, 0)));
    $("results-hint").textContent = data.results.length ? "" : t("no_results");
    $("results-hint").hidden = Boolean(data.results.length);
  } catch (error) {
    if (seq === searchSeq) {
      $("results-hint").textContent = describeError(error);
      $("results-hint").hidden = false;
    }
  } finally {
    if (seq === searchSeq) results.setAttribute("aria-busy", "false");
  }
}

// ---------------------------------------------------------------- introductions
function openIntro(recordIds, about) {
  state.introRecordIds = recordIds.slice(0, 20);
  $("intro-message").value = about || "";
  $("intro-status").textContent = "";
  $("intro-status").className = "status";
  $("intro-submit").disabled = false;
  $("intro-cancel").textContent = t("cancel");
  const records = $("record-dialog");
  if (records.open) records.close();
  $("intro-dialog").showModal();
  $("intro-message").focus();
}
async function submitIntro(event) {
  event.preventDefault();
  const message = $("intro-message").value.trim();
  if (!message) {
    $("intro-message").focus();
    return;
  }
  const body = { message, language: language(), channel: "web" };
  const contact = $("intro-contact").value.trim();
  if (contact) body.contact = contact;
  if (state.introRecordIds.length) body.record_ids = state.introRecordIds;
  if (state.sessionId) body.session_id = state.sessionId;
  $("intro-submit").disabled = true;
  try {
    await api("/v1/inquiries", { method: "POST", body: JSON.stringify(body) });
    $("intro-status").textContent = t("intro_sent");
    $("intro-cancel").textContent = t("close");
  } catch (error) {
    $("intro-status").textContent = describeError(error);
    $("intro-status").className = "status error";
    $("intro-submit").disabled = false;
  }
}

// ---------------------------------------------------------------- wiring
function renderExamples() {
  const examples = t("examples");
  const box = $("examples");
  box.replaceChildren();
  for (const text of Array.isArray(examples) ? examples : []) {
    box.append(el("button", { type: "button", text, onclick: () => ask(text) }));
  }
}
function renderLanguageOptions() {
  const select = $("language");
  const options = [el("option", { value: "auto", text: t("auto"), "data-i18n": "auto" })];
  for (const { code, name } of state.config.languages) options.push(el("option", { value: code, text: name, lang: code }));
  select.replaceChildren(...options);
  select.value = state.config.languages.some((l) => l.code === state.choice) ? state.choice : "auto";
}
function resetConversation() {
  if (state.controller) state.controller.abort();
  state.sessionId = null;
  state.lastQuestion = "";
  for (const node of [...$("messages").children]) if (node.id !== "welcome") node.remove();
  $("welcome").hidden = false;
  $("side-results").replaceChildren();
  $("results-hint").textContent = t("results_hint");
  $("results-hint").hidden = false;
  $("question").focus();
}
function autosize() {
  const box = $("question");
  box.style.height = "auto";
  box.style.height = `${box.scrollHeight}px`;
}

async function init() {
  applyLanguage(state.choice === "auto" ? browserLanguage() : state.choice);
  if (window.matchMedia("(min-width: 901px)").matches) $("side-panel").open = true;
  try {
    state.config = await api("/v1/config");
  } catch {
    /* keep the defaults; chat still works */
  }
  introductions.enabled = Boolean(state.config.features?.inquiries);
  introductions.open = openIntro;
  renderLanguageOptions();
  applyLanguage(state.choice === "auto" ? browserLanguage() : state.choice);

  $("language").addEventListener("change", (event) => {
    state.choice = event.target.value;
    store("ttc.language", state.choice);
    applyLanguage(state.choice === "auto" ? browserLanguage() : state.choice);
  });
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    if (state.controller) {
      state.controller.abort();
      return;
    }
    const box = $("question");
    const text = box.value;
    box.value = "";
    autosize();
    ask(text);
  });
  $("question").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });
  $("question").addEventListener("input", autosize);
  $("new-chat").addEventListener("click", resetConversation);
  $("filters").addEventListener("change", refreshSideSearch);
  $("intro-form").addEventListener("submit", submitIntro);
  wireDemandForm();
  for (const button of document.querySelectorAll("dialog [data-close]")) {
    button.addEventListener("click", () => button.closest("dialog").close());
  }
  for (const dialog of document.querySelectorAll("dialog")) {
    dialog.addEventListener("click", (event) => { if (event.target === dialog) dialog.close(); });
  }
  document.body.dataset.ready = "true";
}

init();
