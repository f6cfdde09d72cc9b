import { bodyLimit } from "hono/body-limit";
import type { z } from "zod";
import { ProblemError, problemResponse, validationProblem } from "../errors";
import { jsonDeeperThan, MAX_API_JSON_DEPTH } from "../json";
import type { AppContext } from "./context";

/** Client API bodies are small JSON documents; anything larger is a mistake. */
export const MAX_API_BODY_BYTES = 64 * 1024;
/** Platform webhooks batch events but stay well under this. */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

/** Refuses bodies over `maxBytes` with 413 before they are read in full. */
export function limitBody(maxBytes: number) {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => problemResponse(413, "body_too_large", `The request body exceeds ${maxBytes} bytes.`),
  });
}

/** Reads an optional JSON body: an empty request (no length, no type) is `{}` validated by the schema. */
export async function readOptionalBody<T extends z.ZodType>(c: AppContext, schema: T): Promise<z.infer<T>> {
  const hasBody = (c.req.header("content-length") ?? "0") !== "0" || c.req.header("content-type");
  return hasBody ? readJsonBody(c, schema) : schema.parse({});
}

/** Reads a JSON body and validates it: 415 if not JSON, 400 if malformed, 422 if too deep or naming each bad field. */
export async function readJsonBody<T extends z.ZodType>(c: AppContext, schema: T): Promise<z.infer<T>> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    throw new ProblemError(415, "unsupported_media_type", "Send the body as JSON with 'Content-Type: application/json'.");
  }
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  if (jsonDeeperThan(bytes, MAX_API_JSON_DEPTH)) {
    throw new ProblemError(422, "json_too_deep", `The body nests deeper than ${MAX_API_JSON_DEPTH} levels of arrays and objects; flatten it.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new ProblemError(400, "invalid_json", `The body is not valid JSON: ${(e as Error).message}`);
  }
  const result = schema.safeParse(value);
  if (!result.success) throw validationProblem(result.error);
  return result.data;
}

/** Reads the query string and validates it: 422 naming each bad parameter. */
export function readQuery<T extends z.ZodType>(c: AppContext, schema: T): z.infer<T> {
  const result = schema.safeParse(c.req.query());
  if (!result.success) throw validationProblem(result.error);
  return result.data;
}
