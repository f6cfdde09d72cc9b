import { migrate } from "../delivery/migrations";
import type { EndpointWrite, JsonObject, RegistryApiKey, RegistrySnapshot, RegistryTenant, SealedAccount, SealedEndpoint, Source, TenantStatus } from "./records";
import {
  type AccountRow,
  type EndpointRow,
  type KeyRow,
  REGISTRY_MIGRATIONS,
  sealedAccountOf,
  sealedEndpointOf,
  type TenantRow,
  keyOf,
  tenantOf,
} from "./tables";

/** Accounts with whether each is its tenant's default, derived from the tenant rather than stored twice. */
const ACCOUNTS = `SELECT a.*, COALESCE(t.default_account = a.id, 0) AS is_default FROM accounts a LEFT JOIN tenants t ON t.id = a.tenant_id`;

/** An account as written: its settings, its secrets sealed, a hint of each. */
export interface AccountWrite {
  channel: string;
  settings: JsonObject;
  sealedSecrets: string;
  hints: Record<string, string>;
}

/** A row a declaration names: a tenant's account, endpoint or key. */
export interface Owned {
  tenant: string;
  id: string;
}

/**
 * The registry's SQLite storage; synchronous, so each method is atomic in its Durable Object (callers
 * that change several rows wrap them in one transaction).
 */
export class RegistryStore {
  constructor(private readonly sql: SqlStorage) {
    migrate(sql, REGISTRY_MIGRATIONS);
  }

  get version(): number {
    return this.sql.exec<{ value: number }>("SELECT value FROM meta WHERE key = 'version'").one().value;
  }

  /** Marks a change: every isolate's copy is stale from now. */
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

  /** Creates or updates a tenant that RELAY_CONFIG declares (its name and status stay as they are). */
  putConfigTenant(id: string, defaultAccount: string | undefined, now: number): void {
    this.sql.exec(
      `INSERT INTO tenants (id, name, default_account, source, created_at, updated_at) VALUES (?, ?, ?, 'config', ?, ?)
       ON CONFLICT (id) DO UPDATE SET default_account = excluded.default_account, source = 'config', updated_at = excluded.updated_at`,
      id,
      id,
      defaultAccount ?? null,
      now,
      now,
    );
    this.bump();
  }

  tenant(id: string): RegistryTenant | null {
    const row = this.sql.exec<TenantRow>("SELECT * FROM tenants WHERE id = ?", id).toArray()[0];
    return row ? tenantOf(row) : null;
  }

  /** Tenants in id order, after `after` (a page's last id). */
  tenants(limit: number, after = ""): RegistryTenant[] {
    return this.sql.exec<TenantRow>("SELECT * FROM tenants WHERE id > ? ORDER BY id LIMIT ?", after, limit).toArray().map(tenantOf);
  }

  /** Changes a tenant's name or status; null when there is no such tenant. */
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

  /** Creates or updates a key that RELAY_CONFIG declares by its hash (un-revoking it). */
  putConfigKey(tenant: string, key: { id: string; sha256: string; scopes: string[] }, now: number): void {
    this.sql.exec(
      `INSERT INTO api_keys (tenant_id, id, sha256, scopes, hint, source, created_at) VALUES (?, ?, ?, ?, '', 'config', ?)
       ON CONFLICT (tenant_id, id) DO UPDATE SET sha256 = excluded.sha256, scopes = excluded.scopes, revoked_at = NULL, source = 'config'`,
      tenant,
      key.id,
      key.sha256,
      JSON.stringify(key.scopes),
      now,
    );
    this.bump();
  }

