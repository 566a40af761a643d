/* Machine translations of record content on the page: always labelled, the original one click away.
   The labels live here (not in i18n.js) because only this feature uses them. */

import { el } from "./dom.js";
import { language } from "./lang.js";

const LABELS = {
  en: ["Machine translation", "Show original", "Show translation"],
  zh: ["机器翻译", "显示原文", "显示译文"],
  ru: ["Машинный перевод", "Показать оригинал", "Показать перевод"],
  pt: ["Tradução automática", "Ver original", "Ver tradução"],
  es: ["Traducción automática", "Ver original", "Ver traducción"],
  fr: ["Traduction automatique", "Voir l'original", "Voir la traduction"],
  ar: ["ترجمة آلية", "عرض النص الأصلي", "عرض الترجمة"],
  hi: ["मशीनी अनुवाद", "मूल दिखाएँ", "अनुवाद दिखाएँ"],
  fa: ["ترجمه ماشینی", "نمایش متن اصلی", "نمایش ترجمه"],
  am: ["የማሽን ትርጉም", "ዋናውን አሳይ", "ትርጉሙን አሳይ"],
  id: ["Terjemahan mesin", "Lihat asli", "Lihat terjemahan"],
  ms: ["Terjemahan mesin", "Lihat asal", "Lihat terjemahan"],
  th: ["แปลด้วยเครื่อง", "ดูต้นฉบับ", "ดูคำแปล"],
  vi: ["Bản dịch máy", "Xem bản gốc", "Xem bản dịch"],
  kk: ["Машиналық аударма", "Түпнұсқаны көрсету", "Аударманы көрсету"],
  uz: ["Mashina tarjimasi", "Asl matnni ko‘rsatish", "Tarjimani ko‘rsatish"],
  af: ["Masjienvertaling", "Wys oorspronklike", "Wys vertaling"],
};

function labels() {
  return LABELS[language()] || LABELS.en;
}

/**
 * A "Machine translation · Show original" line that swaps `fields` ([node, translated text, original text])
 * between the translation (shown first) and the original. Null when there is no translation.
 */
export function translationToggle(translation, fields) {
  if (!translation) return null;
  const [label, showOriginal, showTranslation] = labels();
  let original = false;
  const apply = () => {
    for (const [node, translated, source] of fields) if (node) node.textContent = original ? source : translated;
    button.textContent = original ? showTranslation : showOriginal;
    button.setAttribute("aria-pressed", String(original));
  };
  const button = el("button", { type: "button", class: "mt-toggle", onclick: (event) => {
    event.stopPropagation();
    original = !original;
    apply();
  } });
  const line = el("p", { class: "mt-note", title: `${label} (${translation.provider})` },
    el("span", { class: "mt-label", text: label }), document.createTextNode(" · "), button);
  apply();
  return line;
}
