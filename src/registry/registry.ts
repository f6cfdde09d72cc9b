import { DurableObject } from "cloudflare:workers";
import { AccountConfig } from "../channels/registry";
import { parseConfig } from "../config/load";
import type { Env } from "../env";
import { formatPath } from "../errors";
import { accountContext, applyImport, configDigest, endpointContext, planImport, sealAccount } from "./config-import";
import { hint, keyringOf, open, seal, sealedWith } from "./seal";
import { joinSecrets, mergePatch } from "./secrets";
import {
  type EndpointWrite,
  type RegistryAccount,
  type RegistryApiKey,
  type RegistryEndpoint,
  type RegistrySnapshot,
  type RegistryTenant,
  type TenantStatus,
  visibleAccount,
  visibleEndpoint,
} from "./records";
import { RegistryStore } from "./store";

/** How long the secret before a rotation keeps signing deliveries, so receivers can switch without a gap. */
export const PREVIOUS_SECRET_VALID_MS = 24 * 3600_000;

/** A field the channel's schema refused, by its path. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** A new Standard Webhooks signing secret: `whsec_` and 32 random bytes in base64. */
export function newSigningSecret(): string {
  return `whsec_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))}`;
}

/**
 * The control plane's one store: a Durable Object with SQLite, strongly consistent and transactional.
 * Request paths never call it per request: they read a snapshot cached in the isolate (`directory.ts`).
 * Secrets are sealed here on the way in (AES-GCM under RELAY_MASTER_KEY) and never leave it unsealed,
 * except to the isolate copy that sends with them. Writes that read before they write run one at a
 * time (`blockConcurrencyWhile`), so none is half-applied or lost to another.
 */
