import { Hono } from "hono";
import type { AccountConfig } from "../channels/registry";
import { accountSession } from "../delivery/account-session";
import { ProblemError } from "../errors";
import { forgetRegistryView } from "../registry/directory";
import { registryOf } from "../registry/registry";
import type { RegistryAccount } from "../registry/records";
import { limitBody, MAX_API_BODY_BYTES, readJsonBody } from "./body";
import type { AppContext, AppEnv } from "./context";
import { requireAuth } from "./middleware";
import { type Account, type AccountList, CreateAccountRequest, UpdateAccountRequest } from "./schemas";

const notFound = (id: string) => new ProblemError(404, "account_not_found", `There is no account '${id}' in your tenant.`);

/**
 * An account as every answer shows it: its settings without secrets (`secretHints` has the last four
 * characters of each), and the URL to register as the platform's webhook.
 */
function shown(c: AppContext, a: RegistryAccount): Account {
  return {
    ...a.settings,
    id: a.id,
    channel: a.channel,
    default: a.default,
    secretHints: a.secretHints,
    webhookUrl: `${new URL(c.req.url).origin}/webhooks/${a.channel}/${a.id}`,
    source: a.source,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}

/**
 * A tenant's channel accounts (`accounts:write`): connected, listed, read, changed and removed at runtime,
 * every channel validated by its own schema, secrets sealed at rest and never shown again.
 */
export const accountsApi = new Hono<AppEnv>()
  .post("/v1/accounts", requireAuth("accounts:write"), limitBody(MAX_API_BODY_BYTES), async (c) => {
    const tenant = c.get("principal").tenant;
    const { default: makeDefault = false, ...account } = await readJsonBody(c, CreateAccountRequest);
    const created = await registryOf(c.env).createAccount(tenant, account as AccountConfig, makeDefault);
    forgetRegistryView();
    if (created === "exists") throw new ProblemError(409, "account_exists", `An account '${account.id}' exists already (account ids are unique across the relay); choose another id.`);
    if (created === "no_tenant") throw new ProblemError(404, "tenant_not_found", "Your tenant is no longer in the registry.");
    // Asked of the registry itself: the isolate's copy was just dropped, and reloading it all is not needed.
    const warnings =
      (await registryOf(c.env).endpoints(tenant)).length === 0
        ? ["Your tenant has no endpoint: this account's events are not accepted until you create one (POST /v1/endpoints)."]
        : [];
    return c.json({ ...(shown(c, created)), ...(warnings.length > 0 && { warnings }) }, 201, { location: `/v1/accounts/${account.id}` });
  })
  .get("/v1/accounts", requireAuth("accounts:write"), async (c) => {
    const accounts = await registryOf(c.env).accounts(c.get("principal").tenant);
    const body: AccountList = { items: accounts.map((a) => shown(c, a)) };
    return c.json(body);
  })
  .get("/v1/accounts/:id", requireAuth("accounts:write"), async (c) => {
    const id = c.req.param("id");
    const account = await registryOf(c.env).account(c.get("principal").tenant, id);
    if (!account) throw notFound(id);
    return c.json({ ...shown(c, account), health: await accountSession(c.env, id).health() });
  })
  .patch("/v1/accounts/:id", requireAuth("accounts:write"), limitBody(MAX_API_BODY_BYTES), async (c) => {
    const id = c.req.param("id");
    const { default: makeDefault, ...patch } = await readJsonBody(c, UpdateAccountRequest);
    const updated = await registryOf(c.env).patchAccount(c.get("principal").tenant, id, patch, makeDefault);
    forgetRegistryView();
    if (!updated) throw notFound(id);
    if ("issues" in updated) {
      const first = updated.issues[0];
      throw new ProblemError(422, "validation_failed", `The account is invalid: ${first?.path || "(root)"}: ${first?.message}`, { errors: updated.issues });
    }
    // New settings (credentials, most often) resume a paused account: what waited is sent, in order.
    const health = await accountSession(c.env, id).resume(c.get("principal").tenant, id);
    return c.json({ ...shown(c, updated), health });
  })
  .delete("/v1/accounts/:id", requireAuth("accounts:write"), async (c) => {
    const id = c.req.param("id");
    if (!(await registryOf(c.env).deleteAccount(c.get("principal").tenant, id))) throw notFound(id);
    forgetRegistryView();
    return c.body(null, 204);
  });
