import { Hono } from "hono";
import type { AccountConfig } from "../channels/registry";
import { adapterFor } from "../channels/registry";
import type { ActionResult } from "../channels/types";
import { sendContextFor } from "../delivery/send-context";
import { ProblemError } from "../errors";
import { type ConversationActionAccepted, ConversationActionRequest, parseConversationId } from "../model";
import { UnreachableError } from "../transport/errors";
import { limitBody, readJsonBody } from "./body";
import type { AppContext, AppEnv } from "./context";
import { findMessage, RELAY_MESSAGE_PREFIX } from "./message-ids";
import { requireAuth } from "./middleware";
import { sendingAccount } from "./send";

/** An action is a type and a message id: a few hundred bytes. */
const MAX_ACTION_BODY_BYTES = 4 * 1024;

/** The account and customer a conversation id names, when the account is the caller's; else 404. */
async function conversationOf(c: AppContext, id: string): Promise<{ account: AccountConfig; peer: string }> {
  const notFound = () => new ProblemError(404, "conversation_not_found", `There is no conversation '${id.slice(0, 120)}' in your tenant.`);
  const named = parseConversationId(id);
  if (!named) throw notFound();
  let account: AccountConfig;
  try {
    account = await sendingAccount(c, c.get("principal").tenant, named.account);
  } catch (e) {
    // Another tenant's account is as unknown as one that does not exist.
    if (e instanceof ProblemError && e.code === "unknown_account") throw notFound();
    throw e;
  }
  if (adapterFor(account.channel).normalizePeer(named.peer) !== named.peer) throw notFound();
  return { account, peer: named.peer };
}

/**
 * The platform's id of the message an action names: a platform id as given; a relay id (msg_…) read from
 * its record, which must belong to this conversation and have reached the platform.
 */
async function platformMessageId(c: AppContext, account: AccountConfig, peer: string, ref: string): Promise<string> {
  if (!ref.startsWith(RELAY_MESSAGE_PREFIX)) return ref;
  const record = await findMessage(c.env, ref, c.get("principal").tenant);
  if (!record || record.conversation.account !== account.id || record.conversation.peer !== peer) {
    throw new ProblemError(404, "message_not_found", `There is no message '${ref}' in this conversation.`);
  }
  if (!record.platformMessageId) {
    throw new ProblemError(422, "message_id_required", `'${ref}' has not reached ${account.channel} yet: it has no platform id to act on.`);
  }
  return record.platformMessageId;
}

/** Runs the adapter's action; a platform that cannot be reached is a failed action, never a 500. */
async function run(act: () => Promise<ActionResult>): Promise<ActionResult> {
  try {
    return await act();
  } catch (e) {
    if (e instanceof UnreachableError) return { kind: "retry", detail: e.message };
    if (e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError")) return { kind: "retry", detail: `no complete answer (${e.name})` };
    throw e;
  }
}

/** A refused or failed action as the client sees it: 502 with the platform's reason, and when to try again. */
function actionFailed(channel: string, type: string, result: Exclude<ActionResult, { kind: "ok" }>): ProblemError {
  if (result.kind === "failed") {
    const { reason, code, detail } = result.error;
    return new ProblemError(502, "action_failed", `${channel} refused ${type}: ${detail ?? reason}`, { reason, ...(code && { platformCode: code }) });
  }
  const after = result.afterSeconds;
  return new ProblemError(502, "action_failed", `${channel} did not do ${type}: ${result.detail}; try again later.`, { reason: "retry" }, after ? { "retry-after": String(after) } : {});
}

/**
 * Conversation actions: a typing indicator or a read receipt, sent to the platform at once (never queued,
 * so they never wait behind messages, and messages never wait for them).
 */
export const actionsApi = new Hono<AppEnv>().post(
  "/v1/conversations/:id/actions",
  requireAuth("messages:send"),
  limitBody(MAX_ACTION_BODY_BYTES),
  async (c) => {
    const { account, peer } = await conversationOf(c, c.req.param("id"));
    const request = await readJsonBody(c, ConversationActionRequest);
    const adapter = adapterFor(account.channel);
    const { actions, actionsNeedMessageId } = adapter.capabilities;
    if (!adapter.act || !actions.includes(request.type)) {
      const has = actions.length > 0 ? `its actions are ${actions.join(", ")}` : "it has no actions";
      throw new ProblemError(422, "action_unsupported", `${account.channel} has no ${request.type}: ${has}.`, { actions: [...actions] });
    }
    const messageId = request.messageId && (await platformMessageId(c, account, peer, request.messageId));
    if (!messageId && actionsNeedMessageId?.includes(request.type)) {
      throw new ProblemError(422, "message_id_required", `${account.channel} does ${request.type} for a given message: set 'messageId' to the customer's message.`);
    }
    const act = adapter.act.bind(adapter);
    const result = await run(() => act({ type: request.type, ...(messageId && { messageId }) }, peer, account, sendContextFor(c.env, account)));
    if (result.kind !== "ok") throw actionFailed(account.channel, request.type, result);
    return c.json({ type: request.type, status: "sent" } satisfies ConversationActionAccepted, 202);
  },
);
