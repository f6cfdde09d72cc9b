import type { ChannelId } from "../../src/model";

/** A request as a platform would send it to the relay. */
export interface PlatformRequest {
  method?: string;
  /** Path and query, e.g. `/webhooks/telegram/telegram-test`. */
  path: string;
  headers: Record<string, string>;
  body?: BodyInit;
}

/**
 * What a channel gives the shared contract suite: an account configured for tenant `acme` in the test
 * relay configuration, its fixtures, and how its platform authenticates (or fails to) a webhook request.
 */
export interface ChannelKit {
  channel: ChannelId;
  accountId: string;
  /** Raw fixture bodies by event kind (test/fixtures/<channel>/*.json). */
  fixtures: Record<string, string>;
  /** The platform's request for this JSON body, authenticated as the platform does. */
  signed(json: string): Promise<PlatformRequest>;
  /** The same request without the platform's authentication. */
  unsigned(json: string): PlatformRequest;
  /** Authenticated with a wrong secret or key. */
  wronglySigned(json: string): Promise<PlatformRequest>;
  /** A request that authenticates something else than what it carries (a changed body, another audience...). */
  tampered(json: string): Promise<PlatformRequest>;
  /** The platform's subscription handshake, where it has one: a valid one answered 200 with `expect`, a bad one refused. */
  handshake?: { valid: PlatformRequest; expect: string; invalid: PlatformRequest };
}