export class Registry extends DurableObject<Env> {
  private readonly store: RegistryStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new RegistryStore(ctx.storage.sql);
    // A changed RELAY_CONFIG (or a new deployment) starts the object afresh, so this is the one place to apply it.
    const text = env.RELAY_CONFIG;
    if (text) void ctx.blockConcurrencyWhile(() => this.importConfig(text));
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.ctx.blockConcurrencyWhile(work);
  }

  /** Everything request paths read, unless the caller's copy is current. */
  async snapshot(knownVersion?: number): Promise<RegistrySnapshot | "unchanged"> {
    return knownVersion === this.store.version ? "unchanged" : this.store.snapshot(Date.now());
  }

  /**
   * Applies RELAY_CONFIG when it changed since it was last imported (GitOps: the secret is the
   * declaration; nothing requires it). Idempotent: the same text is applied once.
   */
  private async importConfig(text: string): Promise<void> {
    const digest = await configDigest(text);
    if (digest === this.store.importedDigest()) return;
    const config = parseConfig(text).config;
    const plan = await planImport(config, digest, await keyringOf(this.env));
    const conflicts = this.ctx.storage.transactionSync(() => applyImport(this.store, plan, Date.now()));
    for (const c of conflicts) console.error(`RELAY_CONFIG import: ${c}; skipped`);
  }

  async createTenant(id: string, name: string): Promise<RegistryTenant | null> {
    return this.store.createTenant(id, name, Date.now());
  }

  async tenant(id: string): Promise<RegistryTenant | null> {
    return this.store.tenant(id);
  }

  async tenants(limit: number, after?: string): Promise<RegistryTenant[]> {
    return this.store.tenants(limit, after);
  }

  async updateTenant(id: string, change: { name?: string; status?: TenantStatus }): Promise<RegistryTenant | null> {
    return this.store.updateTenant(id, change, Date.now());
  }

  async deleteTenant(id: string): Promise<boolean> {
    return this.ctx.storage.transactionSync(() => this.store.deleteTenant(id));
  }

  async createApiKey(key: { id: string; tenant: string; sha256: string; scopes: string[]; hint: string }): Promise<RegistryApiKey | null> {
    return this.store.createApiKey(key, Date.now());
  }

  async apiKeys(tenant: string): Promise<RegistryApiKey[]> {
    return this.store.apiKeys(tenant);
  }

  async touchApiKey(tenant: string, id: string, at: number): Promise<void> {
    this.store.touchApiKey(tenant, id, at);
  }

  async revokeApiKey(tenant: string, id: string): Promise<boolean> {
    return this.store.revokeApiKey(tenant, id, Date.now());
  }

  /** Stores a validated account with its secrets sealed; optionally as the tenant's default. */
  async createAccount(tenant: string, account: AccountConfig, makeDefault: boolean): Promise<RegistryAccount | "exists" | "no_tenant"> {
    const sealed = await sealAccount(tenant, account, await keyringOf(this.env));
    return this.ctx.storage.transactionSync(() => {
      const created = this.store.createAccount(tenant, account.id, { channel: account.channel, ...sealed }, Date.now());
      if (typeof created === "string" || !makeDefault) return typeof created === "string" ? created : visibleAccount(created);
      this.store.setDefaultAccount(tenant, account.id, Date.now());
      return visibleAccount(this.store.account(tenant, account.id)!);
    });
  }

  async account(tenant: string, id: string): Promise<RegistryAccount | null> {
    const found = this.store.account(tenant, id);
    return found && visibleAccount(found);
  }

  async accounts(tenant: string): Promise<RegistryAccount[]> {
    return this.store.accounts(tenant).map(visibleAccount);
  }

  /**
   * Applies a JSON merge patch to an account (secrets included: a secret given replaces the stored one,
   * one left out stays) and validates the result with the channel's schema. The id and channel stay.
   */
  async patchAccount(tenant: string, id: string, patch: Record<string, unknown>, makeDefault?: boolean): Promise<RegistryAccount | { issues: FieldIssue[] } | null> {
    return this.exclusive(async () => {
      const current = this.store.account(tenant, id);
      if (!current) return null;
      const ring = await keyringOf(this.env);
      const secrets = JSON.parse(await open(current.sealedSecrets, accountContext(tenant, id), ring)) as Record<string, string>;
      const merged = mergePatch(joinSecrets(current.settings, secrets), { ...patch, id, channel: current.channel });
      const parsed = AccountConfig.safeParse(merged);
      if (!parsed.success) return { issues: parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })) };
      const sealed = await sealAccount(tenant, parsed.data, ring);
      return this.ctx.storage.transactionSync(() => {
        const replaced = this.store.replaceAccount(tenant, id, sealed, Date.now())!;
        if (makeDefault === undefined || makeDefault === replaced.default) return visibleAccount(replaced);
        this.store.setDefaultAccount(tenant, makeDefault ? id : null, Date.now());
        return visibleAccount(this.store.account(tenant, id)!);
      });
    });
  }

  async deleteAccount(tenant: string, id: string): Promise<boolean> {
    return this.ctx.storage.transactionSync(() => this.store.deleteAccount(tenant, id));
  }

  /** Creates an endpoint with a new signing secret, which this answer holds once; at most `limit` per tenant. */
  async createEndpoint(
    tenant: string,
    id: string,
    write: EndpointWrite,
    limit: number,
  ): Promise<{ endpoint: RegistryEndpoint; secret: string } | "exists" | "no_tenant" | "limit"> {
    const secret = newSigningSecret();
    const sealedSecret = await seal(secret, endpointContext(tenant, id), await keyringOf(this.env));
    const created = this.store.createEndpoint(tenant, id, { ...write, sealedSecret, secretHint: hint(secret) }, limit, Date.now());
    return typeof created === "string" ? created : { endpoint: visibleEndpoint(created), secret };
  }

  async endpoint(tenant: string, id: string): Promise<RegistryEndpoint | null> {
    const found = this.store.endpoint(tenant, id, Date.now());
    return found && visibleEndpoint(found);
  }

  async endpoints(tenant: string): Promise<RegistryEndpoint[]> {
    return this.store.endpoints(tenant, Date.now()).map(visibleEndpoint);
  }

  async updateEndpoint(tenant: string, id: string, write: EndpointWrite): Promise<RegistryEndpoint | null> {
    const updated = this.store.updateEndpoint(tenant, id, write, Date.now());
    return updated && visibleEndpoint(updated);
  }

  /**
   * Gives an endpoint a new signing secret (in this answer, once); the old one keeps signing beside it
   * for PREVIOUS_SECRET_VALID_MS, so the receiver can switch without a gap.
   */
  async rotateEndpointSecret(tenant: string, id: string): Promise<{ endpoint: RegistryEndpoint; secret: string } | null> {
    return this.exclusive(async () => {
      const current = this.store.endpoint(tenant, id, Date.now());
      if (!current) return null;
      const secret = newSigningSecret();
      const sealed = { secret: await seal(secret, endpointContext(tenant, id), await keyringOf(this.env)), hint: hint(secret), previous: current.sealedSecret };
      const now = Date.now();
      const rotated = this.store.rotateEndpointSecret(tenant, id, sealed, now + PREVIOUS_SECRET_VALID_MS, now)!;
      return { endpoint: visibleEndpoint(rotated), secret };
    });
  }

  async deleteEndpoint(tenant: string, id: string): Promise<boolean> {
    return this.store.deleteEndpoint(tenant, id);
  }

  /**
   * Seals every secret again under the current master key (the first of RELAY_MASTER_KEY), so that older
   * keys can then be removed from the secret. Values already sealed with it are left alone.
   */
  async rotateMasterKey(): Promise<{ resealed: number; current: number; key: string }> {
    return this.exclusive(async () => {
      const ring = await keyringOf(this.env);
      let resealed = 0;
      let current = 0;
      for (const v of this.store.sealedValues()) {
        if (sealedWith(v.sealed) === ring.current) {
          current++;
          continue;
        }
        const context = v.kind === "account" ? accountContext(v.tenant, v.id) : endpointContext(v.tenant, v.id);
        this.store.resealValue(v, await seal(await open(v.sealed, context, ring), context, ring));
        resealed++;
      }
      return { resealed, current, key: ring.current };
    });
  }
}

/** The registry's one instance. */
export const registryOf = (env: Env) => env.REGISTRY.get(env.REGISTRY.idFromName("registry"));
