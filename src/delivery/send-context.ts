import type { BaseAccount, SendContext } from "../channels/types";
import { loadConfig } from "../config/load";
import type { Env } from "../env";
import { UnreachableError } from "../transport/errors";

/** A login that failed (the session object or the platform did not answer): retried, never the relay's bug. */
const unreachable = (e: unknown): never => {
  throw e instanceof UnreachableError ? e : new UnreachableError(`login failed: ${e instanceof Error ? e.message : String(e)}`);
};

/** What an adapter gets to reach its platform for one account: bindings, the shared login session, the URL policy. */
export function sendContextFor(env: Env, account: BaseAccount): SendContext {
  const session = env.SESSIONS.get(env.SESSIONS.idFromName(account.id));
  const { config } = loadConfig(env);
  return {
    env: env as unknown as Record<string, unknown>,
    token: () => session.token(account.id).catch(unreachable),
    renewToken: (stale) => session.renew(account.id, stale).catch(unreachable),
    urlPolicy: { sandbox: config.sandbox, resolverUrl: config.dnsResolverUrl },
  };
}
