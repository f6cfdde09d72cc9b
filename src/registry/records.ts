/**
 * What the registry holds, as the rest of the relay sees it: tenants, keys, accounts and endpoints,
 * with their secrets either sealed (for the isolate's copy) or left out (for every API answer).
 */

export type TenantStatus = "active" | "suspended";
/** Who created a row: RELAY_CONFIG's import (re-applied when it changes) or an API. */
export type Source = "config" | "api";

export interface RegistryTenant {
  id: string;
  name: string;
  status: TenantStatus;
  /** The account `/api/v7/chat` and `/v1/messages` without `account` send from. */
  defaultAccount?: string;
  source: Source;
  createdAt: string;
  updatedAt: string;
}

export interface RegistryApiKey {
  id: string;
  tenant: string;
  scopes: string[];
  /** The key's last four characters; the key itself is never stored (absent for keys RELAY_CONFIG declares by hash). */
  hint?: string;
  source: Source;
  createdAt: string;
  lastUsedAt?: string;
  revokedAt?: string;
}

type Scalar = string | number | boolean | null;
/**
 * An account's settings: JSON objects nested at most three deep (as every channel's schema is). Not a
 * recursive JSON type, which Durable Object RPC's types cannot map.
 */
export type JsonObject = { [key: string]: Scalar | Scalar[] | { [key: string]: Scalar | Scalar[] | { [key: string]: Scalar | Scalar[] } } };

/** A channel account as every API shows it: its settings without secrets, and a hint of each secret. */
export interface RegistryAccount {
  id: string;
  tenant: string;
  channel: string;
  settings: JsonObject;
  secretHints: Record<string, string>;
  /** Whether sends that name no account go out from this one. */
  default: boolean;
  source: Source;
  createdAt: string;
  updatedAt: string;
}

/** An account with its secrets, sealed (`{path: value}` as JSON, sealed as one value). */
export interface SealedAccount extends RegistryAccount {
  sealedSecrets: string;
}

/** Which events an endpoint receives: all when a list is absent. */
export interface EndpointFilter {
  eventTypes?: string[];
  accounts?: string[];
}

/** A tenant's webhook endpoint as every API shows it: never its secret, only a hint. */
export interface RegistryEndpoint extends EndpointFilter {
  id: string;
  tenant: string;
  url: string;
  description?: string;
  timeoutMs: number;
  secretHint: string;
  /** Until when the secret before the last rotation still signs deliveries. */
  previousSecretExpiresAt?: string;
  source: Source;
  createdAt: string;
  updatedAt: string;
}

/** An endpoint with its signing secrets, sealed. */
export interface SealedEndpoint extends RegistryEndpoint {
  sealedSecret: string;
  sealedPreviousSecret?: string;
}

/** What request paths read, all at once: tenants, usable keys (by SHA-256), accounts and endpoints. */
export interface RegistrySnapshot {
  version: number;
  tenants: RegistryTenant[];
  keys: { id: string; sha256: string; tenant: string; scopes: string[] }[];
  accounts: SealedAccount[];
  endpoints: SealedEndpoint[];
}

/** The endpoint id RELAY_CONFIG's one endpoint per tenant gets. */
export const CONFIG_ENDPOINT_ID = "default";

/** An endpoint's settings as written by the APIs (the secret is sealed by the caller). */
export interface EndpointWrite extends EndpointFilter {
  url: string;
  description?: string;
  timeoutMs: number;
}

/** Strips the sealed values off a record: what an API may answer. */
export function visibleAccount({ sealedSecrets: _, ...account }: SealedAccount): RegistryAccount {
  return account;
}
export function visibleEndpoint({ sealedSecret: _, sealedPreviousSecret: __, ...endpoint }: SealedEndpoint): RegistryEndpoint {
  return endpoint;
}
