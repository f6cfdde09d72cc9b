import type { LoadedConfig } from "../config/load";
import { SCOPES } from "../config/schema";
import { ProblemError } from "../errors";
import { Slug } from "../model";
import {
  claimedScopes,
  isJwt,
  isOperatorKey,
  OPERATOR_SCOPE,
  type Principal,
  principalOfClaims,
  principalOfKey,
  type RegistryLookup,
  tenantCredential,
  verifiedClaims,
} from "./authenticate";

/** The header with which an operator acts as a tenant on the tenant routes (`/v1/...`). */
export const ACTING_TENANT_HEADER = "x-relay-tenant";

/**
 * The principal of a tenant route that names a tenant in `X-Relay-Tenant`. An operator credential (a key
 * of `ADMIN_KEYS`, or a JWT with the `admin` scope) acts as that tenant with every scope: 404
 * `tenant_not_found` when the registry has no such tenant. A tenant's own credential may name only its
 * own tenant; naming another is 403 `operator_required`, so the header never lets one tenant see another.
 */
export async function actingPrincipal(
  headers: Headers,
  config: LoadedConfig,
  registry: RegistryLookup,
  adminKeys: string | undefined,
  named: string,
): Promise<Principal> {
  const credential = tenantCredential(headers);
  let own: Principal | undefined;
  if (isJwt(credential)) {
    const claims = await verifiedClaims(credential, config);
    if (!claimedScopes(claims).includes(OPERATOR_SCOPE)) own = await principalOfClaims(claims, registry);
  } else if (!(await isOperatorKey(credential, adminKeys))) {
    own = await principalOfKey(credential, registry);
  }
  if (own) {
    if (own.tenant === named) return own;
    throw new ProblemError(403, "operator_required", `Only an operator may act for another tenant: leave out the ${ACTING_TENANT_HEADER} header.`);
  }
  const tenant = Slug.safeParse(named).success ? await registry.tenant(named) : undefined;
  if (!tenant) throw new ProblemError(404, "tenant_not_found", `There is no tenant '${named.slice(0, 80)}' in the registry.`);
  return { tenant: tenant.id, scopes: [...SCOPES], via: "operator" };
}
