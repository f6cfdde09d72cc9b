import type { Env } from "../env";
import { registryOf } from "./registry";
import type { RegistrySnapshot, RegistryTenant } from "./store";

/** How stale the isolate's copy of the registry may be: a revoked key stops working within this. */
export const REGISTRY_STALENESS_MS = 30_000;
/** A key or tenant not in the copy refreshes it, at most this often (new keys work at once, guesses cost little). */
const MISS_REFRESH_MS = 1_000;

interface View {
  version: number;
  fetchedAt: number;
  tenants: Map<string, RegistryTenant>;
  keys: Map<string, { id: string; tenant: string; scopes: string[] }>;
}

let view: View | undefined;
let pending: Promise<View> | undefined;

function build(snapshot: RegistrySnapshot, now: number): View {
  return {
    version: snapshot.version,
    fetchedAt: now,
    tenants: new Map(snapshot.tenants.map((t) => [t.id, t])),
    keys: new Map(snapshot.keys.map((k) => [k.sha256, { id: k.id, tenant: k.tenant, scopes: k.scopes }])),
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

/** A tenant of the registry, fresh enough. */
export async function registryTenant(env: Env, id: string, now = Date.now()): Promise<RegistryTenant | undefined> {
  return (await registryView(env, {}, now)).tenants.get(id) ?? (await registryView(env, { miss: true }, now)).tenants.get(id);
}

/** The tenant and scopes of a registry API key, by its SHA-256, fresh enough. */
export async function registryApiKey(env: Env, sha256: string, now = Date.now()): Promise<{ id: string; tenant: string; scopes: string[] } | undefined> {
  return (await registryView(env, {}, now)).keys.get(sha256) ?? (await registryView(env, { miss: true }, now)).keys.get(sha256);
}

const KEY_USE_RESOLUTION_MS = 60_000;
const noted = new Map<string, number>();

/**
 * Records that a registry key was used, at most once a minute per key and isolate, after the response
 * (`waitUntil`): `lastUsedAt` without a registry write on every request.
 */
export function noteKeyUse(env: Env, keyId: string, waitUntil: (p: Promise<unknown>) => void, now = Date.now()): void {
  if (now - (noted.get(keyId) ?? 0) < KEY_USE_RESOLUTION_MS) return;
  if (noted.size > 10_000) noted.clear();
  noted.set(keyId, now);
  waitUntil(registryOf(env).touchApiKey(keyId, now).catch(() => noted.delete(keyId)));
}

/** Forgets the copy after this isolate wrote to the registry, so that it reads its own writes. */
export function forgetRegistryView(): void {
  view = undefined;
}
