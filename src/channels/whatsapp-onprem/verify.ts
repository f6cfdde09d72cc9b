import { createRemoteJWKSet, jwtVerify } from "jose";
import { secretsEqual } from "../../crypto";
import type { WebhookRequest } from "../types";
import type { WhatsAppOnPremAccount } from "./account";

/** One key set per Access team, kept for the isolate's life (jose caches and refreshes the keys). */
const accessKeySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function accessKeys(teamDomain: string) {
  let keys = accessKeySets.get(teamDomain);
  if (!keys) {
    keys = createRemoteJWKSet(new URL("/cdn-cgi/access/certs", teamDomain));
    accessKeySets.set(teamDomain, keys);
  }
  return keys;
}

function presentedSecret(req: WebhookRequest): string | null {
  const auth = req.headers.get("authorization");
  if (auth?.toLowerCase().startsWith("bearer ")) return auth.slice(7).trim();
  return req.url.searchParams.get("secret");
}

/**
 * The On-Premises container does not sign its callbacks, so a webhook is authentic when it carries the
 * account's secret and, where the route sits behind Cloudflare Access, a valid Access JWT for the
 * application's audience.
 * @see https://developers.facebook.com/docs/whatsapp/on-premises/webhooks
 * @see https://developers.cloudflare.com/cloudflare-one/identity/authorization-cookie/validating-json/
 */
export async function verifyOnPremWebhook(req: WebhookRequest, account: WhatsAppOnPremAccount): Promise<boolean> {
  const secret = presentedSecret(req);
  if (!secret || !(await secretsEqual(secret, account.webhook.secret))) return false;
  const access = account.webhook.access;
  if (!access) return true;
  const assertion = req.headers.get("cf-access-jwt-assertion");
  if (!assertion) return false;
  try {
    await jwtVerify(assertion, accessKeys(access.teamDomain), {
      issuer: access.teamDomain.replace(/\/+$/, ""),
      audience: access.audience,
      algorithms: ["RS256"],
    });
    return true;
  } catch {
    return false;
  }
}
