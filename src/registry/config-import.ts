import { adapterFor } from "../channels/registry";
import type { RelayConfig } from "../config/schema";
import { sha256Hex } from "../crypto";
import type { ChannelId } from "../model";
import { hint, type Keyring, seal } from "./seal";
import { splitSecrets } from "./secrets";
import { CONFIG_ENDPOINT_ID, type JsonObject } from "./records";
import type { RegistryStore } from "./store";

/** Where an account's sealed secrets belong: bound as additional data, so they open nowhere else. */
export const accountContext = (tenant: string, id: string) => `account/${tenant}/${id}`;
/** Where an endpoint's sealed signing secrets belong (current and previous alike). */
export const endpointContext = (tenant: string, id: string) => `endpoint/${tenant}/${id}`;

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

/** An account's secrets taken out and sealed, with a hint of each. */
export async function sealAccount(tenant: string, account: { id: string; channel: string }, ring: Keyring) {
  const { visible, secrets, hints } = splitSecrets(account as Record<string, unknown>, adapterFor(account.channel as ChannelId).secretFields);
  return { settings: visible as JsonObject, hints, sealedSecrets: await seal(JSON.stringify(secrets), accountContext(tenant, account.id), ring) };
}

/** A digest of RELAY_CONFIG's text: the import runs again only when it changes. */
export const configDigest = (text: string) => sha256Hex(text);

/** RELAY_CONFIG's tenants, accounts, endpoint and keys, sealed for the registry's import. */
export async function planImport(config: RelayConfig, digest: string, ring: Keyring): Promise<ConfigImport> {
  return {
    digest,
    tenants: await Promise.all(
      config.tenants.map(async (t) => ({
        id: t.id,
        ...(t.defaultAccount && { defaultAccount: t.defaultAccount }),
        keys: t.apiKeys.map((k) => ({ id: k.id, sha256: k.sha256, scopes: [...k.scopes] })),
        accounts: await Promise.all(t.accounts.map(async (a) => ({ id: a.id, channel: a.channel, ...(await sealAccount(t.id, a, ring)) }))),
        endpoint: {
          url: t.endpoint.url,
          timeoutMs: t.endpoint.timeoutMs,
          sealedSecret: await seal(t.endpoint.secret, endpointContext(t.id, CONFIG_ENDPOINT_ID), ring),
          secretHint: hint(t.endpoint.secret),
        },
      })),
    ),
  };
}

/**
 * Applies RELAY_CONFIG declaratively, inside the caller's transaction: what it declares is created or
 * updated, and what an earlier import declared but this one does not is removed. Rows the APIs created
 * are never touched; an account id or key another tenant holds is skipped. Returns what was skipped.
 */
export function applyImport(store: RegistryStore, plan: ConfigImport, now: number): string[] {
  const skipped: string[] = [];
  const declared = new Set<string>();
  const name = (kind: string, tenant: string, id: string) => `${kind} ${tenant}/${id}`;
  for (const t of plan.tenants) {
    declared.add(name("tenant", t.id, t.id));
    store.putConfigTenant(t.id, t.defaultAccount, now);
    for (const { id, ...account } of t.accounts) {
      const owner = store.accountOwner(id);
      if (owner !== undefined && owner !== t.id) {
        skipped.push(`account '${id}' of tenant '${t.id}' is taken by tenant '${owner}'`);
        continue;
      }
      declared.add(name("account", t.id, id));
      store.putConfigAccount(t.id, id, account, now);
    }
    declared.add(name("endpoint", t.id, CONFIG_ENDPOINT_ID));
    store.putConfigEndpoint(t.id, CONFIG_ENDPOINT_ID, t.endpoint, now);
    for (const key of t.keys) {
      const owner = store.keyOwner(key.sha256);
      if (owner && (owner.tenant !== t.id || owner.id !== key.id)) {
        skipped.push(`API key '${key.id}' of tenant '${t.id}' is already key '${owner.id}' of tenant '${owner.tenant}'`);
        continue;
      }
      declared.add(name("key", t.id, key.id));
      store.putConfigKey(t.id, key, now);
    }
  }
  const before = store.configRows();
  for (const id of before.tenants) if (!declared.has(name("tenant", id, id))) store.deleteTenant(id);
  for (const a of before.accounts) if (!declared.has(name("account", a.tenant, a.id))) store.deleteAccount(a.tenant, a.id);
  for (const e of before.endpoints) if (!declared.has(name("endpoint", e.tenant, e.id))) store.deleteEndpoint(e.tenant, e.id);
  for (const k of before.keys) if (!declared.has(name("key", k.tenant, k.id))) store.deleteApiKey(k.tenant, k.id);
  store.setImportedDigest(plan.digest);
  return skipped;
}
