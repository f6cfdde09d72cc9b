import { migrate } from "../delivery/migrations";

/**
 * The control plane's tables: tenants and their API keys (channel accounts and endpoints join them as the
 * control plane grows). Numbered, append-only migrations; every write is one statement or one
 * transaction, so a half-applied change cannot be seen. `version` grows with every write, so that caches
 * know when they are stale.
 */
const MIGRATIONS = [
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

/** RELAY_CONFIG's tenants, sealed, as the import applies them. */
export interface ConfigImport {
  digest: string;
  tenants: {
    id: string;
    defaultAccount?: string;
    keys: { id: string; sha256: string; scopes: string[] }[];
    accounts: { id: string; channel: string; settings: JsonObject; sealedSecrets: string; hints: Record<string, string> }[];
    endpoint: { url: string; timeoutMs: number; sealedSecret: string; secretHint: string };
  }[];
}

/** The endpoint id RELAY_CONFIG's one endpoint per tenant gets. */
export const CONFIG_ENDPOINT_ID = "default";

type Row = Record<string, SqlStorageValue>;
interface TenantRow extends Row {
  id: string;
  name: string;
  status: string;
  default_account: string | null;
  source: string;
  created_at: number;
  updated_at: number;
}
interface KeyRow extends Row {
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
interface AccountRow extends Row {
  id: string;
  tenant_id: string;
  channel: string;
  settings: string;
  secrets: string;
  hints: string;
  source: string;
  created_at: number;
  updated_at: number;
}
interface EndpointRow extends Row {
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
const tenantOf = (r: TenantRow): RegistryTenant => ({
  id: r.id,
  name: r.name,
  status: r.status as TenantStatus,
  ...(r.default_account !== null && { defaultAccount: r.default_account }),
  source: r.source as Source,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});
const keyOf = (r: KeyRow): RegistryApiKey => ({
  id: r.id,
  tenant: r.tenant_id,
  scopes: JSON.parse(r.scopes) as string[],
  ...(r.hint !== "" && { hint: r.hint }),
  source: r.source as Source,
  createdAt: iso(r.created_at),
  ...(r.last_used_at !== null && { lastUsedAt: iso(r.last_used_at) }),
  ...(r.revoked_at !== null && { revokedAt: iso(r.revoked_at) }),
});
const sealedAccountOf = (r: AccountRow): SealedAccount => ({
  id: r.id,
  tenant: r.tenant_id,
  channel: r.channel,
  settings: JSON.parse(r.settings) as JsonObject,
  secretHints: JSON.parse(r.hints) as Record<string, string>,
  source: r.source as Source,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
  sealedSecrets: r.secrets,
});
const sealedEndpointOf = (r: EndpointRow, now: number): SealedEndpoint => {
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

/** Strips the sealed values off a record: what an API may answer. */
export function visibleAccount({ sealedSecrets: _, ...account }: SealedAccount): RegistryAccount {
  return account;
}
export function visibleEndpoint({ sealedSecret: _, sealedPreviousSecret: __, ...endpoint }: SealedEndpoint): RegistryEndpoint {
  return endpoint;
}

/** An endpoint's settings as written by the APIs (the secret is sealed by the caller). */
export interface EndpointWrite extends EndpointFilter {
  url: string;
  description?: string;
  timeoutMs: number;
}

/** The registry's SQLite storage; synchronous, so each method is atomic in its Durable Object. */
export class RegistryStore {
  constructor(private readonly sql: SqlStorage) {
    migrate(sql, MIGRATIONS);
  }

  get version(): number {
    return this.sql.exec<{ value: number }>("SELECT value FROM meta WHERE key = 'version'").one().value;
  }

  private bump(): void {
    this.sql.exec("UPDATE meta SET value = value + 1 WHERE key = 'version'");
  }

  /** Creates a tenant; null when the id is taken. */
  createTenant(id: string, name: string, now: number): RegistryTenant | null {
    const row = this.sql
      .exec<TenantRow>(
        "INSERT INTO tenants (id, name, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING *",
        id,
        name,
        now,
        now,
      )
      .toArray()[0];
    if (row) this.bump();
    return row ? tenantOf(row) : null;
  }

  tenant(id: string): RegistryTenant | null {
    const row = this.sql.exec<TenantRow>("SELECT * FROM tenants WHERE id = ?", id).toArray()[0];
    return row ? tenantOf(row) : null;
  }

  /** Tenants in id order, after `after` (a page's last id). */
  tenants(limit: number, after = ""): RegistryTenant[] {
    return this.sql.exec<TenantRow>("SELECT * FROM tenants WHERE id > ? ORDER BY id LIMIT ?", after, limit).toArray().map(tenantOf);
  }

  /** Changes a tenant's name, status or default account; null when there is no such tenant. */
  updateTenant(id: string, change: { name?: string; status?: TenantStatus }, now: number): RegistryTenant | null {
    const row = this.sql
      .exec<TenantRow>(
        "UPDATE tenants SET name = COALESCE(?, name), status = COALESCE(?, status), updated_at = ? WHERE id = ? RETURNING *",
        change.name ?? null,
        change.status ?? null,
        now,
        id,
      )
      .toArray()[0];
    if (row) this.bump();
    return row ? tenantOf(row) : null;
  }

  /** Deletes a tenant with its keys, accounts and endpoints; false when there is no such tenant. */
  deleteTenant(id: string): boolean {
    const deleted = this.sql.exec("DELETE FROM tenants WHERE id = ? RETURNING id", id).toArray().length > 0;
    if (deleted) {
      for (const table of ["api_keys", "accounts", "endpoints"]) this.sql.exec(`DELETE FROM ${table} WHERE tenant_id = ?`, id);
      this.bump();
    }
    return deleted;
  }

  /** Records a key by its hash; null when the tenant does not exist. */
  createApiKey(key: { id: string; tenant: string; sha256: string; scopes: string[]; hint: string }, now: number): RegistryApiKey | null {
    if (!this.tenant(key.tenant)) return null;
    const row = this.sql
      .exec<KeyRow>(
        "INSERT INTO api_keys (id, tenant_id, sha256, scopes, hint, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING *",
        key.id,
        key.tenant,
        key.sha256,
        JSON.stringify(key.scopes),
        key.hint,
        now,
      )
      .one();
    this.bump();
    return keyOf(row);
  }

  apiKeys(tenant: string): RegistryApiKey[] {
    return this.sql.exec<KeyRow>("SELECT * FROM api_keys WHERE tenant_id = ? ORDER BY created_at, id", tenant).toArray().map(keyOf);
  }

  /** Revokes a key of a tenant; false when the tenant has no such key. */
  revokeApiKey(tenant: string, id: string, now: number): boolean {
    const revoked =
      this.sql.exec("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE tenant_id = ? AND id = ? RETURNING id", now, tenant, id).toArray()
        .length > 0;
    if (revoked) this.bump();
    return revoked;
  }

  /** Notes that a key was used at `at` (only ever moves forward; no cache cares, so the version stays). */
  touchApiKey(tenant: string, id: string, at: number): void {
    this.sql.exec("UPDATE api_keys SET last_used_at = MAX(COALESCE(last_used_at, 0), ?) WHERE tenant_id = ? AND id = ?", at, tenant, id);
  }

  /** Sets (or clears, with null) the tenant's default account. */
  setDefaultAccount(tenant: string, account: string | null, now: number): void {
    this.sql.exec("UPDATE tenants SET default_account = ?, updated_at = ? WHERE id = ?", account, now, tenant);
    this.bump();
  }

  /** Creates an account; "exists" when its id is taken (in any tenant: webhook URLs name accounts alone). */
  createAccount(a: { id: string; tenant: string; channel: string; settings: object; sealedSecrets: string; hints: object }, now: number): SealedAccount | "exists" | "no_tenant" {
    if (!this.tenant(a.tenant)) return "no_tenant";
    const row = this.sql
      .exec<AccountRow>(
        `INSERT INTO accounts (id, tenant_id, channel, settings, secrets, hints, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO NOTHING RETURNING *`,
        a.id,
        a.tenant,
        a.channel,
        JSON.stringify(a.settings),
        a.sealedSecrets,
        JSON.stringify(a.hints),
        now,
        now,
      )
      .toArray()[0];
    if (!row) return "exists";
    this.bump();
    return sealedAccountOf(row);
  }

  /** One account of a tenant (another tenant's is not found). */
  account(tenant: string, id: string): SealedAccount | null {
    const row = this.sql.exec<AccountRow>("SELECT * FROM accounts WHERE tenant_id = ? AND id = ?", tenant, id).toArray()[0];
    return row ? sealedAccountOf(row) : null;
  }

  accounts(tenant: string): SealedAccount[] {
    return this.sql.exec<AccountRow>("SELECT * FROM accounts WHERE tenant_id = ? ORDER BY id", tenant).toArray().map(sealedAccountOf);
  }

  /** Replaces an account's settings and secrets; null when the tenant has no such account. */
  replaceAccount(tenant: string, id: string, a: { settings: object; sealedSecrets: string; hints: object }, now: number): SealedAccount | null {
    const row = this.sql
      .exec<AccountRow>(
        "UPDATE accounts SET settings = ?, secrets = ?, hints = ?, updated_at = ? WHERE tenant_id = ? AND id = ? RETURNING *",
        JSON.stringify(a.settings),
        a.sealedSecrets,
        JSON.stringify(a.hints),
        now,
        tenant,
        id,
      )
      .toArray()[0];
    if (row) this.bump();
    return row ? sealedAccountOf(row) : null;
  }

  /** Deletes an account (and clears it as the default); false when the tenant has no such account. */
  deleteAccount(tenant: string, id: string): boolean {
    const deleted = this.sql.exec("DELETE FROM accounts WHERE tenant_id = ? AND id = ? RETURNING id", tenant, id).toArray().length > 0;
    if (deleted) {
      this.sql.exec("UPDATE tenants SET default_account = NULL WHERE id = ? AND default_account = ?", tenant, id);
      this.bump();
    }
    return deleted;
  }

  /** Creates an endpoint; "exists" when the tenant has one by that id. */
  createEndpoint(tenant: string, id: string, e: EndpointWrite & { sealedSecret: string; secretHint: string }, now: number): SealedEndpoint | "exists" | "no_tenant" {
    if (!this.tenant(tenant)) return "no_tenant";
    const row = this.sql
      .exec<EndpointRow>(
        `INSERT INTO endpoints (tenant_id, id, url, description, event_types, accounts, timeout_ms, secret, secret_hint, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, id) DO NOTHING RETURNING *`,
        tenant,
        id,
        e.url,
        e.description ?? null,
        e.eventTypes ? JSON.stringify(e.eventTypes) : null,
        e.accounts ? JSON.stringify(e.accounts) : null,
        e.timeoutMs,
        e.sealedSecret,
        e.secretHint,
        now,
        now,
      )
      .toArray()[0];
    if (!row) return "exists";
    this.bump();
    return sealedEndpointOf(row, now);
  }

  endpoint(tenant: string, id: string, now: number): SealedEndpoint | null {
    const row = this.sql.exec<EndpointRow>("SELECT * FROM endpoints WHERE tenant_id = ? AND id = ?", tenant, id).toArray()[0];
    return row ? sealedEndpointOf(row, now) : null;
  }

  endpoints(tenant: string, now: number): SealedEndpoint[] {
    return this.sql.exec<EndpointRow>("SELECT * FROM endpoints WHERE tenant_id = ? ORDER BY id", tenant).toArray().map((r) => sealedEndpointOf(r, now));
  }

  /** Replaces an endpoint's settings (not its secret); null when the tenant has no such endpoint. */
  updateEndpoint(tenant: string, id: string, e: EndpointWrite, now: number): SealedEndpoint | null {
    const row = this.sql
      .exec<EndpointRow>(
        `UPDATE endpoints SET url = ?, description = ?, event_types = ?, accounts = ?, timeout_ms = ?, updated_at = ?
         WHERE tenant_id = ? AND id = ? RETURNING *`,
        e.url,
        e.description ?? null,
        e.eventTypes ? JSON.stringify(e.eventTypes) : null,
        e.accounts ? JSON.stringify(e.accounts) : null,
        e.timeoutMs,
        now,
        tenant,
        id,
      )
      .toArray()[0];
    if (row) this.bump();
    return row ? sealedEndpointOf(row, now) : null;
  }

  /** A new signing secret; the current one keeps signing until `previousUntil`. Null when there is no such endpoint. */
  rotateEndpointSecret(tenant: string, id: string, sealed: { secret: string; hint: string; previous: string }, previousUntil: number, now: number): SealedEndpoint | null {
    const row = this.sql
      .exec<EndpointRow>(
        `UPDATE endpoints SET previous_secret = ?, previous_until = ?, secret = ?, secret_hint = ?, updated_at = ?
         WHERE tenant_id = ? AND id = ? RETURNING *`,
        sealed.previous,
        previousUntil,
        sealed.secret,
        sealed.hint,
        now,
        tenant,
        id,
      )
      .toArray()[0];
    if (row) this.bump();
    return row ? sealedEndpointOf(row, now) : null;
  }

  deleteEndpoint(tenant: string, id: string): boolean {
    const deleted = this.sql.exec("DELETE FROM endpoints WHERE tenant_id = ? AND id = ? RETURNING id", tenant, id).toArray().length > 0;
    if (deleted) this.bump();
    return deleted;
  }

  /** The digest of the RELAY_CONFIG last imported, if any. */
  importedDigest(): string | undefined {
    return this.sql.exec<{ value: string }>("SELECT value FROM settings WHERE key = 'config_digest'").toArray()[0]?.value;
  }

  /**
   * Applies RELAY_CONFIG declaratively, in one transaction (the caller's): what it declares is created
   * or updated, and what an earlier import created but it no longer declares is removed. Rows the APIs
   * created are never touched; an account id taken by another tenant is skipped and reported.
   */
  importConfig(plan: ConfigImport, now: number): string[] {
    const conflicts: string[] = [];
    const declared = { tenants: new Set<string>(), accounts: new Set<string>(), endpoints: new Set<string>(), keys: new Set<string>() };
    for (const t of plan.tenants) {
      declared.tenants.add(t.id);
      this.sql.exec(
        `INSERT INTO tenants (id, name, default_account, source, created_at, updated_at) VALUES (?, ?, ?, 'config', ?, ?)
         ON CONFLICT (id) DO UPDATE SET default_account = excluded.default_account, source = 'config', updated_at = excluded.updated_at`,
        t.id,
        t.id,
        t.defaultAccount ?? null,
        now,
        now,
      );
      for (const a of t.accounts) {
        const owner = this.sql.exec<{ tenant_id: string }>("SELECT tenant_id FROM accounts WHERE id = ?", a.id).toArray()[0]?.tenant_id;
        if (owner !== undefined && owner !== t.id) {
          conflicts.push(`account '${a.id}' of tenant '${t.id}' is taken by tenant '${owner}'`);
          continue;
        }
        declared.accounts.add(a.id);
        this.sql.exec(
          `INSERT INTO accounts (id, tenant_id, channel, settings, secrets, hints, source, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'config', ?, ?)
           ON CONFLICT (id) DO UPDATE SET channel = excluded.channel, settings = excluded.settings, secrets = excluded.secrets,
             hints = excluded.hints, source = 'config', updated_at = excluded.updated_at`,
          a.id,
          t.id,
          a.channel,
          JSON.stringify(a.settings),
          a.sealedSecrets,
          JSON.stringify(a.hints),
          now,
          now,
        );
      }
      declared.endpoints.add(`${t.id}/${CONFIG_ENDPOINT_ID}`);
      this.sql.exec(
        `INSERT INTO endpoints (tenant_id, id, url, timeout_ms, secret, secret_hint, source, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'config', ?, ?)
         ON CONFLICT (tenant_id, id) DO UPDATE SET url = excluded.url, timeout_ms = excluded.timeout_ms, secret = excluded.secret,
           secret_hint = excluded.secret_hint, event_types = NULL, accounts = NULL, source = 'config', updated_at = excluded.updated_at`,
        t.id,
        CONFIG_ENDPOINT_ID,
        t.endpoint.url,
        t.endpoint.timeoutMs,
        t.endpoint.sealedSecret,
        t.endpoint.secretHint,
        now,
        now,
      );
      for (const k of t.keys) {
        const owner = this.sql.exec<{ tenant_id: string; id: string }>("SELECT tenant_id, id FROM api_keys WHERE sha256 = ?", k.sha256).toArray()[0];
        if (owner && (owner.tenant_id !== t.id || owner.id !== k.id)) {
          conflicts.push(`API key '${k.id}' of tenant '${t.id}' is already key '${owner.id}' of tenant '${owner.tenant_id}'`);
          continue;
        }
        declared.keys.add(`${t.id}/${k.id}`);
        this.sql.exec(
          `INSERT INTO api_keys (tenant_id, id, sha256, scopes, hint, source, created_at) VALUES (?, ?, ?, ?, '', 'config', ?)
           ON CONFLICT (tenant_id, id) DO UPDATE SET sha256 = excluded.sha256, scopes = excluded.scopes, revoked_at = NULL, source = 'config'`,
          t.id,
          k.id,
          k.sha256,
          JSON.stringify(k.scopes),
          now,
        );
      }
    }
    // What an earlier import declared and this one does not: removed.
    const stale = (query: string, key: (r: Record<string, string>) => string, set: Set<string>) =>
      this.sql.exec<Record<string, string>>(query).toArray().filter((r) => !set.has(key(r)));
    for (const r of stale("SELECT id FROM tenants WHERE source = 'config'", (r) => r.id!, declared.tenants)) this.deleteTenant(r.id!);
    for (const r of stale("SELECT tenant_id, id FROM accounts WHERE source = 'config'", (r) => r.id!, declared.accounts)) this.deleteAccount(r.tenant_id!, r.id!);
    for (const r of stale("SELECT tenant_id, id FROM endpoints WHERE source = 'config'", (r) => `${r.tenant_id}/${r.id}`, declared.endpoints)) {
      this.deleteEndpoint(r.tenant_id!, r.id!);
    }
    for (const r of stale("SELECT tenant_id, id FROM api_keys WHERE source = 'config'", (r) => `${r.tenant_id}/${r.id}`, declared.keys)) {
      this.sql.exec("DELETE FROM api_keys WHERE tenant_id = ? AND id = ?", r.tenant_id!, r.id!);
    }
    this.sql.exec("INSERT INTO settings (key, value) VALUES ('config_digest', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", plan.digest);
    this.bump();
    return conflicts;
  }

  /** Every sealed value, to seal again under a new master key. */
  sealedValues(): { kind: "account" | "endpoint" | "previous"; tenant: string; id: string; sealed: string }[] {
    return [
      ...this.sql.exec<{ tenant_id: string; id: string; secrets: string }>("SELECT tenant_id, id, secrets FROM accounts").toArray()
        .map((r) => ({ kind: "account" as const, tenant: r.tenant_id, id: r.id, sealed: r.secrets })),
      ...this.sql.exec<{ tenant_id: string; id: string; secret: string; previous_secret: string | null }>("SELECT tenant_id, id, secret, previous_secret FROM endpoints").toArray()
        .flatMap((r) => [
          { kind: "endpoint" as const, tenant: r.tenant_id, id: r.id, sealed: r.secret },
          ...(r.previous_secret !== null ? [{ kind: "previous" as const, tenant: r.tenant_id, id: r.id, sealed: r.previous_secret }] : []),
        ]),
    ];
  }

  /** Replaces one sealed value with the same value sealed again, if it is still the one that was read. */
  resealValue(v: { kind: "account" | "endpoint" | "previous"; tenant: string; id: string; sealed: string }, resealed: string): void {
    const [table, column] = v.kind === "account" ? ["accounts", "secrets"] : ["endpoints", v.kind === "endpoint" ? "secret" : "previous_secret"];
    this.sql.exec(`UPDATE ${table} SET ${column} = ? WHERE tenant_id = ? AND id = ? AND ${column} = ?`, resealed, v.tenant, v.id, v.sealed);
    // Copies sealed with a key about to be retired must be replaced before it is.
    this.bump();
  }

  snapshot(now: number): RegistrySnapshot {
    const tenants = this.sql.exec<TenantRow>("SELECT * FROM tenants ORDER BY id").toArray().map(tenantOf);
    const keys = this.sql
      .exec<KeyRow>("SELECT * FROM api_keys WHERE revoked_at IS NULL")
      .toArray()
      .map((r) => ({ id: r.id, sha256: r.sha256, tenant: r.tenant_id, scopes: JSON.parse(r.scopes) as string[] }));
    const accounts = this.sql.exec<AccountRow>("SELECT * FROM accounts").toArray().map(sealedAccountOf);
    const endpoints = this.sql.exec<EndpointRow>("SELECT * FROM endpoints ORDER BY tenant_id, id").toArray().map((r) => sealedEndpointOf(r, now));
    return { version: this.version, tenants, keys, accounts, endpoints };
  }
}
