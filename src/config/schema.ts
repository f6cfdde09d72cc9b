import * as z from "zod";
import { AccountConfig } from "../channels/registry";
import { hostProblem } from "../transport/public-address";
import { Slug } from "../model";

/**
 * What a credential may do: send and read messages, and manage the tenant's own channel accounts
 * (`/v1/accounts`), endpoints (`/v1/endpoints`) and API keys (`/v1/api-keys`).
 */
export const SCOPES = ["messages:send", "messages:read", "accounts:write", "endpoints:write", "keys:write"] as const;
/** A key's scopes when none are given: sending and reading, not managing. */
export const DEFAULT_SCOPES = ["messages:send", "messages:read"] as const;
export const Scope = z.enum(SCOPES);
export type Scope = z.infer<typeof Scope>;

/** An API key, stored only as the SHA-256 of the key. Generate one with `npm run keygen`. */
const ApiKey = z.object({
  id: z.string().min(1).max(64),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "the lowercase hex SHA-256 of the key"),
  scopes: z.array(Scope).min(1).default([...DEFAULT_SCOPES]),
});

/**
 * Where a tenant receives its events, signed per Standard Webhooks with `secret` (`whsec_` + base64).
 * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 */
const Endpoint = z.object({
  url: z.url({ protocol: /^https?$/ }),
  secret: z.string().regex(/^whsec_[A-Za-z0-9+/=]{24,}$/, "a Standard Webhooks secret: whsec_ then base64"),
  /** Every delivery is abandoned (and retried later) after this long. */
  timeoutMs: z.number().int().min(1000).max(60_000).default(15_000),
});

const Tenant = z
  .object({
    id: Slug,
    apiKeys: z.array(ApiKey).default([]),
    /** The account `/api/v7/chat` and `/v1/messages` without `account` send from. */
    defaultAccount: Slug.optional(),
    endpoint: Endpoint,
    accounts: z.array(AccountConfig).min(1),
  })
  .superRefine((t, ctx) => {
    if (t.defaultAccount && !t.accounts.some((a) => a.id === t.defaultAccount)) {
      ctx.addIssue({ code: "custom", path: ["defaultAccount"], message: `no account '${t.defaultAccount}' in this tenant` });
    }
  });

/**
 * JWT bearer tokens: HS256 with a shared secret, or any asymmetric key from a JWKS URL. `sub` names the
 * tenant; `scope` (space-separated) or `scp` (array) carries the scopes.
 */
const JwtAuth = z
  .object({
    secret: z.string().min(32, "an HS256 secret needs at least 32 characters").optional(),
    jwksUrl: z.url({ protocol: /^https?$/ }).optional(),
    issuer: z.string().optional(),
    audience: z.string().optional(),
  })
  .refine((j) => j.secret || j.jwksUrl, "set secret (HS256) or jwksUrl");

export const RelayConfig = z
  .object({
    auth: z.object({ jwt: JwtAuth.optional() }).default({}),
    /** Signs the short-lived relay URLs of inbound media (`GET /v1/media/{token}`); derived from RELAY_MASTER_KEY when absent. */
    media: z.object({ tokenSecret: z.string().min(32, "use at least 32 random characters") }).optional(),
    /** DNS over HTTPS (JSON) used to check that endpoint hosts resolve to public addresses only. */
    dnsResolverUrl: z.url({ protocol: /^https?$/ }).default("https://cloudflare-dns.com/dns-query"),
    /** Local sandbox only: allows plain-http business endpoints on loopback. Never set it in production. */
    sandbox: z.boolean().default(false),
    /** Tenants to import into the registry (declaratively: applied whenever this changes). */
    tenants: z.array(Tenant).default([]),
  })
  .superRefine((c, ctx) => {
    const seen = new Map<string, string>();
    c.tenants.forEach((t, ti) => {
      if (c.tenants.findIndex((o) => o.id === t.id) !== ti) {
        ctx.addIssue({ code: "custom", path: ["tenants", ti, "id"], message: `duplicate tenant id '${t.id}'` });
      }
      t.accounts.forEach((a, ai) => {
        // Webhook URLs name accounts without their tenant, so account ids are unique across tenants.
        if (seen.has(a.id)) {
          ctx.addIssue({ code: "custom", path: ["tenants", ti, "accounts", ai, "id"], message: `account id '${a.id}' is already used by tenant '${seen.get(a.id)}'` });
        }
        seen.set(a.id, t.id);
      });
      if (!c.sandbox) {
        const url = new URL(t.endpoint.url);
        const problem = url.protocol !== "https:" ? "must be https" : hostProblem(url.hostname);
        if (problem) ctx.addIssue({ code: "custom", path: ["tenants", ti, "endpoint", "url"], message: problem });
      }
    });
  });

export type RelayConfig = z.infer<typeof RelayConfig>;
