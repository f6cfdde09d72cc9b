import { DurableObject } from "cloudflare:workers";
import { effectiveRate } from "../channels/rate";
import { adapterFor } from "../channels/registry";
import { registryAccount } from "../registry/directory";
import type { Env } from "../env";
import { windowPermits } from "../channels/window";
import type { InboundEvent, MessageRecord, MessagingWindow, StatusError } from "../model";
import { accountSession } from "./account-session";
import { armAt } from "./alarm";
import { ConversationFacts, type ConversationFactsRow, type ConversationQuery, type CustomerNote } from "./conversation-facts";
import { ConversationStore } from "./conversation-store";
import { applyPlatformStatus, type ConversationStatuses } from "./conversation-statuses";
import type { DueHead, PendingMessage, QueuedMessage } from "./conversation-tables";
import type { WindowCheck } from "./conversation-shards";
import { conversationShardStats } from "./conversation-stats";
import { conversationWindow } from "./customers";
import { EventHandOver } from "./event-hand-over";
import { NoEndpointError } from "./fan-out";
import { GroupCommit, momentForOthers } from "./group-commit";
import { outboundExpired, timeScale } from "./retry-policy";
import { type MessageScan, type MessageScanResult, scanMessages } from "./message-list";
import { attemptSend } from "./send-attempt";
import { recordAttempt, recordFailure } from "./send-record";
import { type Attempt, decideAfterAttempt } from "./send-outcome";
import { CONVERSATION_SHARDS } from "./shards";
import { emptyStatsPart, type StatsPart, type StatsWindow } from "./stats";
import { TokenBucket } from "./token-bucket";

/** How long one alarm keeps starting sends before it yields and re-arms (keeps alarms well under limits). */
const ALARM_BUDGET_MS = 20_000;
/** Sends in flight at once from one shard, each to a different conversation (one at a time per conversation). */
const MAX_IN_FLIGHT = 8;
/** How long a shard with nothing to send waits for more before its alarm ends. */
const LINGER_MS = 200;
/** Due messages read at once; read again sooner when something more urgent may have arrived. */
const CANDIDATES = 64;
/** If handing events to the endpoint fails, try again after this long. */
const EVENT_FLUSH_RETRY_MS = 2_000;
/** While the tenant has no endpoint, look again this often. */
const NO_ENDPOINT_RETRY_MS = 60_000;
/** How long a shard trusts what it last read of its account's health; a paused account is looked at again after this. */
const HEALTH_RECHECK_MS = 30_000;

/**
 * One outbox shard of a channel account: the FIFO outboxes of the conversations that hash to it. The alarm
 * sends the first message of each due conversation, several conversations at once and one message at a
 * time per conversation, within the shard's share of the account's rate; one-to-one messages go before
 * a batch's. A message that must be retried holds the ones behind it in its conversation; a message that
 * failed for good does not. Status changes become events, staged in the same transaction and handed to
 * the tenant's endpoint outboxes in order.
 */