  /** Which tenant's key has this hash, if any. */
  keyOwner(sha256: string): Owned | undefined {
    return this.sql.exec<{ tenant: string; id: string }>("SELECT tenant_id AS tenant, id FROM api_keys WHERE sha256 = ?", sha256).toArray()[0];
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

  deleteApiKey(tenant: string, id: string): void {
    this.sql.exec("DELETE FROM api_keys WHERE tenant_id = ? AND id = ?", tenant, id);
    this.bump();
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

  /**
   * Writes an account: a new one only (`replace` false: false when the id is taken), or created or
   * replaced whole (RELAY_CONFIG's import). True when written.
   */
  private writeAccount(tenant: string, id: string, a: AccountWrite, source: Source, replace: boolean, now: number): boolean {
    const written = this.sql
      .exec(
        `INSERT INTO accounts (id, tenant_id, channel, settings, secrets, hints, source, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO ${replace ? "UPDATE SET channel = excluded.channel, settings = excluded.settings, secrets = excluded.secrets, hints = excluded.hints, source = excluded.source, updated_at = excluded.updated_at" : "NOTHING"}
         RETURNING id`,
        id,
        tenant,
        a.channel,
        JSON.stringify(a.settings),
        a.sealedSecrets,
        JSON.stringify(a.hints),
        source,
        now,
        now,
      )
      .toArray().length > 0;
    if (written) this.bump();
    return written;
  }

  /** Creates an account; "exists" when its id is taken (in any tenant: webhook URLs name accounts alone). */
  createAccount(tenant: string, id: string, a: AccountWrite, now: number): SealedAccount | "exists" | "no_tenant" {
    if (!this.tenant(tenant)) return "no_tenant";
    return this.writeAccount(tenant, id, a, "api", false, now) ? this.account(tenant, id)! : "exists";
  }

  /** Creates or replaces an account that RELAY_CONFIG declares. */
  putConfigAccount(tenant: string, id: string, a: AccountWrite, now: number): void {
    this.writeAccount(tenant, id, a, "config", true, now);
  }

  /** Which tenant holds an account id, if any. */
  accountOwner(id: string): string | undefined {
    return this.sql.exec<{ tenant_id: string }>("SELECT tenant_id FROM accounts WHERE id = ?", id).toArray()[0]?.tenant_id;
  }

  /** One account of a tenant (another tenant's is not found). */
  account(tenant: string, id: string): SealedAccount | null {
    const row = this.sql.exec<AccountRow>(`${ACCOUNTS} WHERE a.tenant_id = ? AND a.id = ?`, tenant, id).toArray()[0];
    return row ? sealedAccountOf(row) : null;
  }

  accounts(tenant: string): SealedAccount[] {
    return this.sql.exec<AccountRow>(`${ACCOUNTS} WHERE a.tenant_id = ? ORDER BY a.id`, tenant).toArray().map(sealedAccountOf);
  }

  /** Replaces an account's settings and secrets; null when the tenant has no such account. */
  replaceAccount(tenant: string, id: string, a: Omit<AccountWrite, "channel">, now: number): SealedAccount | null {
    const replaced =
      this.sql
        .exec(
          "UPDATE accounts SET settings = ?, secrets = ?, hints = ?, updated_at = ? WHERE tenant_id = ? AND id = ? RETURNING id",
          JSON.stringify(a.settings),
          a.sealedSecrets,
          JSON.stringify(a.hints),
          now,
          tenant,
          id,
        )
        .toArray().length > 0;
    if (!replaced) return null;
    this.bump();
    return this.account(tenant, id);
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

  /**
   * Writes an endpoint with its sealed secret: a new one only (`replace` false), or created or replaced
   * whole, filters cleared (RELAY_CONFIG's import). True when written.
   */
  private writeEndpoint(tenant: string, id: string, e: EndpointWrite & { sealedSecret: string; secretHint: string }, source: Source, replace: boolean, now: number): boolean {
    const written = this.sql
      .exec(
        `INSERT INTO endpoints (tenant_id, id, url, description, event_types, accounts, timeout_ms, secret, secret_hint, source, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (tenant_id, id) DO ${replace ? "UPDATE SET url = excluded.url, description = excluded.description, event_types = excluded.event_types, accounts = excluded.accounts, timeout_ms = excluded.timeout_ms, secret = excluded.secret, secret_hint = excluded.secret_hint, source = excluded.source, updated_at = excluded.updated_at" : "NOTHING"}
         RETURNING id`,
        tenant,
        id,
        e.url,
        e.description ?? null,
        e.eventTypes ? JSON.stringify(e.eventTypes) : null,
        e.accounts ? JSON.stringify(e.accounts) : null,
        e.timeoutMs,
        e.sealedSecret,
        e.secretHint,
        source,
        now,
        now,
      )
      .toArray().length > 0;
    if (written) this.bump();
    return written;
  }

  /** Creates an endpoint; "exists" when the tenant has one by that id, "limit" when it has `limit` already. */
  createEndpoint(
    tenant: string,
    id: string,
    e: EndpointWrite & { sealedSecret: string; secretHint: string },
    limit: number,
    now: number,
  ): SealedEndpoint | "exists" | "no_tenant" | "limit" {
    if (!this.tenant(tenant)) return "no_tenant";
    if (this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM endpoints WHERE tenant_id = ?", tenant).one().n >= limit) return "limit";
    return this.writeEndpoint(tenant, id, e, "api", false, now) ? this.endpoint(tenant, id, now)! : "exists";
  }

  /** Creates or replaces an endpoint that RELAY_CONFIG declares. */
  putConfigEndpoint(tenant: string, id: string, e: EndpointWrite & { sealedSecret: string; secretHint: string }, now: number): void {
    this.writeEndpoint(tenant, id, e, "config", true, now);
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

  /** What RELAY_CONFIG declared at its last import, to remove what it no longer declares. */
  configRows(): { tenants: string[]; accounts: Owned[]; endpoints: Owned[]; keys: Owned[] } {
    const owned = (table: string) => this.sql.exec<{ tenant: string; id: string }>(`SELECT tenant_id AS tenant, id FROM ${table} WHERE source = 'config'`).toArray();
    return {
      tenants: this.sql.exec<{ id: string }>("SELECT id FROM tenants WHERE source = 'config'").toArray().map((r) => r.id),
      accounts: owned("accounts"),
      endpoints: owned("endpoints"),
      keys: owned("api_keys"),
    };
  }

  /** The digest of the RELAY_CONFIG last imported, if any. */
  importedDigest(): string | undefined {
    return this.sql.exec<{ value: string }>("SELECT value FROM settings WHERE key = 'config_digest'").toArray()[0]?.value;
  }

  setImportedDigest(digest: string): void {
    this.sql.exec("INSERT INTO settings (key, value) VALUES ('config_digest', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", digest);
  }

  /** Every sealed value, to seal again under a new master key. */
  sealedValues(): SealedValue[] {
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
  resealValue(v: SealedValue, resealed: string): void {
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
    const accounts = this.sql.exec<AccountRow>(ACCOUNTS).toArray().map(sealedAccountOf);
    const endpoints = this.sql.exec<EndpointRow>("SELECT * FROM endpoints ORDER BY tenant_id, id").toArray().map((r) => sealedEndpointOf(r, now));
    return { version: this.version, tenants, keys, accounts, endpoints };
  }
}

/** One sealed value of the registry: an account's secrets, or an endpoint's current or previous secret. */
export interface SealedValue {
  kind: "account" | "endpoint" | "previous";
  tenant: string;
  id: string;
  sealed: string;
}
