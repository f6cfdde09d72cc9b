import * as z from "zod";
import { AccountRate } from "../rate";
import { WindowPolicy } from "../../model";
import { Slug } from "../../model";
import { OriginTransport } from "../../transport/origin";

/**
 * A WhatsApp number served by the business's self-hosted WhatsApp Business API container, reached
 * through a tunnel.
 * @see https://developers.facebook.com/docs/whatsapp/on-premises
 */
export const WhatsAppOnPremAccount = z.object({
  id: Slug,
  channel: z.literal("whatsapp"),
  /** Overrides the channel's default send rate. */
  rate: AccountRate.optional(),
  /** Sends outside the messaging window: refused (`enforce`, the default) or queued with a warning (`advise`). */
  windowPolicy: WindowPolicy.optional(),
  /** The business's phone number, for display. */
  phoneNumber: z.string().optional(),
  container: z.object({
    /** The container's Webapp URL as the tunnel exposes it, e.g. `https://wa.example.com`. */
    origin: z.url({ protocol: /^https?$/ }),
    transport: OriginTransport,
    /** The container user the relay logs in as (`POST /v1/users/login`, Basic auth). */
    username: z.string().min(1),
    password: z.string().min(1),
    timeoutMs: z.number().int().min(100).max(120_000).optional(),
    /** Template namespace used when a template message names none (On-Premises requires one). */
    templateNamespace: z.string().optional(),
  }),
  webhook: z.object({
    /**
     * The container cannot sign its callbacks, so its webhook URL carries this secret
     * (`?secret=...`, or `Authorization: Bearer ...` from a proxy).
     */
    secret: z.string().min(16, "use at least 16 random characters"),
    /** When the webhook route sits behind Cloudflare Access: verify `Cf-Access-Jwt-Assertion`. */
    access: z
      .object({
        /** e.g. `https://acme.cloudflareaccess.com` */
        teamDomain: z.url({ protocol: /^https?$/ }),
        /** The Access application's AUD tag. */
        audience: z.string().min(1),
      })
      .optional(),
  }),
});
export type WhatsAppOnPremAccount = z.infer<typeof WhatsAppOnPremAccount>;
