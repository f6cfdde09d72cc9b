import { DurableObject } from "cloudflare:workers";
import { retryAfterSeconds } from "../channels/http";
import { loadConfig } from "../config/load";
import type { Env } from "../env";
import { endpointForDelivery } from "../registry/directory";
import { CONFIG_ENDPOINT_ID } from "../registry/records";
import type { InboundEvent } from "../model";
import { discardBody, guardedFetch, type UrlPolicy } from "../transport/guarded-fetch";
import { armAt } from "./alarm";
import { DeliveryLog, type LogKey, type LoggedDelivery } from "./delivery-log";
import { decideAfterDelivery, type DeliveryResponse } from "./delivery-outcome";
import { GroupCommit, momentForOthers } from "./group-commit";
import { endpointShardStats } from "./endpoint-stats";
import { type DeadLetter, type EndpointState, EndpointStore, type PendingEvent } from "./endpoint-store";
import { timeScale } from "./retry-policy";
import { ENDPOINT_SHARDS } from "./shards";
import { signWebhook } from "./signing";
import type { StatsPart, StatsWindow } from "./stats";

/** Deliveries in flight at once from one shard (each to a different conversation, so order holds per conversation). */
const PARALLEL_DELIVERIES = 32;
/** How long a caught-up delivery loop waits for more events before its alarm ends. */
const LINGER_MS = 200;
/** Due events read at once. */
const CANDIDATES = 128;
const ALARM_BUDGET_MS = 25_000;
/** An endpoint missing from the registry copy (deleted, or not yet seen here) is looked for again after this. */
const MISSING_ENDPOINT_RETRY_MS = 60_000;

/**
 * One outbox shard of one endpoint of a tenant. Shard 0 keeps the name the endpoint's outbox had before
 * outboxes were sharded (and RELAY_CONFIG's endpoint the name of the time when each tenant had one
 * endpoint: the tenant's id), so that events stored before are still delivered.
 */
export function endpointOutbox(env: Env, tenant: string, endpoint: string, shard = 0) {
  const name = endpoint === CONFIG_ENDPOINT_ID ? tenant : `${tenant}/${endpoint}`;
  return env.ENDPOINTS.get(env.ENDPOINTS.idFromName(shard === 0 ? name : `${name}#${shard}`));
}

/** Which endpoint an outbox serves, remembered in its storage for the alarm. */
interface Owner {
  tenant: string;
  endpoint: string;
}

/**
 * One outbox shard of a business endpoint (one of a tenant's webhook URLs): stores every event routed to
 * it before the platform is acknowledged, then POSTs each, signed per Standard Webhooks, until the backend
 * answers 2xx — many conversations at once, each in order. A slow or failing endpoint holds only its own
 * outboxes.
 */
