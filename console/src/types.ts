/**
 * What the console reads from the API. The unified model's types come from `src/model` (types only:
 * nothing of it is bundled); the control plane's answers are described here with the fields the console
 * shows (see `src/api/schemas.ts` and the OpenAPI document for the whole of each).
 */
export type { AccountHealth, Conversation, ConversationList, MessageRecord, MessageStatus, SendAccepted, StatusTransition } from "../../src/model";

/** `GET /v1/me`. */
export interface Me {
  tenant: string;
  scopes: string[];
  via: string;
}

export interface Account {
  id: string;
  channel: string;
  default: boolean;
  webhookUrl: string;
  source: string;
  createdAt: string;
  updatedAt: string;
  health?: { state: "ok" | "paused"; reason?: string; detail?: string; since: string };
}

export interface Endpoint {
  id: string;
  url: string;
  description?: string;
  eventTypes?: string[];
  accounts?: string[];
  timeoutMs: number;
  /** `…` and the signing secret's last four characters. */
  secretHint: string;
  source: string;
  createdAt: string;
  updatedAt: string;
}

export interface EndpointWithState extends Endpoint {
  state: "enabled" | "disabled";
  reason?: string;
  disabledAt?: string;
  failingSince?: string;
  events: Record<string, number>;
}

/** One attempt to deliver an event to an endpoint (`GET /v1/endpoints/{id}/deliveries`). */
export interface Delivery {
  at: string;
  eventId: string;
  attempt: number;
  /** The backend's HTTP status; absent when it did not answer. */
  status?: number;
  latencyMs: number;
  error?: string;
  delivered: boolean;
}

export interface ApiKey {
  id: string;
  tenant: string;
  scopes: string[];
  /** `…` and the key's last four characters. */
  hint?: string;
  source: string;
  createdAt: string;
  lastUsedAt?: string;
  revokedAt?: string;
}

export interface IssuedApiKey extends ApiKey {
  key: string;
}

export interface Tenant {
  id: string;
  name: string;
  status: "active" | "suspended";
  defaultAccount?: string;
  source: string;
  createdAt: string;
  updatedAt: string;
}

export interface DeadLetter {
  id: string;
  kind: "message" | "event";
  endpoint?: string;
  conversation: { tenant: string; channel: string; account: string; peer: string };
  reason: string;
  detail?: string;
  attempts: number;
  at: string;
}

/** One minute of activity (`GET /v1/stats`). */
export interface StatsMinute {
  minute: string;
  messages: number;
  sent: number;
  failed: number;
  received: number;
  delivered: number;
}

/** `GET /v1/stats?minutes=`: a tenant's last minutes. */
export interface Stats {
  from: string;
  to: string;
  minutes: StatsMinute[];
  failuresByReason: Record<string, number>;
  /** Null (or absent) when no delivery was attempted in the window. */
  deliveryLatencyMs: { p50?: number | null; p90?: number | null; p99?: number | null };
  totals: { queued?: number; retrying?: number; dead?: number };
  /** The same figures by channel; shown as they come. */
  byChannel?: Record<string, Record<string, unknown>>;
}

/** `GET /admin/v1/stats?minutes=&limit=&after=`: a page of tenants in id order, each with its stats. */
export interface AdminStats {
  tenants: (Stats & { tenant: string })[];
  /** The page's last tenant: pass it as `after`. */
  next?: string;
}

/** The scopes a key can hold (src/config/schema.ts). */
export const SCOPES = ["messages:send", "messages:read", "accounts:write", "endpoints:write", "keys:write"] as const;
