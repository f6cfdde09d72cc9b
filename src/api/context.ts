import type { Context } from "hono";
import type { Principal } from "../auth/authenticate";
import type { Env } from "../env";

/** Hono's environment for every route: the Worker's bindings and what middleware found. */
export interface AppEnv {
  Bindings: Env;
  Variables: { principal: Principal; requestId: string };
}

export type AppContext = Context<AppEnv>;
