// Building DOM and SVG nodes without innerHTML: every value lands in a text node or an
// attribute, so nothing a claim says can become markup, and nothing needs inline style (the
// page's Content-Security-Policy forbids it).

const SVG_NS = "http://www.w3.org/2000/svg";

function fill(el, attrs, children) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else if (name === "dataset") {
      Object.assign(el.dataset, value);
    } else if (name === "text") {
      el.textContent = String(value);
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

// Appends strings (as text), nodes, and arrays of them; skips null, undefined and false.
export function append(el, children) {
  for (const c of [children].flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// h("a", {href: "#/node", class: "x"}, "text", child...)
export function h(tag, attrs, ...children) {
  return fill(document.createElement(tag), attrs, children);
}

export function s(tag, attrs, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), attrs, children);
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

// Replaces el's children with these (null, undefined and false are skipped).
export function fillWith(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

// A <dl> from [term, description] pairs; a description may be a node or text; pairs whose
// description is null or undefined are left out.
export function dl(pairs, attrs) {
  const list = h("dl", attrs || { class: "facts" });
  for (const [term, desc] of pairs) {
    if (desc === null || desc === undefined) continue;
    list.append(h("div", {}, h("dt", {}, term), h("dd", {}, desc)));
  }
  return list;
}

// A visually hidden text for screen readers (CSS class .sr-only).
export function srOnly(text) {
  return h("span", { class: "sr-only" }, text);
}
