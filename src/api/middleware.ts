import { createMiddleware } from "hono/factory";
import { authenticate, requireScope } from "../auth/authenticate";
import { loadConfig } from "../config/load";
import type { Scope } from "../config/schema";
import type { AppEnv } from "./context";

/** Authenticates the client and checks it holds `scope`; the principal is then `c.get("principal")`. */
export function requireAuth(scope: Scope) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const principal = await authenticate(c.req.raw.headers, loadConfig(c.env));
    requireScope(principal, scope);
    c.set("principal", principal);
    await next();
  });
}
