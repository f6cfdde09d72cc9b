/**
 * How both WhatsApp dialects name a customer: a phone number in international format, or (since 2026) a
 * business-scoped user id for customers known by a username.
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids/
 */

/** A WhatsApp business-scoped user id (e.g. `US.13491208655302741918`, `US.ENT.1181...`), kept as given. */
const BSUID = /^[A-Z]{2}\.[A-Za-z0-9.]{1,140}$/;
/** A phone number once `+`, spaces, dashes, dots and parentheses are dropped. */
const PHONE_DIGITS = /^\d{6,20}$/;

/**
 * A WhatsApp recipient: a phone number in international format (digits only on the wire; `+`, spaces,
 * dashes and parentheses are dropped) or a business-scoped user id; null when it is neither.
 * @see https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages
 */
export function normalizeWhatsAppPeer(raw: string): string | null {
  if (BSUID.test(raw)) return raw;
  const digits = raw.replace(/[\s\-().+]/g, "");
  return PHONE_DIGITS.test(digits) ? digits : null;
}

/**
 * Phone numbers are digits once normalized; anything else a WhatsApp peer can be is a business-scoped user id.
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids/
 */
export function isBsuid(peer: string): boolean {
  return !/^\d+$/.test(peer);
}
