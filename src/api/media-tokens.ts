import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { ConfigError, loadConfig } from "../config/load";
import { sha256Hex } from "../crypto";

/** How long a relay media URL stays valid. Platforms keep inbound media for days; URLs need not. */
export const MEDIA_URL_LIFETIME_SECONDS = 3600;

/** What a media URL grants: one file of one account. */
export interface MediaGrant {
  account: string;
  mediaId: string;
}

const key = (secret: string) => new TextEncoder().encode(secret);

/**
 * Signs a short-lived token naming one platform file, so that the business fetches media from the relay
 * (`GET /v1/media/{token}`) and never sees a platform URL that carries a bot token or needs a bearer token.
 */
export function signMediaToken(secret: string, grant: MediaGrant, now = Date.now()): Promise<string> {
  const iat = Math.floor(now / 1000);
  return new SignJWT({ mid: grant.mediaId })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(grant.account)
    .setIssuedAt(iat)
    .setExpirationTime(iat + MEDIA_URL_LIFETIME_SECONDS)
    .sign(key(secret));
}

/** The grant of a valid token; "expired" or "invalid" otherwise. */
export async function verifyMediaToken(secret: string, token: string): Promise<MediaGrant | "expired" | "invalid"> {
  try {
    const { payload } = await jwtVerify(token, key(secret), { algorithms: ["HS256"], requiredClaims: ["sub", "exp"] });
    if (typeof payload.mid !== "string" || typeof payload.sub !== "string") return "invalid";
    return { account: payload.sub, mediaId: payload.mid };
  } catch (e) {
    return e instanceof joseErrors.JWTExpired ? "expired" : "invalid";
  }
}

let derived: { masterKey: string; secret: Promise<string> } | undefined;

/**
 * The secret that signs media URLs: `media.tokenSecret` of RELAY_CONFIG, or else one derived from
 * RELAY_MASTER_KEY (so a relay without RELAY_CONFIG needs no other secret).
 */
export async function mediaTokenSecret(env: { RELAY_CONFIG?: string; RELAY_MASTER_KEY?: string }): Promise<string> {
  const configured = loadConfig(env).config.media?.tokenSecret;
  if (configured) return configured;
  if (!env.RELAY_MASTER_KEY) throw new ConfigError("set RELAY_MASTER_KEY (or media.tokenSecret in RELAY_CONFIG) to sign media URLs");
  // Derived once per master key, not on every webhook that carries media.
  if (derived?.masterKey !== env.RELAY_MASTER_KEY) derived = { masterKey: env.RELAY_MASTER_KEY, secret: sha256Hex(`messenger-relay media tokens\n${env.RELAY_MASTER_KEY}`) };
  return derived.secret;
}
