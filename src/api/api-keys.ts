import { Hono } from "hono";
import type { Scope } from "../config/schema";
import { sha256Hex, toHex } from "../crypto";
import type { Env } from "../env";
import { ProblemError } from "../errors";
import { forgetRegistryView } from "../registry/directory";
import { hint } from "../registry/seal";
import { registryOf } from "../registry/registry";
import type { RegistryApiKey } from "../registry/records";
import { limitBody, MAX_API_BODY_BYTES, readOptionalBody } from "./body";
import type { AppEnv } from "./context";
import { requireAuth } from "./middleware";
import { type ApiKeyList, IssueKeyRequest } from "./schemas";

/**
 * Issues an API key for a tenant of the registry: `mr_` and 48 random hex digits, stored only as its
 * SHA-256 with a hint of its last four characters. The key is in the answer this once. Null when the
 * tenant is not in the registry.
 */
export async function issueApiKey(env: Env, tenant: string, scopes: readonly Scope[]): Promise<(RegistryApiKey & { key: string }) | null> {
  const key = `mr_${toHex(crypto.getRandomValues(new Uint8Array(24)))}`;
  const record = await registryOf(env).createApiKey({
    id: `key_${toHex(crypto.getRandomValues(new Uint8Array(8)))}`,
    tenant,
    sha256: await sha256Hex(key),
    scopes: [...scopes],
    hint: hint(key),
  });
  forgetRegistryView();
  return record && { ...record, key };
}

/** Revokes a key of a tenant; false when it has none by that id. */
export async function revokeApiKey(env: Env, tenant: string, id: string): Promise<boolean> {
  const revoked = await registryOf(env).revokeApiKey(tenant, id);
  forgetRegistryView();
  return revoked;
}

const keyNotFound = (id: string) => new ProblemError(404, "api_key_not_found", `There is no API key '${id}' in your tenant.`);

/**
 * A tenant's own API keys (`keys:write`): issue one (with at most the scopes of the key that asks, and
 * shown once), list them with `lastUsedAt`, revoke one. Keys declared in RELAY_CONFIG are managed there.
 */
export const apiKeysApi = new Hono<AppEnv>()
  .post("/v1/api-keys", requireAuth("keys:write"), limitBody(MAX_API_BODY_BYTES), async (c) => {
    const { scopes } = await readOptionalBody(c, IssueKeyRequest);
    const principal = c.get("principal");
    const beyond = scopes.filter((s) => !principal.scopes.includes(s));
    if (beyond.length > 0) {
      throw new ProblemError(403, "insufficient_scope", `A key can only grant scopes its creator holds; this one lacks ${beyond.join(", ")}.`);
    }
    const issued = await issueApiKey(c.env, principal.tenant, scopes);
    if (!issued) throw new ProblemError(409, "tenant_not_in_registry", "This tenant is declared in RELAY_CONFIG: its keys are managed there.");
    return c.json(issued, 201);
  })
  .get("/v1/api-keys", requireAuth("keys:write"), async (c) => {
    const body: ApiKeyList = { items: await registryOf(c.env).apiKeys(c.get("principal").tenant) };
    return c.json(body);
  })
  .delete("/v1/api-keys/:id", requireAuth("keys:write"), async (c) => {
    const id = c.req.param("id");
    if (!(await revokeApiKey(c.env, c.get("principal").tenant, id))) throw keyNotFound(id);
    return c.body(null, 204);
  });
