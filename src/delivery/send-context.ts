import type { BaseAccount, SendContext, SessionToken } from "../channels/types";
import { loadConfig } from "../config/load";
import type { Env } from "../env";
import { accountSession } from "./account-session";
import { CredentialsRefusedError, UnreachableError } from "../transport/errors";

/** A token is used until this long before its announced expiry, then asked for again. */
const RENEW_BEFORE_EXPIRY_MS = 5 * 60_000;
/** Accounts whose tokens this isolate keeps. */
const MAX_CACHED_TOKENS = 1_000;

/**
 * Login tokens of accounts, kept in the isolate where the sends happen: a send asks the account's
 * session object only when the isolate has no valid token (the session object still logs in once per
 * account, however many isolates ask).
 */
const tokens = new Map<string, SessionToken>();

/** A login that failed (the session object or the platform did not answer): retried, never the relay's bug. */
const unreachable = (e: unknown): never => {
  throw e instanceof UnreachableError ? e : new UnreachableError(`login failed: ${e instanceof Error ? e.message : String(e)}`);
};

function keep(accountId: string, session: SessionToken | { refused: string }): string {
  if ("refused" in session) throw new CredentialsRefusedError(session.refused);
  if (tokens.size >= MAX_CACHED_TOKENS && !tokens.has(accountId)) tokens.delete(tokens.keys().next().value!);
  tokens.set(accountId, session);
  return session.token;
}

/** What an adapter gets to reach its platform for one account: bindings, the shared login session, the URL policy. */
export function sendContextFor(env: Env, account: BaseAccount, now: () => number = Date.now): SendContext {
  const session = () => accountSession(env, account.id);
  const { config } = loadConfig(env);
  return {
    env: env as unknown as Record<string, unknown>,
    token: async () => {
      const cached = tokens.get(account.id);
      if (cached && cached.expiresAt - RENEW_BEFORE_EXPIRY_MS > now()) return cached.token;
      return keep(account.id, await session().token(account.id).catch(unreachable));
    },
    renewToken: async (stale) => {
      tokens.delete(account.id);
      return keep(account.id, await session().renew(account.id, stale).catch(unreachable));
    },
    urlPolicy: { sandbox: config.sandbox, resolverUrl: config.dnsResolverUrl },
  };
}
