import type { OpenApiDocument } from "./document";
import { detailsHtml, esc, limits, prose, refName, type Schema, schemaAnchor, typeHtml } from "./schema-html";

/** The page's only policy: nothing loads, nothing runs; its one stylesheet is inline. */
export const REFERENCE_CSP = "default-src 'none'; style-src 'unsafe-inline'";

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
}
interface Content {
  [mediaType: string]: { schema?: Schema };
}
interface Operation {
  operationId?: string;
  tags?: string[];
  summary?: string;
  description?: string;
  "x-required-scope"?: string;
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; description?: string; content?: Content };
  responses?: Record<string, { description?: string; content?: Content; headers?: Record<string, { description?: string }> }>;
}
type PathItem = Partial<Record<(typeof METHODS)[number], Operation>>;

/** Methods in the order the page lists them under one path. */
const METHODS = ["get", "post", "put", "patch", "delete"] as const;

const STYLE = `body{margin:0;font:16px/1.5 system-ui,sans-serif;color:#1b1b1b;background:#fff;overflow-wrap:anywhere}
header,main,nav{max-width:60rem;margin:0 auto;padding:0 1rem}
h1{margin:1rem 0 .25rem}h2{border-bottom:2px solid #ddd;margin-top:2.5rem}
article,section.s{border-top:1px solid #e3e3e3;padding:.5rem 0}
h3{font-size:1.05rem}h4{margin:.75rem 0 .25rem;font-size:.95rem}
code{font:.9em ui-monospace,monospace}
.m{display:inline-block;min-width:3.5rem;padding:0 .3rem;border-radius:3px;color:#fff;background:#4a4a4a;font:700 .8rem ui-monospace,monospace;text-align:center}
.get{background:#1f5fa8}.post{background:#1d7340}.patch{background:#8a5300}.delete{background:#b0222a}
.t,.l{color:#4a4a4a}.r{color:#9d1d25;font-style:normal;font-size:.85em}
ul.p,ol.v{padding-left:1.25rem}li{margin:.15rem 0}
nav ul{display:flex;flex-wrap:wrap;gap:.25rem 1rem;padding:0;list-style:none}
a{color:#1f5fa8}`;

/** A schema in one line: its type (a link when it is named), bounds and description. */
const schemaLine = (s: Schema | undefined) => (s ? `<span class="t">${typeHtml(s)}</span>${limits(s)}${s.description ? ` — ${prose(s.description)}` : ""}` : "");

const headerHtml = (name: string, about?: string) => `<p>Header <code>${esc(name)}</code>${about ? ` — ${prose(about)}` : ""}</p>`;

function operationHtml(method: string, path: string, op: Operation, schemas: Record<string, Schema>): string {
  const id = esc(`op-${op.operationId ?? `${method}-${path}`}`);
  const scope = op["x-required-scope"];
  const auth = scope
    ? `Scope: <code>${esc(scope)}</code>`
    : op.security?.length
      ? `Credential: ${op.security.map((r) => `<code>${esc(Object.keys(r).join(" + "))}</code>`).join(" or ")}`
      : "No credential";
  const params = (op.parameters ?? []).map(
    (p) => `<li><code>${esc(p.name)}</code> <span class="t">in ${esc(p.in)}</span>${p.required ? ' <em class="r">required</em>' : ""} ${schemaLine(p.schema)}</li>`,
  );
  // The request body is shown field by field; a named one's own section says the same.
  const body = op.requestBody;
  const bodyHtml = Object.entries(body?.content ?? {}).map(([type, { schema }]) => {
    const fields = schema?.$ref ? schemas[refName(schema.$ref)] : schema;
    return `<p><code>${esc(type)}</code> ${schemaLine(schema)}</p>${fields ? detailsHtml(fields) : ""}`;
  });
  const responses = Object.entries(op.responses ?? {}).map(([status, r]) => {
    // A named schema is described once, in its own section; an inline one here.
    const content = Object.entries(r.content ?? {}).map(([type, { schema }]) => `<p><code>${esc(type)}</code> ${schemaLine(schema)}</p>${schema ? detailsHtml(schema) : ""}`);
    const headers = Object.entries(r.headers ?? {}).map(([h, v]) => headerHtml(h, v.description));
    return `<dt><strong>${esc(status)}</strong> ${esc(r.description ?? "")}</dt><dd>${content.join("")}${headers.join("")}</dd>`;
  });
  return `<article id="${id}" aria-labelledby="${id}-h"><h3 id="${id}-h"><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>
<p>${esc(op.summary ?? "")}</p>${op.description ? `<p>${prose(op.description)}</p>` : ""}<p>${auth}</p>
${params.length ? `<h4>Parameters</h4><ul class="p">${params.join("")}</ul>` : ""}
${body ? `<h4>Request body${body.required ? "" : " (optional)"}</h4>${body.description ? `<p>${prose(body.description)}</p>` : ""}${bodyHtml.join("")}` : ""}
<h4>Responses</h4><dl>${responses.join("")}</dl></article>`;
}

