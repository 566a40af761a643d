/* The page's language: label lookup, right-to-left layout, localized field and country names. */

import { MESSAGES } from "./i18n.js";

const RTL = new Set(["ar", "fa"]);
let current = "en";

export const language = () => current;
export const supported = (code) => Object.hasOwn(MESSAGES, code);

/** The label `key` in the page language (English when missing), with $name placeholders filled in. */
export function t(key, values) {
  let text = MESSAGES[current][key] ?? MESSAGES.en[key] ?? key;
  if (values) for (const [name, value] of Object.entries(values)) text = text.replaceAll("$" + name, String(value));
  return text;
}

export function fieldLabel(field) {
  return MESSAGES[current].fields?.[field] || MESSAGES.en.fields[field] || field;
}

export function countryName(code) {
  if (!code) return "";
  try {
    return new Intl.DisplayNames([current, "en"], { type: "region" }).of(code) || code;
  } catch {
    return code;
  }
}

function flag(code) {
  if (!/^[A-Z]{2}$/.test(code || "")) return "";
  return String.fromCodePoint(...[...code].map((c) => 0x1f1e6 + c.charCodeAt(0) - 65));
}

export const countryLine = (code) => (code ? `${flag(code)} ${countryName(code)}`.trim() : "");

/** The first of the browser's preferred languages that the page speaks, else English. */
export function browserLanguage() {
  for (const tag of navigator.languages || [navigator.language || "en"]) {
    const code = String(tag).toLowerCase().split("-")[0];
    if (supported(code)) return code;
  }
  return "en";
}

/** Switch the page language: `lang`/`dir` on <html>, and every labelled node in the document. */
export function setLanguage(code) {
  current = supported(code) ? code : "en";
  document.documentElement.lang = current;
  document.documentElement.dir = RTL.has(current) ? "rtl" : "ltr";
  document.title = t("title");
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = t(node.dataset.i18nPlaceholder);
  for (const node of document.querySelectorAll("[data-i18n-aria]")) node.setAttribute("aria-label", t(node.dataset.i18nAria));
  for (const node of document.querySelectorAll("[data-label]")) node.textContent = t(node.dataset.label);
  for (const node of document.querySelectorAll("[data-field]")) node.textContent = fieldLabel(node.dataset.field);
  for (const node of document.querySelectorAll("[data-country]")) node.textContent = countryLine(node.dataset.country);
}
