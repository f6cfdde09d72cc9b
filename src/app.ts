import { Hono } from "hono";
import { requestId } from "hono/request-id";
import { accountsApi } from "./api/accounts";
import { actionsApi } from "./api/actions";
import { adminApi } from "./api/admin";
import { apiKeysApi } from "./api/api-keys";
import { conversationsApi } from "./api/conversations";
import { deadLettersApi } from "./api/dead-letters";
import { deliveriesApi } from "./api/deliveries";
import { endpointsApi } from "./api/endpoints";
import { docsApi } from "./api/docs";
import { mediaApi } from "./api/media";
import { meApi } from "./api/me";
import { messageListApi } from "./api/message-list";
import { messagesApi } from "./api/messages";
import type { Health } from "./api/schemas";
import { statsApi } from "./api/stats";
import { webhooksApi } from "./api/webhooks";
import type { AppEnv } from "./api/context";
import { ConfigError } from "./config/load";
import { ProblemError, problemResponse } from "./errors";

/** The Worker's HTTP surface: client API and platform webhooks, with one error handler for all. */
export function buildApp() {
  const app = new Hono<AppEnv>();
  app.use(requestId({ headerName: "x-request-id" }));
  app.get("/health", (c) => c.json({ ok: true } satisfies Health));
  app.route("/", messagesApi);
  app.route("/", messageListApi);
  app.route("/", actionsApi);
  app.route("/", webhooksApi);
  app.route("/", mediaApi);
  app.route("/", conversationsApi);
  app.route("/", deadLettersApi);
  app.route("/", adminApi);
  app.route("/", apiKeysApi);
  app.route("/", accountsApi);
  app.route("/", endpointsApi);
  app.route("/", deliveriesApi);
  app.route("/", statsApi);
  app.route("/", meApi);
  app.route("/", docsApi);
  app.notFound(() => problemResponse(404, "not_found", "No such route."));
  app.onError((err, c) => {
    if (err instanceof ProblemError) return problemResponse(err.status, err.code, err.message, err.extra, err.headers);
    const id = c.get("requestId");
    if (err instanceof ConfigError) {
      // The operator's mistake, not the client's: say so loudly in the logs, never echo values.
      console.error(`request ${id}: ${err.message}`);
      return problemResponse(500, "config_invalid", "The relay's configuration is invalid; its operator has been told.", { requestId: id });
    }
    console.error(`request ${id}: unexpected error`, err);
    return problemResponse(500, "internal_error", "Something went wrong on our side.", { requestId: id });
  });
  return app;
}
