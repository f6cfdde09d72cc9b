import { Hono } from "hono";
import type { Me } from "./console-schemas";
import type { AppEnv } from "./context";
import { requireAuth } from "./middleware";

/** `GET /v1/me`: which tenant a credential acts for, with what scopes and how, so that a console knows what to show. */
export const meApi = new Hono<AppEnv>().get("/v1/me", requireAuth(), (c) => {
  const { tenant, scopes, via } = c.get("principal");
  const body: Me = { tenant, scopes: [...scopes], via };
  return c.json(body);
});
