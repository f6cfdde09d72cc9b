import { DurableObject } from "cloudflare:workers";
import { adapterFor } from "../channels/registry";
import type { SessionToken } from "../channels/types";
import { ConfigError } from "../config/load";
import { registryAccount } from "../registry/directory";
import type { Env } from "../env";

/** Log in again this long before the token's announced expiry. */
const RENEW_BEFORE_EXPIRY_MS = 5 * 60_000;

/**
 * The login session of one channel account (the WhatsApp container's bearer token), shared by all its
 * conversations: one login however many conversations send at once, kept until it expires, renewed once
 * when the platform rejects it. Sending isolates keep a copy (send-context.ts), so this object is asked
 * about once per isolate and token, not on every send.
 */
export class AccountSession extends DurableObject<Env> {
  private current: SessionToken | undefined;
  private pending: Promise<SessionToken> | undefined;

  /** A token valid for a while yet, with its expiry (so that callers can keep it): the stored one, or a new login. */
  async token(accountId: string): Promise<SessionToken> {
    this.current ??= await this.ctx.storage.get<SessionToken>("token");
    if (this.current && this.current.expiresAt - RENEW_BEFORE_EXPIRY_MS > Date.now()) return this.current;
    return this.login(accountId);
  }

  /** The platform rejected `stale`: log in again unless another caller already did. */
  async renew(accountId: string, stale: string): Promise<SessionToken> {
    this.current ??= await this.ctx.storage.get<SessionToken>("token");
    if (this.current && this.current.token !== stale) return this.current;
    return this.login(accountId);
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
}