export class ConversationOutbox extends DurableObject<Env> {
  private readonly store: ConversationStore;
  private readonly facts: ConversationFacts;
  private bucket: TokenBucket | undefined;
  /** The alarm is sending: a new message only has to wake it. */
  private pumping = false;
  private wake: (() => void) | undefined;
  /** Sends in flight, by conversation (one at a time per conversation). */
  private readonly sending = new Map<string, Promise<void>>();
  /** Heads due when last read, in sending order: sent from before the outbox is read again. */
  private candidates: DueHead[] = [];
  /** Something may now go before the candidates (a one-to-one message ahead of bulk ones, a replay): read again. */
  private stale = true;
  /** The account's health as last read: a paused account sends nothing until it is resumed. */
  private health: { paused: boolean; readAt: number } | undefined;
  /** Staged events on their way to the endpoints. */
  private readonly handOver: EventHandOver;
  /** An alarm is set that hands over what `receive` staged, should its own hand-over fail. */
  private handOverArmed = false;
  /** Writes of calls that arrive together (messages queued, customers noted, statuses) share one transaction. */
  private readonly writes: GroupCommit;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new ConversationStore(ctx.storage.sql);
    this.writes = new GroupCommit(ctx.storage, () => this.store.forgetCached());
    this.handOver = new EventHandOver(env, this.store);
    this.facts = new ConversationFacts(ctx.storage.sql);
  }

  /**
   * Stores what a platform's webhook said about conversations of this shard, in one transaction: what
   * customers did (their window depends on it), the statuses of messages (a status never moves a
   * message backwards, and each becomes an event) and every other event, staged in the order given.
   * Resolves once it is durable, so that the platform may be answered; the events then move on to the
   * tenant's endpoints in order, handed over at once, and by the alarm should that fail or the object
   * restart.
   */
  async receive(batch: { notes: CustomerNote[]; statuses: ConversationStatuses[]; events: InboundEvent[] }): Promise<void> {
    const now = Date.now();
    await this.writes.run(() => {
      // The shard learns its owner from its first conversation.
      const first = batch.notes[0]?.address ?? batch.statuses[0]?.address ?? batch.events[0]?.conversation;
      if (first) this.store.learnOwner(first);
      this.facts.note(batch.notes, now);
      for (const { address, statuses } of batch.statuses) {
        this.store.addConversations([address]);
        for (const s of statuses) applyPlatformStatus(this.store, address, s);
      }
      for (const e of batch.events) this.store.staged.add(e);
    });
    if (!this.handOverArmed) {
      this.handOverArmed = true;
      await armAt(this.ctx.storage, now + EVENT_FLUSH_RETRY_MS);
    }
    void this.handOver.run().catch(() => {}); // the alarm tries again
  }

  /** What the shard knows of some of its customers, by peer (absent: never seen). */
  async conversationFacts(peers: string[]): Promise<Record<string, ConversationFactsRow>> {
    const found: Record<string, ConversationFactsRow> = {};
    for (const peer of peers) {
      const row = this.facts.one(peer);
      if (row) found[peer] = row;
    }
    return found;
  }

  /** A page of the shard's conversations, for its tenant only. */
  async conversations(query: ConversationQuery, tenant: string): Promise<ConversationFactsRow[]> {
    return this.store.owner?.tenant === tenant ? this.facts.list(query) : [];
  }

  /**
   * The conversations other identities lead to (a WhatsApp business-scoped id): the one recorded, else
   * the peer given, recorded from now on.
   */
  async resolveAliases(pairs: { identity: string; peer: string }[]): Promise<string[]> {
    return this.ctx.storage.transactionSync(() => pairs.map((p) => this.facts.resolveAlias(p.identity, p.peer)));
  }

  /** The conversation an identity leads to, if any. */
  async aliasOf(identity: string): Promise<string | undefined> {
    return this.facts.aliasOf(identity);
  }

  /** The account was resumed: send what waited. */
  async resume(): Promise<void> {
    this.health = undefined;
    const now = Date.now();
    this.store.allDueBy(now);
    if (this.store.nextDue() !== undefined) await this.sendSoon(now, true);
  }

  /** Whether the account is paused, read again when the last reading is old. */
  private async accountPaused(account: string, now: number): Promise<boolean> {
    if (!this.health || now - this.health.readAt > HEALTH_RECHECK_MS) {
      this.health = { paused: (await accountSession(this.env, account).health()).state === "paused", readAt: now };
    }
    return this.health.paused;
  }

  /**
   * Queues messages (idempotent on their ids, in the order given) and makes sure they will be sent. With
   * `checks` (`checks[i]` for `messages[i]`; null: not checked), each is first checked against its
   * conversation's messaging window, in the same transaction, and one an enforced window refuses is not
   * queued. Answers, per message, the window that did not permit it.
   */
  async enqueue(messages: QueuedMessage[], checks: (WindowCheck | null)[] = []): Promise<(MessagingWindow | null)[]> {
    const now = Date.now();
    const { closed, added } = await this.writes.run(() => {
      const closed = messages.map((m, i) => {
        const check = checks[i];
        if (!check) return null;
        const window = conversationWindow(m.address.channel, this.facts.one(m.address.peer), now);
        return windowPermits(window, m.content, check.tag) ? null : window;
      });
      const queued = messages.filter((_, i) => closed[i] === null || checks[i]?.advise);
      return { closed, added: this.store.enqueue(queued, now) };
    });
    // A message whose conversation is being sent waits for that send to end, which wakes the alarm anyway.
    if (added > 0 && !messages.every((m) => this.sending.has(m.address.peer))) {
      await this.sendSoon(now, messages.some((m) => !m.bulk) && this.candidates.some((c) => c.bulk));
    }
    return closed;
  }

  /** Queues a failed message again (a dead-letter replay), only for its tenant. */
  async requeue(id: string, tenant: string): Promise<boolean> {
    if (this.store.owner?.tenant !== tenant) return false;
    const now = Date.now();
    if (!this.store.requeue(id, now)) return false;
    await this.sendSoon(now, true);
    return true;
  }

  /** The message's record, only for the tenant that sent it. */
  async message(id: string, tenant: string): Promise<MessageRecord | null> {
    const record = this.store.record(id);
    return record && record.conversation.tenant === tenant ? record : null;
  }

  /** The newest of the shard's messages that match a scan (their places and ids), for its tenant only. */
  async messageKeys(scan: MessageScan, tenant: string): Promise<MessageScanResult> {
    return this.store.owner?.tenant === tenant ? scanMessages(this.ctx.storage.sql, scan) : { hits: [] };
  }

  /** The records of some of the shard's messages, in the order asked, for its tenant only. */
  async messageRecords(ids: string[], tenant: string): Promise<MessageRecord[]> {
    if (this.store.owner?.tenant !== tenant) return [];
    return ids.flatMap((id) => this.store.record(id) ?? []);
  }

  /** What the shard counts in a window, for its tenant's statistics (its account is on `channel`). */
  async stats(window: StatsWindow, tenant: string, channel: string): Promise<StatsPart> {
    return this.store.owner?.tenant === tenant ? conversationShardStats(this.ctx.storage.sql, window, channel) : emptyStatsPart();
  }

  /**
   * Makes sure the alarm sends what was just queued. `ahead`: it may go before candidates read so far
   * (a new one-to-one message otherwise comes after them anyway, and reading again on every arrival
   * would cost a read per message).
   */
  private async sendSoon(now: number, ahead: boolean): Promise<void> {
    if (ahead) this.stale = true;
    // A running alarm picks the message up (and runs again should the object die meanwhile).
    if (this.pumping) this.wake?.();
    else await armAt(this.ctx.storage, now);
  }

  override async alarm(): Promise<void> {
    // The runtime retries a failed alarm with backoff but logs nothing: say why here.
    await this.runAlarm().catch((e: unknown) => {
      console.error(`conversation: alarm failed, retried by the runtime: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      throw e;
    });
  }

  private async runAlarm(): Promise<void> {
    // Staged events left now are handed over below, or the alarm is armed again for them.
    this.handOverArmed = false;
    await this.pump();
    let retryMs = EVENT_FLUSH_RETRY_MS;
    await this.handOver.run().catch((e: unknown) => {
      if (e instanceof NoEndpointError) retryMs = NO_ENDPOINT_RETRY_MS;
      else console.warn("conversation: handing events over failed", String(e));
    });
    this.store.staged.dropHandedOver();
    const next = this.store.nextDue();
    if (this.store.staged.pending(1).length > 0) await armAt(this.ctx.storage, Date.now() + retryMs);
    // A paused account is looked at again now and then (a resume wakes the shard at once).
    if (next !== undefined) await armAt(this.ctx.storage, this.health?.paused ? Math.max(next, Date.now() + HEALTH_RECHECK_MS) : next);
  }

  /**
   * Sends due messages until none is due or the budget is spent: up to MAX_IN_FLIGHT conversations at a
   * time, each send taking a token of the shard's bucket, and staged events handed over as they collect.
   */
  private async pump(): Promise<void> {
    const owner = this.store.owner;
    if (!owner) return;
    if (await this.accountPaused(owner.account, Date.now())) return;
    const found = await registryAccount(this.env, owner.account);
    const rate = effectiveRate(adapterFor(found?.account.channel ?? "whatsapp").capabilities.rate, found?.account.rate);
    const perShard = rate.perSecond / CONVERSATION_SHARDS;
    const started = Date.now();
    this.bucket ??= new TokenBucket(perShard, Math.max(1, perShard), started);
    this.bucket.setRate(perShard, Math.max(1, perShard), started);
    const spacingMs = rate.perConversationPerSecond ? Math.ceil(1000 / rate.perConversationPerSecond) : 0;
    const scale = timeScale(this.env.RETRY_TIME_SCALE);
    const sending = this.sending;
    const settled: { head: PendingMessage; result: Attempt }[] = [];
    let lingered = false;
    this.stale = true;
    this.pumping = true;
    try {
      for (;;) {
        if (settled.length > 0) {
          const done = settled.splice(0);
          const pauses = this.recordOutcomes(() => done.flatMap((d) => this.record(d.head, d.result, scale, spacingMs) ?? []));
          if (pauses.length > 0) await this.pause(owner, pauses[0]!);
          // Only now may a conversation's next message go: its head has moved. A one-to-one conversation's
          // next message must not wait behind the bulk candidates.
          for (const d of done) sending.delete(d.head.address.peer);
          if (done.some((d) => !d.head.bulk) && this.candidates.some((c) => c.bulk)) this.stale = true;
          void this.handOver.run().catch(() => {}); // failures are retried by the alarm's own flush
        }
        let waitMs: number | undefined;
        /** Waiting for the shard's next token: a message queued meanwhile could not go sooner anyway. */
        let tokenWait = false;
        let progressed = false;
        const now = Date.now();
        if (now - started < ALARM_BUDGET_MS && sending.size < MAX_IN_FLIGHT && !this.health?.paused) {
          if (this.stale || this.candidates.length === 0) {
            this.candidates = this.store.dueHeads(now, CANDIDATES, new Set(sending.keys()));
            this.stale = false;
          }
          for (let next = this.candidates[0]; next && sending.size < MAX_IN_FLIGHT; next = this.candidates[0]) {
            if (sending.has(next.peer)) {
              // Being sent: its conversation's next head comes with a later read.
              this.candidates.shift();
              continue;
            }
            // The message is read only once a token is there for it.
            const wait = this.bucket.waitMs(now);
            if (wait > 0) {
              waitMs = wait;
              tokenWait = true;
              break;
            }
            this.candidates.shift();
            const head = this.store.pendingMessage(next.seq);
            if (!head) continue; // no longer waiting
            if (outboundExpired(head.queuedAt, now)) {
              this.fail(head, { reason: "expired", detail: "not accepted by the platform in time" }, false);
              progressed = true;
              continue;
            }
            this.bucket.take(now);
            sending.set(head.address.peer, attemptSend(this.env, head, (id) => (id.startsWith("msg_") ? this.store.platformIdOf(id) : id)).then((result) => void settled.push({ head, result })));
          }
        }
        if (progressed) continue;
        if (sending.size === 0 && waitMs === undefined) {
          // Nothing in flight and nothing to wait for: wait a moment for more before ending (ending and
          // starting again costs an alarm), then end synchronously with the check, so that a message
          // queued from then on arms the alarm itself.
          if (lingered || Date.now() - started >= ALARM_BUDGET_MS) return;
          waitMs = LINGER_MS;
          lingered = true;
        } else {
          lingered = false;
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, waitMs ?? ALARM_BUDGET_MS);
          const wake = () => {
            clearTimeout(timer);
            resolve();
          };
          this.wake = () => {
            lingered = false;
            if (!tokenWait) wake();
          };
          void Promise.race(sending.values()).then(wake);
        });
        this.wake = undefined;
        if (settled.length > 0 && sending.size > settled.length) await momentForOthers();
      }
    } finally {
      this.pumping = false;
      // Left only by a failure: the outcomes of what is still in flight are not recorded, and it goes again.
      sending.clear();
    }
  }

  /** Records send outcomes in one transaction; one rolled back leaves nothing cached that it wrote. */
  private recordOutcomes<T>(work: () => T): T {
    try {
      return this.ctx.storage.transactionSync(work);
    } catch (e) {
      this.store.forgetCached();
      throw e;
    }
  }

  /**
   * The account cannot send: its queues wait (the message that showed it stays first in its conversation)
   * until the account is resumed with new credentials.
   */
  private async pause(owner: { tenant: string; account: string }, error: StatusError): Promise<void> {
    this.health = { paused: true, readAt: Date.now() };
    console.warn(`conversation: account '${owner.account}' paused (${error.reason}): ${error.detail ?? ""}`);
    await accountSession(this.env, owner.account).pause(owner.tenant, owner.account, error.reason, error.detail);
  }

  /** Records one attempt's outcome (inside the caller's transaction); answers the error that pauses the account, if it does. */
  private record(head: PendingMessage, result: Attempt, scale: number, spacingMs: number): StatusError | undefined {
    const decision = decideAfterAttempt(head, result, scale);
    if (decision.kind === "fail" && result.kind === "internal") console.error(`conversation: message ${head.id} failed: the relay could not process it (${result.detail})`);
    const now = Date.now();
    return recordAttempt(this.store, head, decision, { now, nextSendAt: now + spacingMs, pausedUntil: now + HEALTH_RECHECK_MS });
  }

  private fail(head: PendingMessage, error: StatusError, countAttempt: boolean): void {
    this.recordOutcomes(() => recordFailure(this.store, head, error, countAttempt, Date.now()));
  }
}
