import { DurableObject } from "cloudflare:workers";
import { retryAfterSeconds } from "../channels/http";
import { loadConfig } from "../config/load";
import type { EndpointConfig } from "../config/schema";
import type { Env } from "../env";
import type { InboundEvent } from "../model";
import { guardedFetch, type UrlPolicy } from "../transport/guarded-fetch";
import { armAt } from "./alarm";
import { type DeadLetter, ENDPOINT_DISABLE_AFTER_MS, type EndpointState, EndpointStore, type PendingEvent } from "./endpoint-store";
import { timeScale, webhookRetryDelayMs } from "./retry-policy";
import { signWebhook } from "./signing";

/** Deliveries in flight at once (each to a different conversation, so order holds per conversation). */
const PARALLEL_DELIVERIES = 16;
const ALARM_BUDGET_MS = 25_000;

/**
 * One business endpoint (a tenant's webhook URL): stores every event before the platform is
 * acknowledged, then POSTs each, signed per Standard Webhooks, until the backend answers 2xx.
 */
export class EndpointOutbox extends DurableObject<Env> {
  private readonly store: EndpointStore;
  private tenant: string | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new EndpointStore(ctx.storage.sql);
  }

  /**
   * Stores events (ignoring ids seen before, atomically) and arms delivery. Resolves once they are
   * durable; a disabled endpoint keeps them for later.
   */
  async enqueue(tenant: string, events: InboundEvent[]): Promise<number> {
    // The object is named after its tenant; remember it once (the alarm needs it), not on every event.
    if (this.tenant !== tenant) {
      this.tenant = tenant;
      if ((await this.ctx.storage.get<string>("tenant")) !== tenant) await this.ctx.storage.put("tenant", tenant);
    }
    const now = Date.now();
    const added = this.ctx.storage.transactionSync(() => {
      for (const e of events) this.store.recordDeadMessage(e, now);
      return this.store.append(events, now);
    });
    if (added > 0 && this.store.state().state === "enabled") await armAt(this.ctx.storage, now);
    return added;
  }

  async stats(): Promise<Record<string, number>> {
    return this.store.counts();
  }

  async status(): Promise<EndpointState & { counts: Record<string, number> }> {
    return { ...this.store.state(), counts: this.store.counts() };
  }

  /** Enables the endpoint and, with `since`, delivers again every event stored since then. */
  async enable(since?: number): Promise<number> {
    const due = this.store.enable(Date.now(), since);
    await armAt(this.ctx.storage, Date.now());
    return due;
  }

  async deadLetters(limit = 100): Promise<DeadLetter[]> {
    return this.store.deadLetters(limit);
  }

  /** Forgets a dead message once it is queued again. */
  async forgetDeadMessage(messageId: string): Promise<boolean> {
    return this.store.forgetDeadMessage(messageId);
  }

  /** Delivers one event again (refused while the endpoint is disabled: enable it first). */
  async replayEvent(id: string): Promise<"replayed" | "unknown" | "disabled"> {
    if (this.store.state().state === "disabled") return "disabled";
    if (!this.store.replayEvent(id, Date.now())) return "unknown";
    await armAt(this.ctx.storage, Date.now());
    return "replayed";
  }

  override async alarm(): Promise<void> {
    const tenant = await this.ctx.storage.get<string>("tenant");
    const config = loadConfig(this.env).config;
    const endpoint = tenant ? config.tenants.find((t) => t.id === tenant)?.endpoint : undefined;
    if (!endpoint) {
      console.warn(`endpoint: tenant '${tenant}' has no endpoint configured; events kept`);
      return;
    }
    if (this.store.state().state === "disabled") return;
    const started = Date.now();
    const scale = timeScale(this.env.RETRY_TIME_SCALE);
    for (let due = this.store.due(Date.now(), PARALLEL_DELIVERIES); due.length > 0; due = this.store.due(Date.now(), PARALLEL_DELIVERIES)) {
      const policy = { sandbox: config.sandbox, resolverUrl: config.dnsResolverUrl };
      await Promise.all(due.map((e) => this.deliver(endpoint, e, scale, policy)));
      if (this.store.state().state === "disabled") return;
      if (Date.now() - started > ALARM_BUDGET_MS) break;
    }
    this.store.prune(Date.now());
    const next = this.store.nextDue();
    if (next !== undefined) await armAt(this.ctx.storage, next);
  }

  private async deliver(endpoint: EndpointConfig, event: PendingEvent, scale: number, policy: UrlPolicy): Promise<void> {
    let failure: string;
    let retryAfter: number | undefined;
    try {
      // The host is resolved and checked again on every delivery (it may have been re-pointed since the
      // configuration was checked); a redirect could lead anywhere, so it is not followed: it counts as a failure.
      const { response: res } = await guardedFetch(
        endpoint.url,
        {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "user-agent": "messenger-relay",
            ...signWebhook(endpoint.secret, event.id, event.body),
          },
          body: event.body,
          timeoutMs: endpoint.timeoutMs,
        },
        policy,
      );
      await res.body?.cancel();
      if (res.ok) {
        this.store.markDelivered(event.seq, Date.now());
        this.store.noteSuccess();
        return;
      }
      failure = `HTTP ${res.status}`;
      retryAfter = retryAfterSeconds(res.headers);
      if (res.status === 410) {
        // Standard Webhooks: 410 Gone means the receiver wants no more deliveries.
        this.store.markFailedAttempt(event.seq, Date.now(), failure);
        this.store.disable("the endpoint answered 410 Gone", Date.now());
        console.warn(`endpoint: disabled after 410 Gone; events are kept`);
        return;
      }
    } catch (e) {
      failure = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
    const now = Date.now();
    const delay = webhookRetryDelayMs(event.attempts + 1, retryAfter, scale);
    this.store.markFailedAttempt(event.seq, now + delay, failure);
    const failingSince = this.store.noteFailure(now);
    if (now - failingSince > ENDPOINT_DISABLE_AFTER_MS * scale) {
      this.store.disable(`every delivery failed since ${new Date(failingSince).toISOString()}`, now);
      console.warn("endpoint: disabled after failing for days; events are kept");
    }
    console.warn(`endpoint: event ${event.id} attempt ${event.attempts + 1} failed (${failure}); next in ${delay} ms`);
  }

}
