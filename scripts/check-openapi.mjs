#!/usr/bin/env node
/**
 * Validates the OpenAPI document the Worker serves (built from src/openapi/document.ts) against the
 * OpenAPI 3.1 schema; prints every error and exits 1 when it is not valid. `npm test` runs this in Node:
 * the validator (Ajv) compiles schemas to code, which workerd does not allow.
 * @see https://spec.openapis.org/oas/v3.1.0
 */
import { Validator } from "@seriousme/openapi-schema-validator";
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const tmp = join(tmpdir(), `relay-openapi-${process.pid}.mjs`);
await build({ entryPoints: ["src/openapi/document.ts"], bundle: true, format: "esm", platform: "node", outfile: tmp, logLevel: "error" });
const { openApiDocument } = await import(pathToFileURL(tmp).href);
rmSync(tmp);

const doc = openApiDocument("https://relay.example.com");
const validator = new Validator();
const result = await validator.validate(doc);
if (!result.valid || !/^3\.1\./.test(doc.openapi)) {
  console.error(`The OpenAPI document (${doc.openapi}) is not valid OpenAPI 3.1:`);
  console.error(JSON.stringify(result.errors, null, 2));
  process.exit(1);
}
const operations = Object.values(doc.paths).flatMap((item) => Object.keys(item)).length;
console.log(`openapi.json is valid OpenAPI ${validator.version} (${operations} operations)`);
