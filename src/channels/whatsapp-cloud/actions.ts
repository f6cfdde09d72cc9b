import type { ActionResult, ConversationAction } from "../types";
import { classifyCloudSendResponse } from "./errors";

/**
 * The body of `POST /{phone-number-id}/messages` for an action: a read receipt for the customer's message
 * (`status: "read"`, which also marks the messages before it read), and for `typing_on` the same with a
 * typing indicator, shown until the business answers or for 25 seconds. Both need the message's `wamid`;
 * there is no way to hide the indicator early (no `typing_off`).
 * @see https://developers.facebook.com/docs/whatsapp/cloud-api/guides/mark-message-as-read
 * @see https://developers.facebook.com/docs/whatsapp/cloud-api/typing-indicators
 */
export function renderCloudAction(action: ConversationAction): Record<string, unknown> | null {
  if (!action.messageId || (action.type !== "mark_read" && action.type !== "typing_on")) return null;
  return {
    messaging_product: "whatsapp",
    status: "read",
    message_id: action.messageId,
    ...(action.type === "typing_on" && { typing_indicator: { type: "text" } }),
  };
}

/**
 * Classifies the answer to an action: `{"success": true}` is done; a Graph error is read as a send's is
 * (e.g. an unknown or too old `wamid` is a permanent `content_rejected`).
 * @see https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes
 */
export function classifyCloudAction(res: Response, body: unknown): ActionResult {
  if (res.ok && (body as { success?: unknown } | undefined)?.success === true) return { kind: "ok" };
  if (res.ok) return { kind: "retry", detail: `Graph API answered ${res.status} without success` };
  const result = classifyCloudSendResponse(res, body);
  return result.kind === "ok" ? { kind: "ok" } : result;
}
