import { jwtVerify } from "jose";
import type { WebhookRequest } from "../types";
import type { AppleAccount } from "./account";
import { mspKey } from "./auth";

/**
 * How old Apple's token may be. Apple does not bind its JWT to the body, so the age of the token is the
 * only replay window there is; Apple mints a token per request, so five minutes leaves room for its
 * retries in flight without letting a captured request be replayed for long.
 */
export const MAX_TOKEN_AGE_SECONDS = 300;
/** Tolerated clock difference between Apple and the relay, for `iat` in the future and `exp`. */
export const CLOCK_SKEW_SECONDS = 60;

/** The token of an `Authorization: Bearer <jwt>` header, or null. */
export function bearerToken(headers: Headers): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.get("authorization") ?? "");
  return match?.[1] ?? null;
}

/**
 * Apple authenticates each call with `Authorization: Bearer <JWT>`: HS256 with the base64-decoded MSP
 * secret, `aud` = the MSP id. The signature is checked by jose (constant-time HMAC verify) before the body
 * is looked at; a token without `iat`, expired, or older than MAX_TOKEN_AGE_SECONDS is refused.
 * @see https://register.apple.com/resources/messages/msp-rest-api/messages-received
 * @see https://register.apple.com/resources/messages/msp-api-tutorial/receiving-sending-messages
 */
export async function verifyAppleWebhook(
  req: WebhookRequest,
  account: AppleAccount,
  now = Date.now(),
): Promise<boolean> {
  const token = bearerToken(req.headers);
  if (!token) return false;
  try {
    const { payload } = await jwtVerify(token, mspKey(account), {
      algorithms: ["HS256"],
      audience: account.mspId,
      clockTolerance: CLOCK_SKEW_SECONDS,
      currentDate: new Date(now),
      // Without `iat` a captured token would be valid until it expires (or forever): Apple always sets it.
      requiredClaims: ["iat"],
    });
    const age = Math.floor(now / 1000) - (payload.iat as number);
    return age <= MAX_TOKEN_AGE_SECONDS && age >= -CLOCK_SKEW_SECONDS;
  } catch {
    return false;
  }
}
