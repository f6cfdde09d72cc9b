import { DurableObject } from "cloudflare:workers";
import { adapterFor } from "../channels/registry";
import type { SessionToken } from "../channels/types";
import { ConfigError } from "../config/load";
import { CredentialsRefusedError } from "../transport/errors";
import { registryAccount } from "../registry/directory";
import type { Env } from "../env";
import type { AccountHealth, FailureReason, InboundEvent } from "../model";
import { conversationShard } from "./conversation-shards";
import { CONVERSATION_SHARDS } from "./shards";
import { eventId } from "./events";
import { handToEndpoints, NoEndpointError } from "./fan-out";

/** Log in again this long before the token's announced expiry. */
const RENEW_BEFORE_EXPIRY_MS = 5 * 60_000;

/**
 * Failures that say the account itself cannot send (its credentials were refused, its number or bot was
 * disabled): every queued message would fail the same way, so the account's queues pause instead.
 */
export const PAUSING_REASONS: ReadonlySet<FailureReason> = new Set(["auth_failed", "account_disabled"]);

/** A refused login as an answer; any other failure stays thrown. */
function refusal(e: unknown): { refused: string } {
  if (e instanceof CredentialsRefusedError) return { refused: e.message };
  throw e;
}

/** The session of one account, by the account's id (account ids are unique across tenants). */
export const accountSession = (env: Env, account: string) => env.SESSIONS.get(env.SESSIONS.idFromName(account));

/**
 * The login session of one channel account (the WhatsApp container's bearer token), shared by all its
 * conversations: one login however many conversations send at once, kept until it expires, renewed once
 * when the platform rejects it. Sending isolates keep a copy (send-context.ts), so this object is asked
 * about once per isolate and token, not on every send.
 *
 * It also keeps the account's health: paused when a send shows that the account cannot send (its queues
 * then wait instead of failing message after message), resumed when its credentials change. Each change
 * reaches the tenant once, as an `account.health` event.
 */
export class AccountSession extends DurableObject<Env> {
  private current: SessionToken | undefined;
  private pending: Promise<SessionToken> | undefined;

  /**
   * A token valid for a while yet, with its expiry (so that callers can keep it): the stored one, or a new
   * login. A login whose credentials the platform refused answers `refused` (an error would lose its kind
   * on the way back to the caller).
   */
  async token(accountId: string): Promise<SessionToken | { refused: string }> {
    this.current ??= await this.ctx.storage.get<SessionToken>("token");
    if (this.current && this.current.expiresAt - RENEW_BEFORE_EXPIRY_MS > Date.now()) return this.current;
    return this.login(accountId).catch(refusal);
  }

  /** The platform rejected `stale`: log in again unless another caller already did. */
  async renew(accountId: string, stale: string): Promise<SessionToken | { refused: string }> {
    this.current ??= await this.ctx.storage.get<SessionToken>("token");
    if (this.current && this.current.token !== stale) return this.current;
    return this.login(accountId).catch(refusal);
  }

  /** Logs in once for every caller waiting at the same time. */
  private login(accountId: string): Promise<SessionToken> {
    this.pending ??= (async () => {
      try {
        const found = await registryAccount(this.env, accountId);
        if (!found) throw new ConfigError(`account '${accountId}' is not in the registry`);
        const adapter = adapterFor(found.account.channel);
        if (!adapter.login) throw new Error(`channel '${found.account.channel}' has no login`);
        const session = await adapter.login(found.account, this.env as unknown as Record<string, unknown>);
        this.current = session;
        await this.ctx.storage.put("token", session);
        return session;
      } finally {
        this.pending = undefined;
      }
    })();
    return this.pending;
  }

  /** The account's health: `ok` unless a send paused it. */
  async health(): Promise<AccountHealth> {
    return (await this.ctx.storage.get<AccountHealth>("health")) ?? { state: "ok", since: new Date(0).toISOString() };
  }

  /** Pauses the account (once, however many shards report the failure) and tells the tenant. */
  async pause(tenant: string, account: string, reason: FailureReason, detail?: string): Promise<AccountHealth> {
    const current = await this.health();
    if (current.state === "paused") return current;
    return this.change(tenant, account, { state: "paused", reason, ...(detail && { detail }), since: new Date().toISOString() });
  }

  /**
   * Resumes a paused account (its credentials changed): forgets the session token, tells the tenant, and
   * wakes every outbox shard of the account, which send what waited, in order.
   */
  async resume(tenant: string, account: string): Promise<AccountHealth> {
    const current = await this.health();
    if (current.state === "ok") return current;
    this.current = undefined;
    await this.ctx.storage.delete("token");
    const health = await this.change(tenant, account, { state: "ok", reason: "resumed", since: new Date().toISOString() });
    await Promise.all(
      Array.from({ length: CONVERSATION_SHARDS }, (_, k) => conversationShard(this.env, tenant, account, k).resume()),
    );
    return health;
  }

  /** Stores the new health and hands its event to the tenant's endpoints (kept here until they take it). */
  private async change(tenant: string, account: string, health: AccountHealth): Promise<AccountHealth> {
    const event: InboundEvent = {
      id: eventId(tenant, `health:${account}:${health.state}:${health.since}`),
      createdAt: health.since,
      type: "account.health",
      conversation: { tenant, channel: (await registryAccount(this.env, account))?.account.channel ?? "whatsapp", account, peer: "-" },
      health,
    };
    await this.ctx.storage.put({ health, unsentHealthEvent: event });
    await this.handOver();
    return health;
  }

  /** Hands the last health event over; retried by the alarm while the tenant has nowhere to take it. */
  private async handOver(): Promise<void> {
    const event = await this.ctx.storage.get<InboundEvent>("unsentHealthEvent");
    if (!event) return;
    try {
      await handToEndpoints(this.env, event.conversation.tenant, [event]);
      await this.ctx.storage.delete("unsentHealthEvent");
    } catch (e) {
      if (!(e instanceof NoEndpointError)) console.warn(`account: health event not handed over yet: ${String(e)}`);
      await this.ctx.storage.setAlarm(Date.now() + 60_000);
    }
  }

  override async alarm(): Promise<void> {
    await this.handOver();
  }
}
