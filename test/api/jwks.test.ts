import { env } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { authenticate, type RegistryLookup } from "../../src/auth/authenticate";
import { parseConfig } from "../../src/config/load";
import { ProblemError } from "../../src/errors";
import { registryApiKey, registryTenant } from "../../src/registry/directory";

const registry: RegistryLookup = { apiKey: (hash) => registryApiKey(env, hash), tenant: (id) => registryTenant(env, id) };

/** The test configuration, verifying JWTs against a JWKS URL instead of a shared secret. */
function withJwks(issuer?: string) {
  const config = JSON.parse(inject("relayConfig"));
  config.auth = { jwt: { jwksUrl: inject("jwksUrl"), ...(issuer && { issuer }) } };
  return parseConfig(config);
}

const bearer = (token: string) => new Headers({ authorization: `Bearer ${token}` });

describe("JWTs verified against a JWKS URL", () => {
  it("accepts an RS256 token from the key set: sub names the tenant, scope its rights", async () => {
    const principal = await authenticate(bearer(inject("jwksClientToken")), withJwks(), registry);
    expect(principal).toEqual({ tenant: "acme", scopes: ["messages:send"], via: "jwt" });
  });

  it("refuses the token when the issuer does not match, or when it was signed by another key", async () => {
    await expect(authenticate(bearer(inject("jwksClientToken")), withJwks("https://someone.else"), registry)).rejects.toThrow(ProblemError);
    // An Access assertion from the same key set has no subject: not a client token.
    await expect(authenticate(bearer(inject("accessAssertion")), withJwks(), registry)).rejects.toMatchObject({ status: 401, code: "invalid_token" });
    const [h, p] = inject("jwksClientToken").split(".");
    await expect(authenticate(bearer(`${h}.${p}.${"A".repeat(342)}`), withJwks(), registry)).rejects.toMatchObject({ status: 401 });
  });
});
