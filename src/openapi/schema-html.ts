/**
 * JSON Schema (as the OpenAPI 3.1 document holds it) rendered as HTML: a type in a few words, and an
 * object's properties as nested lists. Every string from the document is escaped.
 * @see https://spec.openapis.org/oas/v3.1.0#schema-object
 */

/** The parts of a schema the reference shows. */
export interface Schema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
}

/** Escapes text for HTML content and quoted attribute values. */
export const esc = (value: unknown): string =>
  String(value).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** Description text: escaped, with CommonMark's `code` spans kept as code (the rest of CommonMark is left as written). */
export const prose = (text: string): string => esc(text).replace(/`([^`]+)`/g, "<code>$1</code>");

/** The component a `$ref` names: `#/components/schemas/Problem` → `Problem`. */
export const refName = (ref: string): string => ref.slice(ref.lastIndexOf("/") + 1);

/** The anchor of a component's section. */
export const schemaAnchor = (name: string): string => `schema-${name}`;

/** Nested schemas deeper than this are shown by their type only (the model nests about five levels). */
const MAX_DEPTH = 8;

const code = (v: unknown) => `<code>${esc(typeof v === "string" ? JSON.stringify(v) : v)}</code>`;

/** A schema's type in a few words: a link for a named schema, `array of X`, `one of`... */
export function typeHtml(s: Schema): string {
  if (s.$ref) return `<a href="#${esc(schemaAnchor(refName(s.$ref)))}">${esc(refName(s.$ref))}</a>`;
  if (s.const !== undefined) return code(s.const);
  if (s.enum) return s.enum.map(code).join(" | ");
  if (s.oneOf || s.anyOf) return "one of";
  if (s.items) return `array of ${typeHtml(s.items)}`;
  if (typeof s.additionalProperties === "object" && !s.properties) return `map of ${typeHtml(s.additionalProperties)}`;
  const type = [s.type ?? "any"].flat().join(" or ");
  return esc(s.format ? `${type} (${s.format})` : type);
}

/** Bounds, pattern and default, in a few words. */
export function limits(s: Schema): string {
  const range = (min?: number, max?: number, unit = "") =>
    min === undefined && max === undefined ? [] : [`${min ?? ""}..${max ?? ""}${unit}`];
  const parts = [
    ...range(s.minLength, s.maxLength, " chars"),
    ...range(s.minimum, s.maximum),
    ...range(s.minItems, s.maxItems, " items"),
    // A format says it better than the pattern zod derives from it (date-time's is 300 characters).
    ...(s.pattern && !s.format ? [`pattern ${s.pattern}`] : []),
    ...(s.default !== undefined ? [`default ${JSON.stringify(s.default)}`] : []),
  ];
  return parts.length ? ` <span class="l">${esc(parts.join("; "))}</span>` : "";
}

/** A variant of a union by the constant that tells it apart (`type = "text"`), else by its type. */
function variantLabel(v: Schema): string {
  const tag = Object.entries(v.properties ?? {}).find(([, p]) => p.const !== undefined);
  return tag ? `<code>${esc(tag[0])}</code> = ${code(tag[1].const)}` : typeHtml(v);
}

/** What an inline schema holds beyond its type: properties, variants, or those of its items. */
export function detailsHtml(s: Schema, depth = 0): string {
  if (depth > MAX_DEPTH || s.$ref) return "";
  if (s.items) return detailsHtml(s.items, depth + 1);
  const variants = s.oneOf ?? s.anyOf;
  if (variants) return `<ol class="v">${variants.map((v) => `<li>${variantLabel(v)}${detailsHtml(v, depth + 1)}</li>`).join("")}</ol>`;
  if (!s.properties) return "";
  const items = Object.entries(s.properties).map(([name, p]) => {
    const required = s.required?.includes(name) ? ' <em class="r">required</em>' : "";
    const about = p.description ? ` — ${prose(p.description)}` : "";
    return `<li><code>${esc(name)}</code> <span class="t">${typeHtml(p)}</span>${required}${limits(p)}${about}${detailsHtml(p, depth + 1)}</li>`;
  });
  return `<ul class="p">${items.join("")}</ul>`;
}
