/** The shapes the sandbox control APIs answer with (see sandbox/*.js). */
export interface ContainerMessage {
  id: string;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}
export interface ContainerState {
  logins: number;
  messages: ContainerMessage[];
  webhooks: { body: unknown; status: number | "error" }[];
  /** Read receipts the container accepted (`PUT /v1/messages/{id}`). */
  reads: { id: string; authorization?: string; at: string }[];
}
export interface BackendEvent {
  id: string;
  path: string;
  raw: string;
  signature: Record<string, string>;
  payload: {
    id: string;
    type: string;
    conversation: { tenant: string; channel: string; account: string; peer: string };
    message?: { platformMessageId: string; sender: { id: string; name?: string }; content: Record<string, unknown> };
    status?: { messageId?: string; platformMessageId?: string; status: string; error?: { reason: string; code?: string } };
    health?: { state: string; reason?: string };
  };
}
export interface BackendEvents {
  events: BackendEvent[];
  rejected: number;
}
