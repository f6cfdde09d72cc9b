import { hint } from "./seal";

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Takes the secret leaves (dotted paths) out of a document: what may be shown, the secrets by path, and
 * a hint of each. Paths that are absent (an optional secret not set) are skipped.
 */
export function splitSecrets(doc: Json, paths: readonly string[]): { visible: Json; secrets: Record<string, string>; hints: Record<string, string> } {
  const visible = structuredClone(doc);
  const secrets: Record<string, string> = {};
  const hints: Record<string, string> = {};
  for (const path of paths) {
    const keys = path.split(".");
    const last = keys.pop()!;
    const parent = keys.reduce<unknown>((o, k) => (isObject(o) ? o[k] : undefined), visible);
    if (!isObject(parent) || typeof parent[last] !== "string") continue;
    secrets[path] = parent[last];
    hints[path] = hint(parent[last]);
    delete parent[last];
  }
  return { visible, secrets, hints };
}

/** Puts secrets back at their paths: the inverse of `splitSecrets`. */
export function joinSecrets(visible: Json, secrets: Record<string, string>): Json {
  const doc = structuredClone(visible);
  for (const [path, value] of Object.entries(secrets)) {
    const keys = path.split(".");
    const last = keys.pop()!;
    let node = doc;
    for (const k of keys) node = isObject(node[k]) ? (node[k] as Json) : (node[k] = {});
    node[last] = value;
  }
  return doc;
}

/**
 * A JSON merge patch (RFC 7396): objects merge key by key, `null` removes a key, anything else replaces.
 * @see https://www.rfc-editor.org/rfc/rfc7396
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const result: Json = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k];
    else result[k] = mergePatch(result[k], v);
  }
  return result;
}
