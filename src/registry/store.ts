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
];

export type TenantStatus = "active" | "suspended";

export interface RegistryTenant {
  id: string;
  name: string;
  status: TenantStatus;
  createdAt: string;
  updatedAt: string;
}

export interface RegistryApiKey {
  id: string;
  tenant: string;
  scopes: string[];
  /** The key's last four characters; the key itself is never stored. */
  hint: string;
  createdAt: string;
  lastUsedAt?: string;
  revokedAt?: string;
}

/** What request paths read, all at once: every tenant and every usable key (by its SHA-256). */
export interface RegistrySnapshot {
  version: number;
  tenants: RegistryTenant[];
  keys: { id: string; sha256: string; tenant: string; scopes: string[] }[];
}

interface TenantRow extends Record<string, SqlStorageValue> {
  id: string;
  name: string;
  status: string;
  created_at: number;
  updated_at: number;
}

interface KeyRow extends Record<string, SqlStorageValue> {
  id: string;
  tenant_id: string;
  sha256: string;
  scopes: string;
  hint: string;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

const iso = (ms: number) => new Date(ms).toISOString();
const tenantOf = (r: TenantRow): RegistryTenant => ({
  id: r.id,
  name: r.name,
  status: r.status as TenantStatus,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});
const keyOf = (r: KeyRow): RegistryApiKey => ({
  id: r.id,
  tenant: r.tenant_id,
  scopes: JSON.parse(r.scopes) as string[],
  hint: r.hint,
  createdAt: iso(r.created_at),
  ...(r.last_used_at !== null && { lastUsedAt: iso(r.last_used_at) }),
  ...(r.revoked_at !== null && { revokedAt: iso(r.revoked_at) }),
});

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

  /** Creates a tenant; false when the id is taken. */
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

  /** Deletes a tenant and its keys; false when there is no such tenant. */
  deleteTenant(id: string): boolean {
    const deleted = this.sql.exec("DELETE FROM tenants WHERE id = ? RETURNING id", id).toArray().length > 0;
    if (deleted) {
      this.sql.exec("DELETE FROM api_keys WHERE tenant_id = ?", id);
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

  /** Notes that a key was used at `at` (only ever moves forward). */
  touchApiKey(id: string, at: number): void {
    this.sql.exec("UPDATE api_keys SET last_used_at = MAX(COALESCE(last_used_at, 0), ?) WHERE id = ?", at, id);
  }

  snapshot(): RegistrySnapshot {
    const tenants = this.sql.exec<TenantRow>("SELECT * FROM tenants ORDER BY id").toArray().map(tenantOf);
    const keys = this.sql
      .exec<KeyRow>("SELECT * FROM api_keys WHERE revoked_at IS NULL")
      .toArray()
      .map((r) => ({ id: r.id, sha256: r.sha256, tenant: r.tenant_id, scopes: JSON.parse(r.scopes) as string[] }));
    return { version: this.version, tenants, keys };
  }
}
