import { Hono } from "hono";
import { openApiDocument } from "../openapi/document";
import { REFERENCE_CSP, referencePage } from "../openapi/page";
import type { AppEnv } from "./context";

/** The page last rendered: an isolate serves one origin in practice, and rendering costs milliseconds. */
let rendered: { origin: string; html: string } | undefined;

/**
 * The API's own description: `GET /openapi.json` (OpenAPI 3.1, generated from the routes' zod schemas)
 * and `GET /docs`, the same rendered as a page. Both name the origin they were asked at as the server.
 * @see https://spec.openapis.org/oas/v3.1.0
 */
export const docsApi = new Hono<AppEnv>()
  .get("/openapi.json", (c) => c.json(openApiDocument(new URL(c.req.url).origin)))
  .get("/docs", (c) => {
    const origin = new URL(c.req.url).origin;
    if (rendered?.origin !== origin) rendered = { origin, html: referencePage(openApiDocument(origin)) };
    return c.html(rendered.html, 200, { "content-security-policy": REFERENCE_CSP });
  });
