import { CredentialsRefusedError, UnreachableError } from "../../transport/errors";
import { originFetch } from "../../transport/origin";
import { readJson } from "../http";
import type { SessionToken } from "../types";
import type { WhatsAppOnPremAccount } from "./account";

/** Tokens last 7 days; if the container gives no expiry, assume a day and re-login on the first 401. */
const FALLBACK_TOKEN_LIFETIME_MS = 24 * 3600 * 1000;

/**
 * Logs in to the container with Basic auth and returns its bearer token with its expiry.
 * @see https://developers.facebook.com/docs/whatsapp/on-premises/reference/users/login
 */
export async function loginToContainer(
  account: WhatsAppOnPremAccount,
  env: Record<string, unknown>,
  now = Date.now(),
): Promise<SessionToken> {
  const { username, password } = account.container;
  const res = await originFetch(account.container, env)("/v1/users/login", {
    method: "POST",
    headers: { authorization: `Basic ${btoa(`${username}:${password}`)}`, "content-type": "application/json" },
    body: "{}",
  });
  const body = (await readJson(res)) as { users?: { token?: unknown; expires_after?: unknown }[] } | undefined;
  const user = body?.users?.[0];
  if (res.status === 401 || res.status === 403) throw new CredentialsRefusedError(`the container refused the login (HTTP ${res.status}): check the username and password`);
  // Anything else (a restarting container, a proxy error) may pass: try again later.
  if (!res.ok || typeof user?.token !== "string") throw new UnreachableError(`container login failed with HTTP ${res.status}`);
  // "2018-03-01 15:29:26+00:00": a space where ISO has a 'T'.
  const expiresAt = typeof user.expires_after === "string" ? Date.parse(user.expires_after.replace(" ", "T")) : NaN;
  return { token: user.token, expiresAt: Number.isFinite(expiresAt) ? expiresAt : now + FALLBACK_TOKEN_LIFETIME_MS };
}
