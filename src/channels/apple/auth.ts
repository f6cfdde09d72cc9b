import { SignJWT } from "jose";
import { base64Bytes, type AppleAccount } from "./account";

/**
 * The HS256 key of an MSP: the base64-decoded MSP secret (Apple's samples decode it before signing and
 * verifying). The account schema has already checked that it decodes.
 * @see https://register.apple.com/resources/messages/msp-rest-api/common-specs
 */
export function mspKey(account: AppleAccount): Uint8Array {
  const key = base64Bytes(account.mspSecret);
  if (!key) throw new Error(`apple account '${account.id}': mspSecret is not base64`);
  return key;
}

/**
 * The bearer token of every call to Apple's gateway: HS256 over `{iss: mspId, iat}`, signed with the MSP
 * secret. A fresh one per call, so it is never stale.
 * @see https://register.apple.com/resources/messages/msp-api-tutorial/receiving-sending-messages
 */
export function signMspToken(account: AppleAccount, now = Date.now()): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: "HS256" })
    .setIssuer(account.mspId)
    .setIssuedAt(Math.floor(now / 1000))
    .sign(mspKey(account));
}
