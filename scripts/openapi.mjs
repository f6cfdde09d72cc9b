#!/usr/bin/env node
/**
 * Builds the OpenAPI document from the zod schemas the routes validate with (scripts/openapi-build.ts),
 * validates it against the OpenAPI 3.1 schema, and writes it to src/openapi/openapi.json, which the
 * Worker serves as it is. With --check, writes nothing and fails if the committed file differs from
 * what the schemas give, or if the document is not valid (`npm test` runs this). Prints every error and
 * exits 1. Runs in Node: the validator (Ajv) compiles schemas to code, which workerd does not allow.
 * @see https://spec.openapis.org/oas/v3.1.0
 */
import { Validator } from "@seriousme/openapi-schema-validator";
import { build } from "esbuild";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const check = process.argv.includes("--check");
const file = "src/openapi/openapi.json";

const tmp = join(tmpdir(), `relay-openapi-${process.pid}.mjs`);
await build({ entryPoints: ["scripts/openapi-build.ts"], bundle: true, format: "esm", platform: "node", outfile: tmp, logLevel: "error" });
const { buildDocument } = await import(pathToFileURL(tmp).href);
rmSync(tmp);

const text = `${JSON.stringify(buildDocument(), null, 2)}\n`;

// Validated as the Worker serves it: with the origin it was asked at as its server.
const { openapi, info, ...rest } = JSON.parse(text);
const served = { openapi, info, servers: [{ url: "https://relay.example.com" }], ...rest };
const validator = new Validator();
const result = await validator.validate(served);
if (!result.valid || !/^3\.1\./.test(openapi)) {
  console.error(`The OpenAPI document (${openapi}) is not valid OpenAPI 3.1:`);
  console.error(JSON.stringify(result.errors, null, 2));
  process.exit(1);
}
const operations = Object.values(served.paths).flatMap((item) => Object.keys(item)).length;

if (check) {
  let committed = "";
  try {
    committed = readFileSync(file, "utf8");
  } catch {
    // Missing: reported as a difference below.
  }
  if (committed !== text) {
    console.error(`${file} does not match the zod schemas (scripts/openapi-build.ts). Run 'npm run openapi' and commit the result.`);
    process.exit(1);
  }
  console.log(`${file} matches the zod schemas and is valid OpenAPI ${validator.version} (${operations} operations)`);
} else {
  writeFileSync(file, text);
  console.log(`wrote ${file}: valid OpenAPI ${validator.version} (${operations} operations)`);
}
