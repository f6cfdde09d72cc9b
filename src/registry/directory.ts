import type { AccountConfig } from "../channels/registry";
import type { Env } from "../env";
import { accountContext, endpointContext } from "./config-import";
import { registryOf } from "./registry";
import { keyringOf, open } from "./seal";
import { joinSecrets } from "./secrets";
import type { RegistrySnapshot, RegistryTenant, SealedAccount, SealedEndpoint } from "./records";

/** How stale the isolate's copy of the registry may be: a revoked key stops working within this. */
export const REGISTRY_STALENESS_MS = 30_000;
/** A key, tenant or account not in the copy refreshes it, at most this often (new ones work at once, guesses cost little). */
const MISS_REFRESH_MS = 1_000;

interface View {
  version: number;
  fetchedAt: number;
  tenants: Map<string, RegistryTenant>;
  keys: Map<string, { id: string; tenant: string; scopes: string[] }>;
  accounts: Map<string, SealedAccount>;
  accountsByTenant: Map<string, SealedAccount[]>;
  endpointsByTenant: Map<string, SealedEndpoint[]>;
  /** Secrets opened so far, per record of this version: each is unsealed once per isolate, when first used. */
  opened: Map<string, Promise<unknown>>;
}

let view: View | undefined;
let pending: Promise<View> | undefined;

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (groups.has(k)) groups.get(k)!.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function build(snapshot: RegistrySnapshot, now: number): View {
  return {
    version: snapshot.version,
    fetchedAt: now,
    tenants: new Map(snapshot.tenants.map((t) => [t.id, t])),
    keys: new Map(snapshot.keys.map((k) => [k.sha256, { id: k.id, tenant: k.tenant, scopes: k.scopes }])),
    accounts: new Map(snapshot.accounts.map((a) => [a.id, a])),
    accountsByTenant: groupBy(snapshot.accounts, (a) => a.tenant),
    endpointsByTenant: groupBy(snapshot.endpoints, (e) => e.tenant),
    opened: new Map(),
  };
}

/** One refresh at a time per isolate; an unchanged registry answers without the data. */
function refresh(env: Env, now: number): Promise<View> {
  pending ??= registryOf(env)
    .snapshot(view?.version)
    .then((s: RegistrySnapshot | "unchanged") => (view = s === "unchanged" ? { ...view!, fetchedAt: now } : build(s, now)))
    .finally(() => (pending = undefined));
  return pending;
}

/**
 * The registry as request paths read it: a copy in the isolate, at most REGISTRY_STALENESS_MS old, so that
 * no request pays a round trip to the registry in the common case. `miss` asks for a fresher copy when
 * what was looked for is not in it (a key issued a moment ago), at most once a second.
 */
export async function registryView(env: Env, options: { miss?: boolean } = {}, now = Date.now()): Promise<View> {
  const age = view ? now - view.fetchedAt : Infinity;
  if (age > REGISTRY_STALENESS_MS || (options.miss && age > MISS_REFRESH_MS)) return refresh(env, now);
  return view!;
}

/** Looks something up in the copy, and once more in a fresher copy when it is not there. */
async function lookup<T>(env: Env, now: number, find: (v: View) => T | undefined): Promise<{ found: T; view: View } | undefined> {
  let v = await registryView(env, {}, now);
  let found = find(v);
  if (found === undefined) {
    v = await registryView(env, { miss: true }, now);
    found = find(v);
  }
  return found === undefined ? undefined : { found, view: v };
}

/** Opens a sealed value once per version of the copy. */
function once<T>(v: View, key: string, unseal: () => Promise<T>): Promise<T> {
  let p = v.opened.get(key) as Promise<T> | undefined;
  if (!p) {
    p = unseal();
    v.opened.set(key, p);
    p.catch(() => v.opened.delete(key));
  }
  return p;
}

