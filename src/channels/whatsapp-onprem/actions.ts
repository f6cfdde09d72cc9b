import type { ActionResult, ConversationAction } from "../types";
import { classifySendResponse } from "./errors";

/** A container request: its path below the origin, and what to send. */
export interface ContainerRequest {
  path: string;
  init: RequestInit;
}

/**
 * The container's read receipt: `PUT /v1/messages/{message-id}` with `{"status": "read"}` marks the
 * customer's message (and those before it) read. The container has no typing indicator.
 * @see https://developers.facebook.com/docs/whatsapp/api/messages/mark-as-read
 */
export function renderOnPremAction(action: ConversationAction): ContainerRequest | null {
  if (action.type !== "mark_read" || !action.messageId) return null;
  return {
    path: `/v1/messages/${encodeURIComponent(action.messageId)}`,
    init: { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ status: "read" }) },
  };
}

/**
 * Classifies the container's answer to an action: any 2xx is done (the container answers `{"meta": …}`
 * or nothing); errors are read as a send's are (`{"errors": [{code, title, details}]}`).
 * @see https://developers.facebook.com/docs/whatsapp/on-premises/errors
 */
export function classifyOnPremAction(res: Response, body: unknown): ActionResult {
  if (res.ok) return { kind: "ok" };
  const result = classifySendResponse(res, body);
  return result.kind === "ok" ? { kind: "ok" } : result;
}
