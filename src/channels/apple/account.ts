import * as z from "zod";
import { AccountRate } from "../rate";
import { WindowPolicy } from "../../model";
import { Slug } from "../../model";

/**
 * Apple's Messages for Business gateway for Messaging Service Providers (MSPs).
 * @see https://register.apple.com/resources/messages/msp-rest-api/common-specs
 */
export const APPLE_API_BASE_URL = "https://mspgw.push.apple.com";

/** Apple's sample code gives every call 10 seconds; a slower answer is retried. */
export const APPLE_DEFAULT_TIMEOUT_MS = 10_000;

/** HS256 keys shorter than this are too weak to be an MSP secret: most likely a typo in the config. */
const MIN_SECRET_BYTES = 16;

/** The bytes of a standard base64 string, or null when it is not one. */
export function base64Bytes(value: string): Uint8Array | null {
  try {
    return Uint8Array.from(atob(value.trim()), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/**
 * One business on Apple Messages for Business, reached through the relay acting as (or on behalf of)
 * a Messaging Service Provider. Apple signs its calls with the MSP secret for the MSP id; the relay signs
 * its own calls with the same secret, as the MSP.
 * @see https://register.apple.com/resources/messages/msp-rest-api/common-specs
 * @see https://register.apple.com/resources/messages/msp-api-tutorial/receiving-sending-messages
 */
export const AppleAccount = z.object({
  id: Slug,
  channel: z.literal("apple"),
  /** Overrides the channel's default send rate. */
  rate: AccountRate.optional(),
  /** Sends outside the messaging window: refused (`enforce`, the default) or queued with a warning (`advise`). */
  windowPolicy: WindowPolicy.optional(),
  /** The MSP id Apple gave the provider: `iss` of the relay's tokens, the expected `aud` of Apple's. */
  mspId: z.string().min(1),
  /** The MSP's API secret as Apple shows it, base64; the HS256 key is its decoded bytes. */
  mspSecret: z
    .string()
    .min(1)
    .refine((s) => (base64Bytes(s)?.length ?? 0) >= MIN_SECRET_BYTES, {
      message: `must be the base64 MSP secret (at least ${MIN_SECRET_BYTES} bytes once decoded)`,
    }),
  /** The business id: `Source-Id` of everything the relay sends, `destination-id` of what customers send. */
  businessId: z.string().min(1),
  /** Apple's MSP gateway; only tests point this elsewhere. */
  apiBaseUrl: z
    .url({ protocol: /^https?$/ })
    .transform((u) => u.replace(/\/+$/, ""))
    .default(APPLE_API_BASE_URL),
  timeoutMs: z.number().int().min(100).max(120_000).optional(),
});
export type AppleAccount = z.infer<typeof AppleAccount>;
