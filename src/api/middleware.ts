import { createMiddleware } from "hono/factory";
import { ACTING_TENANT_HEADER, actingPrincipal } from "../auth/acting-tenant";
import { authenticate, authenticateOperator, type RegistryLookup, requireScope } from "../auth/authenticate";
import { loadConfig } from "../config/load";
import type { Scope } from "../config/schema";
import type { Env } from "../env";
import { ProblemError } from "../errors";
import { noteKeyUse, registryApiKey, registryTenant } from "../registry/directory";
import type { AppEnv } from "./context";

const registryLookup = (env: Env): RegistryLookup => ({
  apiKey: (sha256) => registryApiKey(env, sha256),
  tenant: (id) => registryTenant(env, id),
});

/**
 * Authenticates the client and checks it holds `scope` (any valid credential when absent); the principal
 * is then `c.get("principal")`. With `X-Relay-Tenant`, an operator acts as that tenant (see
 * `actingPrincipal`). A suspended tenant may still read, never send.
 */
export function requireAuth(scope?: Scope) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const config = loadConfig(c.env);
    const { headers } = c.req.raw;
    // An empty header names no tenant: the credential's own applies.
    const acting = headers.get(ACTING_TENANT_HEADER)?.trim();
    const principal = acting ? await actingPrincipal(headers, config, registryLookup(c.env), c.env.ADMIN_KEYS, acting) : await authenticate(headers, config, registryLookup(c.env));
    if (scope) requireScope(principal, scope);
    if (scope === "messages:send" && (await registryTenant(c.env, principal.tenant))?.status === "suspended") {
      throw new ProblemError(403, "tenant_suspended", "This tenant is suspended: it cannot send. Ask the relay's operator.");
    }
    if (principal.keyId) noteKeyUse(c.env, { tenant: principal.tenant, id: principal.keyId }, (p) => c.executionCtx.waitUntil(p));
    c.set("principal", principal);
    await next();
  });
}

/** Authenticates an operator of the relay (`ADMIN_KEYS`, or a JWT with the `admin` scope). */
export const requireOperator = createMiddleware<AppEnv>(async (c, next) => {
  await authenticateOperator(c.req.raw.headers, loadConfig(c.env), c.env.ADMIN_KEYS);
  await next();
});
