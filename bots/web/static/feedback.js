/* Thumbs up / down (and an optional comment) under each answer: POST /v1/feedback. Labels in the 17 languages. */

import { api } from "./api.js";
import { el } from "./dom.js";
import { language } from "./lang.js";

// [helpful, not helpful, comment prompt, send, thanks]
const LABELS = {
  en: ["Helpful", "Not helpful", "What were you looking for? (optional)", "Send", "Thank you for your feedback!"],
  zh: ["有帮助", "没有帮助", "您在找什么？（选填）", "发送", "感谢您的反馈！"],
  ru: ["Полезно", "Бесполезно", "Что вы искали? (необязательно)", "Отправить", "Спасибо за отзыв!"],
  pt: ["Útil", "Não foi útil", "O que você procurava? (opcional)", "Enviar", "Obrigado pelo seu feedback!"],
  es: ["Útil", "No es útil", "¿Qué estaba buscando? (opcional)", "Enviar", "¡Gracias por su opinión!"],
  fr: ["Utile", "Pas utile", "Que cherchiez-vous ? (facultatif)", "Envoyer", "Merci pour votre avis !"],
  ar: ["مفيد", "غير مفيد", "ما الذي كنت تبحث عنه؟ (اختياري)", "إرسال", "شكرًا على ملاحظاتك!"],
  hi: ["उपयोगी", "उपयोगी नहीं", "आप क्या खोज रहे थे? (वैकल्पिक)", "भेजें", "आपकी प्रतिक्रिया के लिए धन्यवाद!"],
  fa: ["مفید بود", "مفید نبود", "دنبال چه بودید؟ (اختیاری)", "ارسال", "از بازخورد شما سپاسگزاریم!"],
  am: ["ጠቃሚ", "ጠቃሚ አይደለም", "ምን እየፈለጉ ነበር? (አማራጭ)", "ላክ", "ስለ አስተያየትዎ እናመሰግናለን!"],
  id: ["Membantu", "Tidak membantu", "Apa yang Anda cari? (opsional)", "Kirim", "Terima kasih atas masukan Anda!"],
  ms: ["Membantu", "Tidak membantu", "Apakah yang anda cari? (pilihan)", "Hantar", "Terima kasih atas maklum balas anda!"],
  th: ["มีประโยชน์", "ไม่มีประโยชน์", "คุณกำลังมองหาอะไร (ไม่บังคับ)", "ส่ง", "ขอบคุณสำหรับความคิดเห็นของคุณ!"],
  vi: ["Hữu ích", "Không hữu ích", "Bạn đang tìm gì? (không bắt buộc)", "Gửi", "Cảm ơn phản hồi của bạn!"],
  kk: ["Пайдалы", "Пайдасыз", "Не іздедіңіз? (міндетті емес)", "Жіберу", "Пікіріңізге рахмет!"],
  uz: ["Foydali", "Foydali emas", "Nimani qidirayotgan edingiz? (ixtiyoriy)", "Yuborish", "Fikringiz uchun rahmat!"],
  af: ["Nuttig", "Nie nuttig nie", "Waarna het u gesoek? (opsioneel)", "Stuur", "Dankie vir u terugvoer!"],
};
const KEYS = ["up", "down", "prompt", "send", "thanks"];

/** The feedback label `key` in the page language (English when missing). */
export function feedbackLabel(key) {
  const row = LABELS[language()] || LABELS.en;
  return row[KEYS.indexOf(key)] ?? LABELS.en[KEYS.indexOf(key)];
}

async function send(answerId, rating, comment) {
  const body = { answer_id: answerId, rating };
  if (comment) body.comment = comment;
  return api("/v1/feedback", { method: "POST", body: JSON.stringify(body) });
}

/** 👍 / 👎 for one answer; the last choice counts. After either, an optional comment box opens. */
export function feedbackBar(answerId) {
  const status = el("span", { class: "feedback-status", role: "status", "aria-live": "polite" });
  const comment = el("textarea", { rows: "2", maxlength: "2000", "data-fb": "prompt" });
  const form = el("form", { class: "feedback-comment", hidden: true }, comment,
    el("button", { type: "submit", class: "ghost", text: feedbackLabel("send"), "data-fb": "send" }));
  let rating = null;
  const buttons = ["up", "down"].map((value) => el("button", {
    type: "button", class: "ghost feedback-" + value, "data-rating": value, "aria-pressed": "false",
    "aria-label": feedbackLabel(value), title: feedbackLabel(value), text: value === "up" ? "👍" : "👎",
    onclick: async () => {
      try {
        await send(answerId, value);
        rating = value;
        for (const b of buttons) b.setAttribute("aria-pressed", String(b.dataset.rating === value));
        comment.placeholder = feedbackLabel("prompt");
        comment.setAttribute("aria-label", feedbackLabel("prompt"));
        form.hidden = false;
        status.textContent = feedbackLabel("thanks");
      } catch {
        status.textContent = "";
      }
    },
  }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = comment.value.trim();
    if (!text || !rating) return;
    try {
      await send(answerId, rating, text);
      form.hidden = true;
      status.textContent = feedbackLabel("thanks");
    } catch { /* the rating itself is stored already */ }
  });
  return el("div", { class: "feedback", "data-answer-id": answerId }, ...buttons, status, form);
}
