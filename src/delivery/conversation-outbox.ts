import { DurableObject } from "cloudflare:workers";
import { planParts } from "../channels/degrade";
import { adapterFor } from "../channels/registry";
import type { ParsedEvent, SendResult } from "../channels/types";
import { ConfigError } from "../config/load";
import { registryAccount } from "../registry/directory";
import type { Env } from "../env";
import { UnreachableError } from "../transport/errors";
import type { ConversationAddress, InboundEvent, MessageRecord, MessageStatusEvent, OutboundContent, StatusError } from "../model";
import { armAt } from "./alarm";
import { ConversationStore, type PendingMessage } from "./conversation-store";
import { eventId } from "./events";
import { handToEndpoints, NoEndpointError } from "./fan-out";
import { outboundExpired, outboundRetryDelayMs, timeScale } from "./retry-policy";
import { checkMediaUrl } from "./media-check";
import { sendContextFor } from "./send-context";

/** How long one alarm may keep sending before it yields and re-arms (keeps alarms well under limits). */
const ALARM_BUDGET_MS = 20_000;
/** If handing events to the endpoint fails, try again after this long. */
const EVENT_FLUSH_RETRY_MS = 2_000;
/** While the tenant has no endpoint, look again this often. */
const NO_ENDPOINT_RETRY_MS = 60_000;
/** Attempts that end in an error of the relay's own code before the message fails as `internal_error`. */
export const MAX_INTERNAL_ERRORS = 3;
/**
 * Attempts at a business's media server that does not answer (or answers 5xx) before the message fails as
 * `media_failed`: with backoff, a few minutes; a dead server must not hold the conversation for a day.
 */
export const MAX_MEDIA_ERRORS = 8;

/** One send attempt: the adapter's classified result, or an error of the relay's own code. */
type Attempt =
  | Exclude<SendResult, { kind: "ok" }>
  | { kind: "ok"; platformMessageId: string; last: boolean }
  | { kind: "internal"; detail: string };

/**
 * Whether a thrown error is the world's (the network, a timeout, a busy Durable Object, the operator's
 * configuration) rather than a bug in the relay's code.
 * @see https://developers.cloudflare.com/durable-objects/best-practices/error-handling/
 */
function isTransient(e: unknown): boolean {
  if (e instanceof UnreachableError || e instanceof ConfigError) return true;
  if (!(e instanceof Error)) return false;
  const flags = e as { retryable?: unknown; overloaded?: unknown };
  if (flags.retryable === true || flags.overloaded === true) return true;
  // A body cut off while it was read: fetch has answered, so platformFetch did not wrap it.
  return e.name === "TimeoutError" || e.name === "AbortError" || /^Network connection lost|ECONNRESET|socket hang up/i.test(e.message);
}

type ParsedStatus = Extract<ParsedEvent, { type: "message.status" }>;
type StatusFields = MessageStatusEvent["status"];

/**
 * One conversation (tenant, channel account, customer): a FIFO outbox of messages sent in the order the
 * API accepted them, from the alarm. A message that must be retried holds the ones behind it; a message
 * that failed for good does not. Status changes become events, staged in the same transaction and handed
 * to the tenant's endpoint outbox in order.
 */