/**
 * The reference page: operations grouped by tag (method, path, summary, scope, parameters, the request
 * body's fields, responses), the events sent to tenants, the security schemes and every named schema.
 * Plain HTML with landmarks and one inline stylesheet; no script, nothing fetched.
 */
export function referencePage(doc: OpenApiDocument): string {
  const schemas = (doc.components?.schemas ?? {}) as Record<string, Schema>;
  // Tags in the document's order; an operation without a declared tag still shows, under its own.
  const byTag = new Map<string, string[]>((doc.tags ?? []).map((t) => [t.name, []]));
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, PathItem>)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? "Other";
      byTag.set(tag, [...(byTag.get(tag) ?? []), operationHtml(method, path, op, schemas)]);
    }
  }
  const tagAbout = new Map((doc.tags ?? []).map((t) => [t.name, t.description]));
  const sections = [...byTag].map(
    ([tag, ops], i) =>
      `<section aria-labelledby="tag-${i}"><h2 id="tag-${i}">${esc(tag)}</h2>${tagAbout.get(tag) ? `<p>${prose(tagAbout.get(tag)!)}</p>` : ""}${ops.join("")}</section>`,
  );
  const events = Object.entries((doc.webhooks ?? {}) as Record<string, PathItem>).flatMap(([name, item]) =>
    METHODS.flatMap((m) => (item[m] ? [operationHtml(m, name, item[m], schemas)] : [])),
  );
  const security = Object.entries(doc.components?.securitySchemes ?? {}).map(
    ([name, s]) => `<li><code>${esc(name)}</code> — ${prose(s.description ?? "")}</li>`,
  );
  const components = Object.entries(schemas).map(
    ([name, s]) =>
      `<section class="s" id="${esc(schemaAnchor(name))}" aria-labelledby="${esc(schemaAnchor(name))}-h"><h3 id="${esc(schemaAnchor(name))}-h">${esc(name)}</h3>${s.description ? `<p>${prose(s.description)}</p>` : ""}<p class="t">${typeHtml(s)}</p>${detailsHtml(s)}</section>`,
  );
  const server = doc.servers?.[0]?.url;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(doc.info.title)} API reference</title><style>${STYLE}</style></head>
<body><header><h1>${esc(doc.info.title)} API</h1><p>Version ${esc(doc.info.version)}${server ? ` at <code>${esc(server)}</code>` : ""}. Machine-readable: <a href="/openapi.json">OpenAPI ${esc(doc.openapi)} document</a>.</p>
<p>${prose(doc.info.description ?? "")}</p></header>
<nav aria-label="Contents"><ul>${[...byTag.keys()].map((t, i) => `<li><a href="#tag-${i}">${esc(t)}</a></li>`).join("")}<li><a href="#events">Events</a></li><li><a href="#auth">Authentication</a></li><li><a href="#schemas">Schemas</a></li></ul></nav>
<main>${sections.join("\n")}
<section aria-labelledby="events"><h2 id="events">Events to your endpoint</h2>${events.join("")}</section>
<section aria-labelledby="auth"><h2 id="auth">Authentication</h2><ul>${security.join("")}</ul></section>
<section aria-labelledby="schemas"><h2 id="schemas">Schemas</h2>${components.join("\n")}</section></main></body></html>`;
}
