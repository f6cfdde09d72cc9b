import { formatPath } from "../errors";
import type { AccountConfig } from "../channels/registry";
import type { RelayConfig as RelayConfigType, Scope, TenantConfig } from "./schema";
import { RelayConfig } from "./schema";

/** The configuration could not be read: names the bad field, never its value. */
export class ConfigError extends Error {}

/** The validated configuration with the lookups requests need. */
export interface LoadedConfig {
  config: RelayConfigType;
  tenant(id: string): TenantConfig | undefined;
  /** The account a webhook path names, with its tenant. */
  account(accountId: string): { tenant: TenantConfig; account: AccountConfig } | undefined;
  /** The tenant and scopes of an API key, by the key's SHA-256. */
  apiKey(sha256: string): { tenant: TenantConfig; scopes: readonly Scope[] } | undefined;
}

let cached: { source: unknown; loaded: LoadedConfig } | undefined;

/** Parses and validates configuration; throws ConfigError listing each bad field by its path. */
export function parseConfig(source: unknown): LoadedConfig {
  let raw = source;
  if (typeof source === "string") {
    try {
      raw = JSON.parse(source);
    } catch (e) {
      throw new ConfigError(`RELAY_CONFIG is not valid JSON: ${(e as Error).message}`);
    }
  }
  if (raw === undefined) throw new ConfigError("RELAY_CONFIG is not set");
  const result = RelayConfig.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${formatPath(i.path) || "(root)"}: ${i.message}`);
    throw new ConfigError(`RELAY_CONFIG is invalid:\n  ${lines.join("\n  ")}`);
  }
  const config = result.data;
  const tenants = new Map(config.tenants.map((t) => [t.id, t]));
  const accounts = new Map(config.tenants.flatMap((t) => t.accounts.map((a) => [a.id, { tenant: t, account: a }] as const)));
  const keys = new Map(config.tenants.flatMap((t) => t.apiKeys.map((k) => [k.sha256, { tenant: t, scopes: k.scopes }] as const)));
  return {
    config,
    tenant: (id) => tenants.get(id),
    account: (id) => accounts.get(id),
    apiKey: (hash) => keys.get(hash),
  };
}

/** The configuration of this Worker, parsed once per isolate (and again only if the binding changes). */
export function loadConfig(env: { RELAY_CONFIG?: unknown }): LoadedConfig {
  if (cached && cached.source === env.RELAY_CONFIG) return cached.loaded;
  const loaded = parseConfig(env.RELAY_CONFIG);
  cached = { source: env.RELAY_CONFIG, loaded };
  return loaded;
}

