/* The HTTP API as the page uses it: JSON calls with {"error":{...}} errors, and server-sent events over fetch. */

import { t } from "./lang.js";

/** Parsed JSON of a successful call; throws an Error with `status` otherwise. */
export async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { Accept: "application/json", ...(options.body ? { "Content-Type": "application/json" } : {}) },
  });
  if (!response.ok) throw await apiError(response);
  return response.status === 204 ? null : response.json();
}

export async function apiError(response) {
  let message = "";
  try {
    message = (await response.json()).error?.message || "";
  } catch { /* not JSON */ }
  return Object.assign(new Error(message || response.statusText), { status: response.status });
}

/** What to tell the user about a failed call, in their language. */
export const describeError = (error) => t(error?.status === 429 ? "rate_limited" : "error");

const records = new Map();

/** A record by id, fetched once per page; with `lang`, with its machine translation into that language. */
export async function getRecord(id, lang) {
  const key = lang ? `${id}?lang=${lang}` : id;
  if (!records.has(key)) records.set(key, api(`/v1/records/${encodeURIComponent(id)}${lang ? `?lang=${encodeURIComponent(lang)}` : ""}`));
  try {
    return await records.get(key);
  } catch (error) {
    records.delete(key);
    throw error;
  }
}

/** Server-sent events of a fetch response: yields {event, data}, `data` parsed as JSON; comments are skipped. */
export async function* readEvents(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let carry = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    // A chunk may end between "\r" and "\n": hold the "\r" back so a line end is never read as two.
    let text = carry + decoder.decode(value, { stream: true });
    carry = text.endsWith("\r") ? "\r" : "";
    if (carry) text = text.slice(0, -1);
    buffer += text.replace(/\r\n?/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const parsed = parseEvent(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (parsed) yield parsed;
    }
  }
}

function parseEvent(block) {
  let event = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const name = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (name === "event") event = value;
    else if (name === "data") data.push(value);
  }
  if (!data.length) return null;
  try {
    return { event, data: JSON.parse(data.join("\n")) };
  } catch {
    return null;
  }
}
