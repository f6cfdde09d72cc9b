import { formatPath } from "../errors";
import type { RelayConfig as RelayConfigType } from "./schema";
import { RelayConfig } from "./schema";

/** The configuration could not be read: names the bad field, never its value. */
export class ConfigError extends Error {}

/**
 * The validated configuration: the relay's settings, and tenants that the registry imports (request
 * paths look tenants, accounts, keys and endpoints up in the registry, `registry/directory.ts`).
 */
export interface LoadedConfig {
  config: RelayConfigType;
}

let cached: { source: unknown; loaded: LoadedConfig } | undefined;

/** Parses and validates configuration; throws ConfigError listing each bad field by its path. */
export function parseConfig(source: unknown): LoadedConfig {
  let raw = source;
  if (typeof source === "string" && source.trim() !== "") {
    try {
      raw = JSON.parse(source);
    } catch (e) {
      throw new ConfigError(`RELAY_CONFIG is not valid JSON: ${(e as Error).message}`);
    }
  }
  // Nothing requires RELAY_CONFIG: without it every setting has its default and the registry holds all tenants.
  if (raw === undefined || (typeof raw === "string" && raw.trim() === "")) raw = {};
  const result = RelayConfig.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${formatPath(i.path) || "(root)"}: ${i.message}`);
    throw new ConfigError(`RELAY_CONFIG is invalid:\n  ${lines.join("\n  ")}`);
  }
  return { config: result.data };
}

/** The configuration of this Worker, parsed once per isolate (and again only if the binding changes). */
export function loadConfig(env: { RELAY_CONFIG?: unknown }): LoadedConfig {
  if (cached && cached.source === env.RELAY_CONFIG) return cached.loaded;
  const loaded = parseConfig(env.RELAY_CONFIG);
  cached = { source: env.RELAY_CONFIG, loaded };
  return loaded;
}