export class EndpointOutbox extends DurableObject<Env> {
  private store: EndpointStore;
  private log: DeliveryLog;
  private owner: Owner | undefined;
  /** The alarm is delivering: new events are picked up by it. */
  private delivering = false;
  /** Wakes a delivery loop that waits for events. */
  private wake: (() => void) | undefined;
  /** Heads due when last read, oldest first: delivered from before the outbox is read again. */
  private candidates: PendingEvent[] = [];
  /** Stores of events that arrive together share one transaction. */
  private readonly writes: GroupCommit;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.writes = new GroupCommit(ctx.storage);
    this.store = new EndpointStore(ctx.storage.sql);
    this.log = new DeliveryLog(ctx.storage.sql);
  }

  /**
   * Stores events (ignoring ids seen before, atomically) and arms delivery. Resolves once they are
   * durable; a disabled endpoint keeps them for later. `received`: the ids of the events whose copy
   * here is the one statistics count.
   */
  async enqueue(tenant: string, endpoint: string, events: InboundEvent[], received: string[] = []): Promise<number> {
    await this.remember({ tenant, endpoint });
    const now = Date.now();
    const added = await this.writes.run(() => {
      for (const e of events) this.store.recordDeadMessage(e, now);
      return this.store.append(events, now, new Set(received));
    });
    // A running alarm picks them up (and runs again should the object die meanwhile).
    if (added > 0 && this.delivering) this.wake?.();
    else if (added > 0 && this.store.state().state === "enabled") await armAt(this.ctx.storage, now);
    return added;
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

  /** The newest logged delivery attempts strictly before `before`, newest first. */
  async deliveries(before: LogKey | undefined, limit: number): Promise<LoggedDelivery[]> {
    return this.log.page(before, limit);
  }

  /** What this shard counts in a window, for statistics. */
  async stats(window: StatsWindow): Promise<StatsPart> {
    return endpointShardStats(this.ctx.storage.sql, window, this.store.state().state === "disabled");
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
    this.log = new DeliveryLog(this.ctx.storage.sql);
  }

  /** The endpoint this outbox serves (outboxes from before several endpoints stored only their tenant). */
  private async ownerOf(): Promise<Owner | undefined> {
    this.owner ??= (await this.ctx.storage.get<Owner>("owner")) ?? (await this.ctx.storage.get<string>("tenant").then((t) => (t ? { tenant: t, endpoint: CONFIG_ENDPOINT_ID } : undefined)));
    return this.owner;
  }

  override async alarm(): Promise<void> {
    // The runtime retries a failed alarm with backoff but logs nothing: say why here.
    await this.runAlarm().catch((e: unknown) => {
      console.error(`endpoint: alarm failed, retried by the runtime: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      throw e;
    });
  }

  private async runAlarm(): Promise<void> {
    const owner = await this.ownerOf();
    if (!owner) return;
    const found = await endpointForDelivery(this.env, owner.tenant, owner.endpoint);
    if (!found) {
      console.warn(`endpoint: '${owner.tenant}/${owner.endpoint}' is not in the registry; events kept`);
      await armAt(this.ctx.storage, Date.now() + MISSING_ENDPOINT_RETRY_MS);
      return;
    }
    if (this.store.state().state === "disabled") return;
    const { config } = loadConfig(this.env);
    const target = { ...found.endpoint, secrets: found.secrets, policy: { sandbox: config.sandbox, resolverUrl: config.dnsResolverUrl } };
    await this.deliverDue(target, timeScale(this.env.RETRY_TIME_SCALE));
    this.store.prune(Date.now());
    const next = this.store.nextDue();
    if (next !== undefined && this.store.state().state === "enabled") await armAt(this.ctx.storage, next);
  }

  /**
   * Delivers due events, keeping PARALLEL_DELIVERIES in flight (a new one starts as soon as one ends),
   * one per conversation at a time, until none is due, the endpoint is disabled, or the budget is spent.
   * Outcomes that arrive together are recorded in one transaction.
   */
  private async deliverDue(target: Target, scale: number): Promise<void> {
    const started = Date.now();
    const inFlight = new Map<string, Promise<void>>();
    const settled: { event: PendingEvent; response: DeliveryResponse; latencyMs: number }[] = [];
    let disabled = this.store.state().state === "disabled";
    let lingered = false;
    this.candidates = [];
    this.delivering = true;
    try {
      for (;;) {
        if (settled.length > 0) {
          const done = settled.splice(0);
          this.ctx.storage.transactionSync(() => {
            for (const d of done) disabled = this.record(d.event, d.response, d.latencyMs, scale) || disabled;
            this.log.pruneWhenDue(Date.now());
          });
          // Only now may a conversation's next event go: its head has moved.
          for (const d of done) inFlight.delete(d.event.conversation);
        }
        const now = Date.now();
        if (now - started < ALARM_BUDGET_MS && inFlight.size < PARALLEL_DELIVERIES && !disabled) {
          if (this.candidates.length === 0) this.candidates = this.store.due(now, CANDIDATES, new Set(inFlight.keys()));
          for (let event = this.candidates.shift(); event; event = inFlight.size < PARALLEL_DELIVERIES ? this.candidates.shift() : undefined) {
            if (inFlight.has(event.conversation)) continue;
            const e = event;
            const sentAt = Date.now();
            inFlight.set(
              e.conversation,
              this.post(target, e).then((response) => void settled.push({ event: e, response, latencyMs: Date.now() - sentAt })),
            );
          }
        }
        if (inFlight.size === 0) {
          // Caught up: wait a moment for more before ending (ending and starting again costs an alarm),
          // then end synchronously with the check, so that an event stored from then on arms the alarm.
          if (lingered || disabled || Date.now() - started >= ALARM_BUDGET_MS) return;
          lingered = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(true), LINGER_MS);
            this.wake = () => {
              clearTimeout(timer);
              resolve(false);
            };
          });
          this.wake = undefined;
          continue;
        }
        lingered = false;
        await Promise.race(inFlight.values());
        if (inFlight.size > settled.length) await momentForOthers();
      }
    } finally {
      this.delivering = false;
    }
  }

  /** Records one delivery's outcome and logs the attempt (inside the caller's transaction); true when it disabled the endpoint. */
  private record(event: PendingEvent, response: DeliveryResponse, latencyMs: number, scale: number): boolean {
    const now = Date.now();
    this.log.add({ eventId: event.id, attempt: event.attempts + 1, latencyMs, response }, now);
    const ok = response.kind === "answered" && response.status >= 200 && response.status < 300;
    // The failing streak matters only to a failure: a success does not read it.
    const decision = decideAfterDelivery(response, event.attempts, ok ? undefined : this.store.state().failingSince, now, scale);
    if (decision.kind === "delivered") {
      this.store.markDelivered(event, now);
      this.store.noteSuccess();
      return false;
    }
    this.store.markFailedAttempt(event, decision.retryAt, decision.failure);
    this.store.noteFailure(now);
    if (decision.disable) {
      this.store.disable(decision.disable, now);
      console.warn(`endpoint: disabled (${decision.disable}); events are kept`);
    }
    console.warn(`endpoint: event ${event.id} attempt ${event.attempts + 1} failed (${decision.failure}); next at ${new Date(decision.retryAt).toISOString()}`);
    return decision.disable !== undefined;
  }

  /** One signed POST of the event. */
  private async post(target: Target, event: PendingEvent): Promise<DeliveryResponse> {
    try {
      // The host is resolved and checked again on every delivery (it may have been re-pointed since the
      // configuration was checked); a redirect could lead anywhere, so it is not followed: it counts as a failure.
      const { response } = await guardedFetch(
        target.url,
        {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "user-agent": "messenger-relay",
            ...(await signWebhook(target.secrets, event.id, event.body)),
          },
          body: event.body,
          timeoutMs: target.timeoutMs,
        },
        target.policy,
      );
      await discardBody(response);
      return { kind: "answered", status: response.status, retryAfterSeconds: retryAfterSeconds(response.headers) };
    } catch (e) {
      return { kind: "unreachable", detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
    }
  }
}

/** Where and how an endpoint's events are delivered. */
interface Target {
  url: string;
  timeoutMs: number;
  secrets: string[];
  policy: UrlPolicy;
}

/**
 * One endpoint's outbox across its shards: what the API asks of an endpoint as a whole (its state, its
 * dead letters, enabling, replaying, deleting).
 */
export function endpointShards(env: Env, tenant: string, endpoint: string) {
  const shards = Array.from({ length: ENDPOINT_SHARDS }, (_, k) => endpointOutbox(env, tenant, endpoint, k));
  const each = <T>(call: (shard: (typeof shards)[number]) => Promise<T>) => Promise.all(shards.map(call));
  return {
    /** Disabled when any shard is (they disable together on a 410, and apart only after days of failures). */
    async status(): Promise<EndpointState & { counts: Record<string, number> }> {
      const all = await each((s) => s.status());
      const counts: Record<string, number> = {};
      for (const s of all) for (const [state, n] of Object.entries(s.counts)) counts[state] = (counts[state] ?? 0) + n;
      const disabled = all.find((s) => s.state === "disabled");
      const failing = all.map((s) => s.failingSince).filter((t) => t !== undefined);
      return {
        ...(disabled ?? { state: "enabled" }),
        ...(failing.length > 0 && { failingSince: Math.min(...failing) }),
        counts,
      };
    },
    enable: async (since?: number) => (await each((s) => s.enable(tenant, endpoint, since))).reduce((a, b) => a + b, 0),
    purge: async () => void (await each((s) => s.purge())),
    deadLetters: async (limit: number) => (await each((s) => s.deadLetters(limit))).flat().sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)).slice(0, limit),
    forgetDeadMessage: async (messageId: string) => (await each((s) => s.forgetDeadMessage(messageId))).some(Boolean),
    /** What each shard counts in a window, for statistics. */
    stats: (window: StatsWindow): Promise<StatsPart[]> => each((s) => s.stats(window)),
    async replayEvent(id: string): Promise<"replayed" | "unknown" | "disabled"> {
      const outcomes = await each((s) => s.replayEvent(id));
      return outcomes.includes("replayed") ? "replayed" : outcomes.includes("disabled") ? "disabled" : "unknown";
    },
  };
}
