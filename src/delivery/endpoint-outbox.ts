import { DurableObject } from "cloudflare:workers";
import { retryAfterSeconds } from "../channels/http";
import { loadConfig } from "../config/load";
import type { Env } from "../env";
import { endpointForDelivery } from "../registry/directory";
import { CONFIG_ENDPOINT_ID } from "../registry/records";
import type { InboundEvent } from "../model";
import { guardedFetch, type UrlPolicy } from "../transport/guarded-fetch";
import { armAt } from "./alarm";
import { type DeadLetter, ENDPOINT_DISABLE_AFTER_MS, type EndpointState, EndpointStore, type PendingEvent } from "./endpoint-store";
import { timeScale, webhookRetryDelayMs } from "./retry-policy";
import { signWebhook } from "./signing";

/** Deliveries in flight at once (each to a different conversation, so order holds per conversation). */
const PARALLEL_DELIVERIES = 16;
const ALARM_BUDGET_MS = 25_000;
/** An endpoint missing from the registry copy (deleted, or not yet seen here) is looked for again after this. */
const MISSING_ENDPOINT_RETRY_MS = 60_000;

/**
 * The outbox of one endpoint of a tenant. RELAY_CONFIG's endpoint keeps the name its outbox had when each
 * tenant had one endpoint (the tenant's id), so that events stored before are still delivered.
 */
export function endpointOutbox(env: Env, tenant: string, endpoint: string) {
  const name = endpoint === CONFIG_ENDPOINT_ID ? tenant : `${tenant}/${endpoint}`;
  return env.ENDPOINTS.get(env.ENDPOINTS.idFromName(name));
}

/** Which endpoint an outbox serves, remembered in its storage for the alarm. */
interface Owner {
  tenant: string;
  endpoint: string;
}

/**
 * One business endpoint (one of a tenant's webhook URLs): stores every event routed to it before the
 * platform is acknowledged, then POSTs each, signed per Standard Webhooks, until the backend answers 2xx.
 * A slow or failing endpoint holds only its own outbox.
 */
export class EndpointOutbox extends DurableObject<Env> {
  private store: EndpointStore;
  private owner: Owner | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new EndpointStore(ctx.storage.sql);
  }

  /**
   * Stores events (ignoring ids seen before, atomically) and arms delivery. Resolves once they are
   * durable; a disabled endpoint keeps them for later.
   */
  async enqueue(tenant: string, endpoint: string, events: InboundEvent[]): Promise<number> {
    await this.remember({ tenant, endpoint });
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

  /** The object is named after its endpoint; remember which once (the alarm needs it), not on every call. */
  private async remember(owner: Owner): Promise<void> {
    if (this.owner?.tenant === owner.tenant && this.owner.endpoint === owner.endpoint) return;
    this.owner = owner;
    const stored = await this.ctx.storage.get<Owner>("owner");
    if (stored?.tenant !== owner.tenant || stored.endpoint !== owner.endpoint) await this.ctx.storage.put("owner", owner);
  }

  /** Enables the endpoint and, with `since`, delivers again every event stored since then. */
  async enable(tenant: string, endpoint: string, since?: number): Promise<number> {
    await this.remember({ tenant, endpoint });
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

  /** Forgets everything: the endpoint was deleted. */
  async purge(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    // An endpoint created again by the same id starts empty.
    this.owner = undefined;
    this.store = new EndpointStore(this.ctx.storage.sql);
  }

  /** The endpoint this outbox serves (outboxes from before several endpoints stored only their tenant). */
  private async ownerOf(): Promise<Owner | undefined> {
    this.owner ??= (await this.ctx.storage.get<Owner>("owner")) ?? (await this.ctx.storage.get<string>("tenant").then((t) => (t ? { tenant: t, endpoint: CONFIG_ENDPOINT_ID } : undefined)));
    return this.owner;
  }

  override async alarm(): Promise<void> {
    const owner = await this.ownerOf();
    if (!owner) return;
    const found = await endpointForDelivery(this.env, owner.tenant, owner.endpoint);
    if (!found) {
      console.warn(`endpoint: '${owner.tenant}/${owner.endpoint}' is not in the registry; events kept`);
      await armAt(this.ctx.storage, Date.now() + MISSING_ENDPOINT_RETRY_MS);
      return;
    }
    const config = loadConfig(this.env).config;
    if (this.store.state().state === "disabled") return;
    const started = Date.now();
    const scale = timeScale(this.env.RETRY_TIME_SCALE);
    for (let due = this.store.due(Date.now(), PARALLEL_DELIVERIES); due.length > 0; due = this.store.due(Date.now(), PARALLEL_DELIVERIES)) {
      const policy = { sandbox: config.sandbox, resolverUrl: config.dnsResolverUrl };
      await Promise.all(due.map((e) => this.deliver(found.endpoint, found.secrets, e, scale, policy)));
      if (this.store.state().state === "disabled") return;
      if (Date.now() - started > ALARM_BUDGET_MS) break;
    }
    this.store.prune(Date.now());
    const next = this.store.nextDue();
    if (next !== undefined) await armAt(this.ctx.storage, next);
  }

  private async deliver(endpoint: { url: string; timeoutMs: number }, secrets: string[], event: PendingEvent, scale: number, policy: UrlPolicy): Promise<void> {
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
            ...(await signWebhook(secrets, event.id, event.body)),
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
