/* What an answer offers beyond its records: when nothing fits clearly, a note and the next step (post the need
   as a demand, in a form prefilled from the question); for "who can help", the transfer institutions. */

import { api, describeError } from "./api.js";
import { $, el } from "./dom.js";
import { countryLine, t } from "./lang.js";
import { recordCard } from "./records.js";

let draft = {};

/** Decorate a finished answer's view: weak-match note, institutions, and the "post my need" button. */
export function showNextStep(view, answer) {
  // an answer text that already names every partner (the offline composer's) makes the partner block a repeat
  const text = answer.answer || "";
  if (answer.partners?.length && answer.partners.every((p) => text.includes(p.organization))) view.partners.hidden = true;
  if (answer.metadata?.match === "weak" && view.sources.firstChild) {
    view.sources.classList.add("weak");
    const title = view.sources.querySelector(".block-title");
    if (title) title.after(el("p", { class: "weak-note", text: t("weak_note") }));
  }
  if (answer.institutions?.length) {
    const list = el("ul", { class: "institutions" });
    for (const item of answer.institutions) {
      list.append(el("li", {}, el("span", { class: "partner-name", text: item.name }),
        el("span", { class: "partner-reason", text: [countryLine(item.country), item.reason].filter(Boolean).join(" · ") })));
    }
    const block = el("section", { class: "partner-block institutions-block" },
      el("h3", { class: "block-title", text: t("institutions") }), list);
    view.node.insertBefore(block, view.actions);
  }
  const step = answer.next_step;
  if (step?.action === "post_demand" && step.draft) {
    view.actions.append(el("button", { type: "button", class: "primary post-demand", text: step.label || t("post_demand"),
      "aria-haspopup": "dialog", onclick: () => openDemand(step.draft) }));
    view.actions.hidden = false;
  }
}

export function openDemand(prefill) {
  draft = { ...prefill };
  $("demand-title").value = draft.title || "";
  $("demand-description").value = draft.description || "";
  const field = $("demand-field");
  field.replaceChildren(...[...$("f-field").options].map((o) => el("option", { value: o.value, text: o.textContent })));
  field.value = draft.field || "";
  $("demand-status").textContent = "";
  $("demand-status").className = "status";
  $("demand-matches").replaceChildren();
  $("demand-submit").disabled = false;
  $("demand-submit").hidden = false;
  $("demand-dialog").showModal();
  $("demand-contact").focus();
}

async function submitDemand(event) {
  event.preventDefault();
  const body = { ...draft, title: $("demand-title").value.trim(), description: $("demand-description").value.trim(),
    field: $("demand-field").value || null, contact: $("demand-contact").value.trim() };
  for (const [id, ok] of [["demand-title", body.title.length >= 5], ["demand-description", body.description.length >= 20],
    ["demand-contact", body.contact.length >= 3]]) {
    if (!ok) {
      $(id).focus();
      $("demand-status").textContent = t("demand_incomplete");
      $("demand-status").className = "status error";
      return;
    }
  }
  $("demand-submit").disabled = true;
  try {
    const posted = await api("/v1/demands", { method: "POST", body: JSON.stringify(body) });
    $("demand-status").textContent = t("demand_posted", { id: posted.id });
    $("demand-submit").hidden = true;
    const list = el("ol", { class: "cards compact" });
    (posted.matches || []).forEach((m) => list.append(recordCard(m)));
    if (list.childNodes.length) $("demand-matches").replaceChildren(el("h3", { class: "block-title", text: t("demand_matches") }), list);
  } catch (error) {
    $("demand-status").textContent = error?.status === 422 ? t("demand_incomplete") : describeError(error);
    $("demand-status").className = "status error";
    $("demand-submit").disabled = false;
  }
}

export function wireDemandForm() {
  $("demand-form").addEventListener("submit", submitDemand);
}
