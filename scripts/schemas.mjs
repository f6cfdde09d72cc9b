#!/usr/bin/env node
/**
 * Writes the JSON Schema of the public contracts (generated from src/model) into schemas/.
 * With --check, writes nothing and fails if schemas/ differs from the model (CI runs this).
 */
import { build } from "esbuild";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const check = process.argv.includes("--check");
const outDir = "schemas";
const tmp = join(tmpdir(), `relay-schemas-${process.pid}.mjs`);
await build({ entryPoints: ["src/model/schemas.ts"], bundle: true, format: "esm", platform: "node", outfile: tmp, logLevel: "error" });
const { publicJsonSchemas } = await import(pathToFileURL(tmp).href);
rmSync(tmp);

const wanted = Object.fromEntries(
  Object.entries(publicJsonSchemas()).map(([name, schema]) => [`${name}.json`, `${JSON.stringify(schema, null, 2)}\n`]),
);
if (check) {
  const present = readdirSync(outDir).filter((f) => f.endsWith(".json"));
  const stale = [
    ...Object.entries(wanted).filter(([f, text]) => !present.includes(f) || readFileSync(join(outDir, f), "utf8") !== text).map(([f]) => f),
    ...present.filter((f) => !(f in wanted)),
  ];
  if (stale.length > 0) {
    console.error(`schemas/ does not match src/model: ${stale.join(", ")}. Run 'npm run schemas' and commit the result.`);
    process.exit(1);
  }
  console.log(`schemas/ matches src/model (${present.length} schemas)`);
} else {
  mkdirSync(outDir, { recursive: true });
  for (const f of readdirSync(outDir)) if (f.endsWith(".json") && !(f in wanted)) rmSync(join(outDir, f));
  for (const [f, text] of Object.entries(wanted)) writeFileSync(join(outDir, f), text);
  console.log(`wrote ${Object.keys(wanted).length} schemas to ${outDir}/`);
}
