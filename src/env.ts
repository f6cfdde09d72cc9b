import type { AccountSession } from "./delivery/account-session";
import type { ConversationOutbox } from "./delivery/conversation-outbox";
import type { EndpointOutbox } from "./delivery/endpoint-outbox";
import type { IdempotencyRecord } from "./delivery/idempotency-record";
import type { Registry } from "./registry/registry";

/** The Worker's bindings (see wrangler.toml). Tunnel service bindings are looked up by name from config. */
export interface Env {
  /**
   * Optional configuration JSON (a secret in production): the relay's settings, and tenants with their
   * accounts, keys and endpoint, imported into the registry whenever it changes.
   */
  RELAY_CONFIG?: string;
  /** Seals secrets at rest: `<id>:<base64 of 32 bytes>`, several comma-separated while rotating (the first seals). */
  RELAY_MASTER_KEY?: string;
  CONVERSATIONS: DurableObjectNamespace<ConversationOutbox>;
  ENDPOINTS: DurableObjectNamespace<EndpointOutbox>;
  SESSIONS: DurableObjectNamespace<AccountSession>;
  IDEMPOTENCY: DurableObjectNamespace<IdempotencyRecord>;
  /** The control plane's store: tenants, API keys, channel accounts and endpoints. */
  REGISTRY: DurableObjectNamespace<Registry>;
  /** Operator keys for `/admin/v1`, as comma-separated SHA-256 hex (a secret). */
  ADMIN_KEYS?: string;
  /** Multiplies every retry delay; the sandbox and tests shrink time with it. Default 1. */
  RETRY_TIME_SCALE?: string;
}
