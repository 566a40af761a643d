/* The one way this page builds DOM: text always goes through textContent, never through HTML parsing. */

export const $ = (id) => document.getElementById(id);

/** An element with attributes, `class`, `text` (as textContent), `on<event>` listeners and child nodes. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}
