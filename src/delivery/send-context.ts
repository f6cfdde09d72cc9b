import type { BaseAccount, SendContext } from "../channels/types";
import type { Env } from "../env";

/** What an adapter gets to reach its platform for one account: bindings and the shared login session. */
export function sendContextFor(env: Env, account: BaseAccount): SendContext {
  const session = env.SESSIONS.get(env.SESSIONS.idFromName(account.id));
  return {
    env: env as unknown as Record<string, unknown>,
    token: () => session.token(account.id),
    renewToken: (stale) => session.renew(account.id, stale),
  };
}
