import { DurableObject } from "cloudflare:workers";
import { retryAfterSeconds } from "../channels/http";
import { loadConfig } from "../config/load";
import type { EndpointConfig } from "../config/schema";
import type { Env } from "../env";
import type { InboundEvent } from "../model";
import { EndpointStore, type PendingEvent } from "./endpoint-store";
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

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new EndpointStore(ctx.storage.sql);
  }

  /** Stores events (ignoring ids seen before) and arms delivery. Resolves once they are durable. */
  async enqueue(tenant: string, events: InboundEvent[]): Promise<number> {
    await this.ctx.storage.put("tenant", tenant);
    const added = this.store.append(events, Date.now());
    if (added > 0) await this.armAt(Date.now());
    return added;
  }

  async stats(): Promise<Record<string, number>> {
    return this.store.counts();
  }

  override async alarm(): Promise<void> {
    const tenant = await this.ctx.storage.get<string>("tenant");
    const endpoint = tenant ? loadConfig(this.env).tenant(tenant)?.endpoint : undefined;
    if (!endpoint) {
      console.warn(`endpoint: tenant '${tenant}' has no endpoint configured; events kept`);
      return;
    }
    const started = Date.now();
    const scale = timeScale(this.env.RETRY_TIME_SCALE);
    for (let due = this.store.due(Date.now(), PARALLEL_DELIVERIES); due.length > 0; due = this.store.due(Date.now(), PARALLEL_DELIVERIES)) {
      await Promise.all(due.map((e) => this.deliver(endpoint, e, scale)));
      if (Date.now() - started > ALARM_BUDGET_MS) break;
    }
    this.store.prune(Date.now());
    const next = this.store.nextDue();
    if (next !== undefined) await this.armAt(next);
  }

  private async deliver(endpoint: EndpointConfig, event: PendingEvent, scale: number): Promise<void> {
    let failure: string;
    let retryAfter: number | undefined;
    try {
      const res = await fetch(endpoint.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "messenger-relay",
          ...signWebhook(endpoint.secret, event.id, event.body),
        },
        body: event.body,
        signal: AbortSignal.timeout(endpoint.timeoutMs),
      });
      await res.body?.cancel();
      if (res.ok) {
        this.store.markDelivered(event.seq, Date.now());
        return;
      }
      failure = `HTTP ${res.status}`;
      retryAfter = retryAfterSeconds(res.headers);
    } catch (e) {
      failure = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
    const delay = webhookRetryDelayMs(event.attempts + 1, retryAfter, scale);
    this.store.markFailedAttempt(event.seq, Date.now() + delay, failure);
    console.warn(`endpoint: event ${event.id} attempt ${event.attempts + 1} failed (${failure}); next in ${delay} ms`);
  }

  private async armAt(when: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > when) await this.ctx.storage.setAlarm(when);
  }
}