export class ConversationOutbox extends DurableObject<Env> {
  private readonly store: ConversationStore;
  private flushing: Promise<void> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new ConversationStore(ctx.storage.sql);
  }

  /** Queues a message (idempotent on its id) and makes sure the alarm will send it. */
  async enqueue(address: ConversationAddress, id: string, content: OutboundContent, reference?: string): Promise<void> {
    const now = Date.now();
    this.store.setAddress(address);
    this.store.enqueue(id, content, reference, now);
    await armAt(this.ctx.storage, now);
  }

  /** Queues a failed message again (a dead-letter replay), only for its tenant. */
  async requeue(id: string, tenant: string): Promise<boolean> {
    if (this.store.address?.tenant !== tenant) return false;
    const now = Date.now();
    if (!this.store.requeue(id, now)) return false;
    await armAt(this.ctx.storage, now);
    return true;
  }

  /** The message's record, only for the tenant that sent it. */
  async message(id: string, tenant: string): Promise<MessageRecord | null> {
    const record = this.store.record(id);
    return record && record.conversation.tenant === tenant ? record : null;
  }

  /**
   * Records platform statuses (a status never moves a message backwards) and hands the resulting events
   * to the endpoint before returning, so the platform is acknowledged only once they are stored.
   */
  async applyStatuses(address: ConversationAddress, statuses: ParsedStatus[]): Promise<void> {
    this.store.setAddress(address);
    this.ctx.storage.transactionSync(() => {
      for (const s of statuses) this.applyStatus(address, s);
    });
    try {
      await this.flushEvents();
    } catch (e) {
      // Staged here, the events are stored: the platform may be acknowledged; they move on once there is an endpoint.
      if (!(e instanceof NoEndpointError)) throw e;
      await armAt(this.ctx.storage, Date.now() + NO_ENDPOINT_RETRY_MS);
    }
  }

  private applyStatus(address: ConversationAddress, s: ParsedStatus): void {
    const { status, timestamp, error } = s.status;
    const at = Date.parse(timestamp);
    if ("watermark" in s.status) {
      for (const moved of this.store.applyWatermark(status, Date.parse(s.status.watermark), at)) {
        this.stageStatus(address, moved.messageId, {
          messageId: moved.messageId,
          ...(moved.platformId && { platformMessageId: moved.platformId }),
          ...(moved.reference && { reference: moved.reference }),
          status,
          timestamp,
        });
      }
      return;
    }
    const { platformMessageId } = s.status;
    const update = this.store.applyPlatformStatus(platformMessageId, status, at, error);
    // A redelivered status was staged the first time: nothing to hand over again.
    if (update.seen) return;
    // Keyed by the relay's message when known, so the platform's `sent` and the relay's own are one event.
    const key = update.messageId ? `${update.messageId}:${status}` : `${address.account}:${s.dedupeKey}`;
    this.stageEvent(address, key, {
      ...(update.messageId && { messageId: update.messageId }),
      platformMessageId,
      ...(update.reference && { reference: update.reference }),
      status,
      timestamp,
      ...(error && { error }),
    });
  }

  private stageStatus(address: ConversationAddress, messageId: string, status: StatusFields): void {
    this.stageEvent(address, `${messageId}:${status.status}`, status);
  }

  private stageEvent(address: ConversationAddress, key: string, status: StatusFields): void {
    const event: InboundEvent = {
      id: eventId(address.tenant, key),
      createdAt: new Date().toISOString(),
      type: "message.status",
      conversation: address,
      status,
    };
    this.store.stageEvent(event);
  }

  override async alarm(): Promise<void> {
    const address = this.store.address;
    if (address) await this.drain(address);
    let retryMs = EVENT_FLUSH_RETRY_MS;
    await this.flushEvents().catch((e: unknown) => {
      if (e instanceof NoEndpointError) retryMs = NO_ENDPOINT_RETRY_MS;
      else console.warn("conversation: handing events over failed", String(e));
    });
    await this.rearm(retryMs);
  }

  /** Sends due messages from the head of the outbox, in order, until one must wait. */
  private async drain(address: ConversationAddress): Promise<void> {
    const started = Date.now();
    const scale = timeScale(this.env.RETRY_TIME_SCALE);
    for (let head = this.store.head(); head; head = this.store.head()) {
      const now = Date.now();
      if (head.nextAttemptAt > now || now - started > ALARM_BUDGET_MS) return;
      if (outboundExpired(head.queuedAt, now)) {
        this.fail(address, head, { reason: "expired", detail: "not accepted by the platform in time" }, false);
        continue;
      }
      const result = await this.attempt(address, head);
      if (result.kind === "ok") {
        this.ctx.storage.transactionSync(() => {
          this.store.markPartSent(head.id, result.platformMessageId, head.partsSent, result.last, Date.now());
          if (result.last) {
            this.stageStatus(address, head.id, {
              messageId: head.id,
              platformMessageId: result.platformMessageId,
              ...(head.reference && { reference: head.reference }),
              status: "sent",
              timestamp: new Date().toISOString(),
            });
          }
        });
      } else if (result.kind === "failed") {
        this.fail(address, head, result.error, true);
      } else if (result.kind === "internal" && head.internalErrors + 1 >= MAX_INTERNAL_ERRORS) {
        console.error(`conversation: message ${head.id} failed: the relay could not process it (${result.detail})`);
        this.fail(address, head, { reason: "internal_error", detail: "the relay could not process this message; its operator has the details" }, true);
      } else if (result.kind === "retry" && result.cause === "media" && head.mediaErrors + 1 >= MAX_MEDIA_ERRORS) {
        this.fail(address, head, { reason: "media_failed", detail: `gave up after ${MAX_MEDIA_ERRORS} attempts: ${result.detail}` }, true);
      } else {
        const delay = outboundRetryDelayMs(head.attempts + 1, result.kind === "retry" ? result.afterSeconds : undefined, scale);
        const counted = result.kind === "internal" ? "internal" : result.cause;
        this.store.deferHead(head.id, Date.now() + delay, result.detail, counted);
        console.warn(`conversation: message ${head.id} attempt ${head.attempts + 1} deferred ${delay} ms: ${result.detail}`);
        return;
      }
    }
  }

  /**
   * Sends the next part of the head message through its channel adapter. The network, the platform and
   * the configuration fail transiently (retried until the message expires); an error thrown by the relay's
   * own code is `internal`, so that it fails the message after a few attempts instead of holding the queue.
   */
  private async attempt(address: ConversationAddress, head: PendingMessage): Promise<Attempt> {
    try {
      return await this.send(address, head);
    } catch (e) {
      const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      return isTransient(e) ? { kind: "retry", detail } : { kind: "internal", detail };
    }
  }

  private async send(address: ConversationAddress, head: PendingMessage): Promise<Attempt> {
    const found = await registryAccount(this.env, address.account);
    if (!found || found.tenant !== address.tenant) {
      return { kind: "failed", error: { reason: "platform_error", detail: `account '${address.account}' is no longer configured` } };
    }
    const { account } = found;
    const adapter = adapterFor(account.channel);
    const plan = planParts(head.content, adapter.capabilities);
    if ("refused" in plan) return { kind: "failed", error: { reason: "unsupported_content", detail: plan.refused } };
    const part = plan.parts[head.partsSent];
    if (!part) return { kind: "failed", error: { reason: "unsupported_content", detail: "the message renders to nothing on this channel" } };
    const ctx = { ...sendContextFor(this.env, account), part: head.partsSent };
    const checked = adapter.capabilities.fetchesMedia ? part : await checkMediaUrl(part, ctx.urlPolicy);
    if ("kind" in checked) return checked;
    const message = { id: head.id, content: checked, reference: head.reference, acceptedAt: new Date(head.createdAt).toISOString() };
    const result = await adapter.send(message, address.peer, account, ctx);
    return result.kind === "ok" ? { ...result, last: head.partsSent + 1 >= plan.parts.length } : result;
  }

  private fail(address: ConversationAddress, head: PendingMessage, error: StatusError, countAttempt: boolean): void {
    this.ctx.storage.transactionSync(() => {
      this.store.markFailed(head.id, error, Date.now(), countAttempt);
      this.stageStatus(address, head.id, {
        messageId: head.id,
        ...(head.reference && { reference: head.reference }),
        status: "failed",
        timestamp: new Date().toISOString(),
        error,
        attempts: head.attempts + (countAttempt ? 1 : 0),
      });
    });
  }

  /** Hands staged events to the outboxes of the tenant's endpoints, in order; one flush at a time. */
  private flushEvents(): Promise<void> {
    const run = this.flushing.catch(() => {}).then(async () => {
      const tenant = this.store.address?.tenant;
      if (!tenant) return;
      for (let batch = this.store.stagedEvents(); batch.length > 0; batch = this.store.stagedEvents()) {
        await handToEndpoints(this.env, tenant, batch.map((b) => b.event));
        this.store.unstageEvents(batch[batch.length - 1]!.seq);
      }
    });
    this.flushing = run;
    return run;
  }

  private async rearm(flushRetryMs: number): Promise<void> {
    const head = this.store.head();
    if (this.store.stagedEvents(1).length > 0) await armAt(this.ctx.storage, Date.now() + flushRetryMs);
    if (head) await armAt(this.ctx.storage, head.nextAttemptAt);
  }

}
