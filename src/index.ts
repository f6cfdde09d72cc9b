import { buildApp } from "./app";
import type { Env } from "./env";

export { AccountSession } from "./delivery/account-session";
export { ConversationOutbox } from "./delivery/conversation-outbox";
export { EndpointOutbox } from "./delivery/endpoint-outbox";
export { IdempotencyRecord } from "./delivery/idempotency-record";
export { Registry } from "./registry/registry";

const app = buildApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
