import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from "jose";
import type { LoadedConfig } from "../config/load";
import type { Scope } from "../config/schema";
import { SCOPES } from "../config/schema";
import { sha256Hex } from "../crypto";
import { type ProblemCode, ProblemError } from "../errors";

/** Who is calling: one tenant, with what it may do. */
export interface Principal {
  tenant: string;
  scopes: readonly Scope[];
  /** `operator`: an operator acting as the tenant (`X-Relay-Tenant`), with every scope. */
  via: "api_key" | "jwt" | "operator";
  /** The API key used, when it was one (for `lastUsedAt`). */
  keyId?: string;
}

/** The scope of a JWT that makes its bearer an operator of the relay. */
export const OPERATOR_SCOPE = "admin";

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function unauthorized(code: ProblemCode, message: string): ProblemError {
  return new ProblemError(401, code, message, {}, { "www-authenticate": 'Bearer realm="messenger-relay"' });
}

/** The credential of a request: `Authorization: Bearer <key or JWT>` or `X-API-Key: <key>`. */
export function presentedCredential(headers: Headers): string | undefined {
  const auth = headers.get("authorization");
  if (auth) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (!match) throw unauthorized("invalid_authorization", "Use 'Authorization: Bearer <API key or JWT>'.");
    return match[1];
  }
  return headers.get("x-api-key")?.trim() || undefined;
}

/** Every scope a token claims, known or not (`scope` as a space-separated string, or `scp` as an array). */
export function claimedScopes(payload: JWTPayload): unknown[] {
  return typeof payload.scope === "string" ? payload.scope.split(" ") : Array.isArray(payload.scp) ? payload.scp : [];
}

function scopesOf(payload: JWTPayload): Scope[] {
  const raw = claimedScopes(payload);
  return SCOPES.filter((s) => raw.includes(s));
}

/** Tenants and keys of the registry (those of RELAY_CONFIG are imported into it). */
export interface RegistryLookup {
  apiKey(sha256: string): Promise<{ id: string; tenant: string; scopes: readonly string[] } | undefined>;
  tenant(id: string): Promise<{ id: string } | undefined>;
}

/** The verified claims of a bearer JWT; 401 when it is not valid. */
export async function verifiedClaims(token: string, config: LoadedConfig): Promise<JWTPayload> {
  const jwt = config.config.auth.jwt;
  if (!jwt) throw unauthorized("invalid_token", "This relay does not accept JWTs; use an API key.");
  const options = {
    ...(jwt.issuer && { issuer: jwt.issuer }),
    ...(jwt.audience && { audience: jwt.audience }),
    requiredClaims: ["sub", "exp"],
  };
  let payload: JWTPayload;
  try {
    if (jwt.secret) {
      ({ payload } = await jwtVerify(token, new TextEncoder().encode(jwt.secret), { ...options, algorithms: ["HS256"] }));
    } else {
      let keys = keySets.get(jwt.jwksUrl!);
      if (!keys) keySets.set(jwt.jwksUrl!, (keys = createRemoteJWKSet(new URL(jwt.jwksUrl!))));
      ({ payload } = await jwtVerify(token, keys, options));
    }
  } catch (e) {
    const why = e instanceof joseErrors.JWTExpired ? "the token has expired" : e instanceof joseErrors.JWTClaimValidationFailed ? `claim '${e.claim}' is invalid` : "its signature or format is invalid";
    throw unauthorized("invalid_token", `The bearer token was rejected: ${why}.`);
  }
  // `sub` is a string (RFC 7519): an array or a number that merely prints like a tenant id is refused.
  if (typeof payload.sub !== "string") throw unauthorized("invalid_token", "The bearer token was rejected: claim 'sub' must be a string.");
  return payload;
}

async function verifyJwt(token: string, config: LoadedConfig, registry: RegistryLookup): Promise<Principal> {
  return principalOfClaims(await verifiedClaims(token, config), registry);
}

/** The tenant principal of a verified token: its `sub` names the tenant (401 when it names none). */
export async function principalOfClaims(payload: JWTPayload, registry: RegistryLookup): Promise<Principal> {
  const tenant = (await registry.tenant(payload.sub!))?.id;
  if (!tenant) throw unauthorized("invalid_token", "The token's subject is not a tenant of this relay.");
  return { tenant, scopes: scopesOf(payload), via: "jwt" };
}

/** Whether a credential is a JWT (else it is an API key or an operator key). */
export const isJwt = (credential: string) => JWT_SHAPE.test(credential) && credential.startsWith("eyJ");

/** Whether a key (not a JWT) is one of the operator keys, whose SHA-256 the `ADMIN_KEYS` secret lists. */
export async function isOperatorKey(credential: string, adminKeys: string | undefined): Promise<boolean> {
  const hash = await sha256Hex(credential);
  return (adminKeys ?? "").split(",").some((k) => k.trim().toLowerCase() === hash);
}

/**
 * Authenticates an operator of the relay: a key whose SHA-256 is in the `ADMIN_KEYS` secret (comma
 * separated), or a JWT whose scopes include `admin`. Throws 401 otherwise.
 */
export async function authenticateOperator(headers: Headers, config: LoadedConfig, adminKeys: string | undefined): Promise<void> {
  const credential = presentedCredential(headers);
  if (!credential) throw unauthorized("missing_credentials", "Send an operator key or JWT as 'Authorization: Bearer <token>'.");
  if (isJwt(credential)) {
    const payload = await verifiedClaims(credential, config);
    if (!claimedScopes(payload).includes(OPERATOR_SCOPE)) throw new ProblemError(403, "insufficient_scope", "This token lacks the 'admin' scope.", { requiredScope: OPERATOR_SCOPE });
    return;
  }
  if (!(await isOperatorKey(credential, adminKeys))) throw unauthorized("invalid_api_key", "The operator key is not valid.");
}

/**
 * Authenticates a client: an API key (compared by its SHA-256, as the registry stores it) or a JWT
 * verified with jose whose `sub` names the tenant. Throws 401 when neither is valid.
 * @see https://datatracker.ietf.org/doc/html/rfc6750
 */
export async function authenticate(headers: Headers, config: LoadedConfig, registry: RegistryLookup): Promise<Principal> {
  const credential = tenantCredential(headers);
  if (isJwt(credential)) return verifyJwt(credential, config, registry);
  return principalOfKey(credential, registry);
}

/** The credential of a client request; 401 when there is none. */
export function tenantCredential(headers: Headers): string {
  const credential = presentedCredential(headers);
  if (!credential) throw unauthorized("missing_credentials", "Send an API key or JWT as 'Authorization: Bearer <token>'.");
  return credential;
}

/** The tenant principal of an API key; 401 when the registry has no such key. */
export async function principalOfKey(credential: string, registry: RegistryLookup): Promise<Principal> {
  const issued = await registry.apiKey(await sha256Hex(credential));
  if (!issued) throw unauthorized("invalid_api_key", "The API key is not valid.");
  return { tenant: issued.tenant, scopes: SCOPES.filter((s) => issued.scopes.includes(s)), via: "api_key", keyId: issued.id };
}

/** Throws 403 unless the principal holds `scope`. */
export function requireScope(principal: Principal, scope: Scope): void {
  if (!principal.scopes.includes(scope)) {
    throw new ProblemError(403, "insufficient_scope", `This credential lacks the '${scope}' scope.`, { requiredScope: scope });
  }
}
