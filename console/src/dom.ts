/**
 * A few DOM helpers. Text always goes in as text nodes, never as HTML: what the relay answers (a
 * customer's name, a platform's error) can never become markup.
 */

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

/** Appends children to a node: strings and numbers as text, nothing for null, undefined and false. */
export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
  }
}

/**
 * An element: `h("button", { type: "button", onclick: go }, "Go")`. Attributes starting with `on` are
 * listeners; `true` sets a boolean attribute, `false`, null and undefined leave it out.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (value === true) el.setAttribute(name, "");
    else if (value !== false && value !== null && value !== undefined) el.setAttribute(name, String(value));
  }
  append(el, ...children);
  return el;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** An SVG element with its attributes. */
export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  append(el, ...children);
  return el;
}

/** Replaces a node's children. */
export function replace(parent: Node, ...children: Child[]): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, ...children);
}

let nextId = 0;
/** A document-unique id, to tie a label or a description to its control. */
export const uid = (prefix: string) => `${prefix}-${++nextId}`;

/** A labelled control: `<div class="field"><label for>…</label> control hint</div>`. */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string): HTMLDivElement {
  if (!control.id) control.id = uid("f");
  const hintEl = hint ? h("small", { id: uid("hint") }, hint) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control, hintEl);
}

/** A `<select>` of values, the current one selected. */
export function select(name: string, options: readonly (string | [value: string, label: string])[], current = ""): HTMLSelectElement {
  const el = h("select", { name });
  for (const o of options) {
    const [value, label] = typeof o === "string" ? [o, o] : o;
    el.append(h("option", { value, selected: value === current }, label));
  }
  return el;
}

/** A heading that receives focus when a view opens, so that screen readers announce the view. */
export const viewHeading = (text: string) => h("h1", { tabindex: -1, class: "view-title" }, text);

/** A plain button. */
export const button = (label: string, onclick: (e: Event) => void, attrs: Attrs = {}) => h("button", { type: "button", ...attrs, onclick }, label);

/** Reads a form's text fields, trimmed, leaving out the empty ones. */
export function formValues(form: HTMLFormElement): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of new FormData(form)) {
    if (typeof value === "string" && value.trim() !== "") values[name] = value.trim();
  }
  return values;
}

/**
 * A list's filter form: its fields, then "Apply filters" and "Clear". `apply` gets the filled fields
 * (an empty object once cleared).
 */
export function filterForm(label: string, fields: Child[], apply: (values: Record<string, string>) => void): HTMLFormElement {
  const form = h(
    "form",
    { class: "filters", "aria-label": label },
    ...fields,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Apply filters"), button("Clear", () => {
      form.reset();
      apply({});
    })),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    apply(formValues(form));
  });
  return form;
}
