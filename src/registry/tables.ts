import type { JsonObject, RegistryApiKey, RegistryTenant, SealedAccount, SealedEndpoint, Source, TenantStatus } from "./records";

/**
 * The control plane's tables: tenants, API keys, channel accounts, endpoints. Numbered, append-only
 * migrations; `meta.version` grows with every write, so that caches know when they are stale.
 */
export const REGISTRY_MIGRATIONS = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
   INSERT INTO meta (key, value) VALUES ('version', 0);
   CREATE TABLE tenants (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     status TEXT NOT NULL DEFAULT 'active',
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE api_keys (
     id TEXT PRIMARY KEY,
     tenant_id TEXT NOT NULL,
     sha256 TEXT NOT NULL UNIQUE,
     scopes TEXT NOT NULL,
     hint TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     revoked_at INTEGER
   );
   CREATE INDEX api_keys_tenant ON api_keys (tenant_id);`,
  // When a key was last used, to the minute: recorded without bumping the version (no cache cares).
  `ALTER TABLE api_keys ADD COLUMN last_used_at INTEGER;`,
  // Channel accounts and endpoints; keys named per tenant; what RELAY_CONFIG declared (source 'config')
  // is re-applied or removed when it changes, what the APIs created (source 'api') is never touched by it.
  `CREATE TABLE api_keys_by_tenant (
     tenant_id TEXT NOT NULL,
     id TEXT NOT NULL,
     sha256 TEXT NOT NULL UNIQUE,
     scopes TEXT NOT NULL,
     hint TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     revoked_at INTEGER,
     last_used_at INTEGER,
     source TEXT NOT NULL DEFAULT 'api',
     PRIMARY KEY (tenant_id, id)
   );
   INSERT INTO api_keys_by_tenant (tenant_id, id, sha256, scopes, hint, created_at, revoked_at, last_used_at)
     SELECT tenant_id, id, sha256, scopes, hint, created_at, revoked_at, last_used_at FROM api_keys;
   DROP TABLE api_keys;
   ALTER TABLE api_keys_by_tenant RENAME TO api_keys;
   ALTER TABLE tenants ADD COLUMN default_account TEXT;
   ALTER TABLE tenants ADD COLUMN source TEXT NOT NULL DEFAULT 'api';
   CREATE TABLE accounts (
     id TEXT PRIMARY KEY,
     tenant_id TEXT NOT NULL,
     channel TEXT NOT NULL,
     settings TEXT NOT NULL,
     secrets TEXT NOT NULL,
     hints TEXT NOT NULL,
     source TEXT NOT NULL DEFAULT 'api',
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE INDEX accounts_tenant ON accounts (tenant_id);
   CREATE TABLE endpoints (
     tenant_id TEXT NOT NULL,
     id TEXT NOT NULL,
     url TEXT NOT NULL,
     description TEXT,
     event_types TEXT,
     accounts TEXT,
     timeout_ms INTEGER NOT NULL,
     secret TEXT NOT NULL,
     secret_hint TEXT NOT NULL,
     previous_secret TEXT,
     previous_until INTEGER,
     source TEXT NOT NULL DEFAULT 'api',
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     PRIMARY KEY (tenant_id, id)
   );
   CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
];


type Row = Record<string, SqlStorageValue>;
export interface TenantRow extends Row {
  id: string;
  name: string;
  status: string;
  default_account: string | null;
  source: string;
  created_at: number;
  updated_at: number;
}
export interface KeyRow extends Row {
  id: string;
  tenant_id: string;
  sha256: string;
  scopes: string;
  hint: string;
  source: string;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}
export interface AccountRow extends Row {
  id: string;
  is_default: number;
  tenant_id: string;
  channel: string;
  settings: string;
  secrets: string;
  hints: string;
  source: string;
  created_at: number;
  updated_at: number;
}
export interface EndpointRow extends Row {
  tenant_id: string;
  id: string;
  url: string;
  description: string | null;
  event_types: string | null;
  accounts: string | null;
  timeout_ms: number;
  secret: string;
  secret_hint: string;
  previous_secret: string | null;
  previous_until: number | null;
  source: string;
  created_at: number;
  updated_at: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
export const tenantOf = (r: TenantRow): RegistryTenant => ({
  id: r.id,
  name: r.name,
  status: r.status as TenantStatus,
  ...(r.default_account !== null && { defaultAccount: r.default_account }),
  source: r.source as Source,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});
export const keyOf = (r: KeyRow): RegistryApiKey => ({
  id: r.id,
  tenant: r.tenant_id,
  scopes: JSON.parse(r.scopes) as string[],
  ...(r.hint !== "" && { hint: r.hint }),
  source: r.source as Source,
  createdAt: iso(r.created_at),
  ...(r.last_used_at !== null && { lastUsedAt: iso(r.last_used_at) }),
  ...(r.revoked_at !== null && { revokedAt: iso(r.revoked_at) }),
});
export const sealedAccountOf = (r: AccountRow): SealedAccount => ({
  id: r.id,
  tenant: r.tenant_id,
  channel: r.channel,
  settings: JSON.parse(r.settings) as JsonObject,
  secretHints: JSON.parse(r.hints) as Record<string, string>,
  default: r.is_default === 1,
  source: r.source as Source,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
  sealedSecrets: r.secrets,
});
export const sealedEndpointOf = (r: EndpointRow, now: number): SealedEndpoint => {
  const previous = r.previous_secret !== null && r.previous_until !== null && r.previous_until > now;
  return {
    id: r.id,
    tenant: r.tenant_id,
    url: r.url,
    ...(r.description !== null && { description: r.description }),
    ...(r.event_types !== null && { eventTypes: JSON.parse(r.event_types) as string[] }),
    ...(r.accounts !== null && { accounts: JSON.parse(r.accounts) as string[] }),
    timeoutMs: r.timeout_ms,
    secretHint: r.secret_hint,
    ...(previous && { previousSecretExpiresAt: iso(r.previous_until!), sealedPreviousSecret: r.previous_secret! }),
    source: r.source as Source,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    sealedSecret: r.secret,
  };
};
