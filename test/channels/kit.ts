import type { SendResult } from "../../src/channels/types";
import type { ChannelId, EventType, FailureReason } from "../../src/model";

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
  /**
   * What fixtures must yield, by fixture name: the parsed events in order, each matched as a subset
   * (`toMatchObject`) of the parsed event (`type`, `peer` and the unified event's own fields).
   */
  facts: Record<string, Record<string, unknown>[]>;
  /** Every event type the platform documents sending (the contract checks `facts` covers each). */
  documentedEvents: EventType[];
  /** The adapter's reading of one platform answer to a send. */
  classify(res: Response, body: string): SendResult | Promise<SendResult>;
  /** Platform answers to a send and how they must be classified. */
  classification: {
    name: string;
    status: number;
    headers?: Record<string, string>;
    body: string;
    expect: { kind: SendResult["kind"]; reason?: FailureReason; afterSeconds?: number };
  }[];
}

