import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { type RegistryApiKey, type RegistrySnapshot, RegistryStore, type RegistryTenant, type TenantStatus } from "./store";

/**
 * The control plane's one store: a Durable Object with SQLite, strongly consistent and transactional.
 * Request paths never call it per request: they read a snapshot cached in the isolate (`directory.ts`).
 */
export class Registry extends DurableObject<Env> {
  private readonly store: RegistryStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new RegistryStore(ctx.storage.sql);
  }

  async snapshot(knownVersion?: number): Promise<RegistrySnapshot | "unchanged"> {
    return knownVersion === this.store.version ? "unchanged" : this.store.snapshot();
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
    return this.store.deleteTenant(id);
  }

  async createApiKey(key: { id: string; tenant: string; sha256: string; scopes: string[]; hint: string }): Promise<RegistryApiKey | null> {
    return this.store.createApiKey(key, Date.now());
  }

  async apiKeys(tenant: string): Promise<RegistryApiKey[]> {
    return this.store.apiKeys(tenant);
  }

  async touchApiKey(id: string, at: number): Promise<void> {
    this.store.touchApiKey(id, at);
  }

  async revokeApiKey(tenant: string, id: string): Promise<boolean> {
    return this.store.revokeApiKey(tenant, id, Date.now());
  }
}

/** The registry's one instance. */
export const registryOf = (env: Env) => env.REGISTRY.get(env.REGISTRY.idFromName("registry"));
