import type { oas31 } from "zod-openapi";
import generated from "./openapi.json";

/** The OpenAPI document the Worker serves. */
export type OpenApiDocument = oas31.OpenAPIObject;

/**
 * The document built from the zod schemas when the Worker is built (`npm run openapi`, see scripts/openapi-build.ts),
 * so that the Worker carries neither the generator nor the work of running it.
 */
const BUILT = generated as unknown as OpenApiDocument;

/** The document with the server the request came to. */
export function openApiDocument(origin: string): OpenApiDocument {
  const { openapi, info, ...rest } = BUILT;
  return { openapi, info, servers: [{ url: origin }], ...rest };
}