/** A tenant of the registry, fresh enough. */
export async function registryTenant(env: Env, id: string, now = Date.now()): Promise<RegistryTenant | undefined> {
  return (await lookup(env, now, (v) => v.tenants.get(id)))?.found;
}

/** The tenant and scopes of a registry API key, by its SHA-256, fresh enough. */
export async function registryApiKey(env: Env, sha256: string, now = Date.now()): Promise<{ id: string; tenant: string; scopes: string[] } | undefined> {
  return (await lookup(env, now, (v) => v.keys.get(sha256)))?.found;
}

/** A channel account with its secrets, ready to use, and its tenant. */
export async function registryAccount(env: Env, id: string, now = Date.now()): Promise<{ tenant: string; account: AccountConfig } | undefined> {
  const hit = await lookup(env, now, (v) => v.accounts.get(id));
  if (!hit) return undefined;
  const { found: sealed, view: v } = hit;
  const account = await once(v, `account/${id}`, async () => {
    const secrets = JSON.parse(await open(sealed.sealedSecrets, accountContext(sealed.tenant, id), await keyringOf(env))) as Record<string, string>;
    return joinSecrets(sealed.settings, secrets) as unknown as AccountConfig;
  });
  return { tenant: sealed.tenant, account };
}

/** The ids and channels of a tenant's accounts (their secrets stay sealed until one is used). */
export async function tenantAccounts(env: Env, tenant: string, now = Date.now()): Promise<{ id: string; channel: string }[]> {
  return ((await registryView(env, {}, now)).accountsByTenant.get(tenant) ?? []).map((a) => ({ id: a.id, channel: a.channel }));
}

/** A tenant's endpoints, for routing its events (secrets still sealed). */
export async function tenantEndpoints(env: Env, tenant: string, now = Date.now()): Promise<SealedEndpoint[]> {
  return (await registryView(env, {}, now)).endpointsByTenant.get(tenant) ?? [];
}

/**
 * One endpoint with the secrets that sign its deliveries: the current one, and the one before a rotation
 * while it is still valid (Standard Webhooks lets a delivery carry several signatures).
 */
export async function endpointForDelivery(env: Env, tenant: string, id: string, now = Date.now()): Promise<{ endpoint: SealedEndpoint; secrets: string[] } | undefined> {
  const hit = await lookup(env, now, (v) => v.endpointsByTenant.get(tenant)?.find((e) => e.id === id));
  if (!hit) return undefined;
  const { found: endpoint, view: v } = hit;
  const context = endpointContext(tenant, id);
  const current = await once(v, `endpoint/${tenant}/${id}`, async () => open(endpoint.sealedSecret, context, await keyringOf(env)));
  const previousValid = endpoint.sealedPreviousSecret && endpoint.previousSecretExpiresAt && Date.parse(endpoint.previousSecretExpiresAt) > now;
  const previous = previousValid
    ? await once(v, `endpoint/${tenant}/${id}/previous`, async () => open(endpoint.sealedPreviousSecret!, context, await keyringOf(env)))
    : undefined;
  return { endpoint, secrets: previous ? [current, previous] : [current] };
}

const KEY_USE_RESOLUTION_MS = 60_000;
const noted = new Map<string, number>();

/**
 * Records that a registry key was used, at most once a minute per key and isolate, after the response
 * (`waitUntil`): `lastUsedAt` without a registry write on every request.
 */
export function noteKeyUse(env: Env, key: { tenant: string; id: string }, waitUntil: (p: Promise<unknown>) => void, now = Date.now()): void {
  const name = `${key.tenant}/${key.id}`;
  if (now - (noted.get(name) ?? 0) < KEY_USE_RESOLUTION_MS) return;
  if (noted.size > 10_000) noted.clear();
  noted.set(name, now);
  waitUntil(registryOf(env).touchApiKey(key.tenant, key.id, now).catch(() => noted.delete(name)));
}

/** Forgets the copy after this isolate wrote to the registry, so that it reads its own writes. */
export function forgetRegistryView(): void {
  view = undefined;
}
