import { Hono } from "hono";
import * as z from "zod";
import type { AccountConfig } from "../channels/registry";
import { sha256Hex } from "../crypto";
import type { QueuedMessage } from "../delivery/conversation-tables";
import { ProblemError } from "../errors";
import { type BatchItemResult, ChatV7Request, type SendAccepted, type SendBatchAccepted, SendMessageRequest } from "../model";
import { batchItems } from "./batch";
import { limitBody, MAX_API_BODY_BYTES, readJsonBody } from "./body";
import type { AppContext, AppEnv } from "./context";
import { findMessage } from "./message-ids";
import { requireAuth } from "./middleware";
import { IdempotencyKey } from "./schemas";
import { canonicalJson, checkWindows, prepareSend, queueChecked, sendingAccount, type WindowVerdict } from "./send";

/** A batch of 1,000 messages with long texts or templates stays under this. */
export const MAX_BATCH_BODY_BYTES = 5 * 1024 * 1024;

/** The request's `Idempotency-Key`, checked; none when it carries none. */
function idempotencyKey(c: AppContext): string | undefined {
  const key = c.req.header("idempotency-key");
  if (key !== undefined && !IdempotencyKey.safeParse(key).success) {
    throw new ProblemError(400, "invalid_idempotency_key", "An Idempotency-Key is 1 to 255 visible ASCII characters.");
  }
  return key;
}

/**
 * Queues what a request with an `Idempotency-Key` resolved to and answers `response`, once per key: a
 * retry answers the same and queues nothing twice.
 */
async function queueOnce(c: AppContext, key: string, route: string, body: unknown, messages: QueuedMessage[], response: string): Promise<{ response: string; replayed: boolean }> {
  const fingerprint = await sha256Hex(`${route}\n${canonicalJson(body)}`);
  const record = c.env.IDEMPOTENCY.get(c.env.IDEMPOTENCY.idFromName(JSON.stringify([c.get("principal").tenant, key])));
  const outcome = await record.accept(fingerprint, { messages, response });
  if (outcome.kind === "mismatch") {
    throw new ProblemError(422, "idempotency_key_reused", "This Idempotency-Key was used with a different request body; use a new key.");
  }
  return outcome;
}

/**
 * Checks messages against their windows and queues them. Without an idempotency key, in one call per
 * outbox shard (the window is checked where its facts are); with one, the windows are read first and
 * the record fixes what is queued and answered.
 */
async function checkAndQueue(
  c: AppContext,
  key: string | undefined,
  items: readonly { message: QueuedMessage; account: AccountConfig }[],
  answer: (verdicts: WindowVerdict[]) => { messages: QueuedMessage[]; response: string },
  request: { route: string; body: unknown },
): Promise<{ response: string; replayed: boolean }> {
  if (key === undefined) return { response: answer(await queueChecked(c, items)).response, replayed: false };
  const { messages, response } = answer(await checkWindows(c, items));
  return queueOnce(c, key, request.route, request.body, messages, response);
}

/** Validates a send against the tenant's accounts and the channel's capabilities, then queues it. */
async function acceptSend(c: AppContext, request: SendMessageRequest, route: string): Promise<Response> {
  const key = idempotencyKey(c);
  const account = await sendingAccount(c, c.get("principal").tenant, request.account);
  const message = await prepareSend(c, account, request);
  const { response, replayed } = await checkAndQueue(
    c,
    key,
    [{ message, account }],
    ([verdict]) => {
      if (verdict instanceof ProblemError) throw verdict;
      const accepted: SendAccepted = { id: message.id, status: "queued", conversation: message.address, ...(verdict && { warnings: [verdict] }) };
      return { messages: [message], response: JSON.stringify(accepted) };
    },
    { route, body: request },
  );
  const id = (JSON.parse(response) as SendAccepted).id;
  return c.body(response, 202, {
    "content-type": "application/json",
    location: `/v1/messages/${id}`,
    ...(replayed && { "idempotent-replayed": "true" }),
  });
}

/**
 * Validates every item of a batch on its own (a bad item is answered with its problem, the others are
 * queued), then queues the good ones in one go, durably before the answer.
 */
async function acceptBatch(c: AppContext, body: unknown): Promise<Response> {
  const key = idempotencyKey(c);
  const tenant = c.get("principal").tenant;
  const accounts = new Map<string | undefined, Promise<AccountConfig>>();
  const refusals: BatchItemResult[] = [];
  const prepared: { index: number; message: QueuedMessage; account: AccountConfig }[] = [];
  const refused = (index: number, e: unknown): BatchItemResult => {
    if (!(e instanceof ProblemError)) throw e;
    return { index, error: { status: e.status, code: e.code, detail: e.message } };
  };
  for (const [index, item] of batchItems(body).entries()) {
    try {
      if ("problem" in item) throw item.problem;
      const named = item.request.account;
      if (!accounts.has(named)) accounts.set(named, sendingAccount(c, tenant, named));
      const account = await accounts.get(named)!;
      prepared.push({ index, message: await prepareSend(c, account, item.request, true), account });
    } catch (e) {
      refusals.push(refused(index, e));
    }
  }
  const { response, replayed } = await checkAndQueue(
    c,
    key,
    prepared,
    (verdicts) => {
      const results = [...refusals];
      const messages: QueuedMessage[] = [];
      prepared.forEach(({ index, message }, i) => {
        const verdict = verdicts[i];
        if (verdict instanceof ProblemError) return results.push(refused(index, verdict));
        messages.push(message);
        results.push({ index, id: message.id, status: "queued", conversation: message.address, ...(verdict && { warnings: [verdict] }) });
      });
      results.sort((a, b) => a.index - b.index);
      const answer: SendBatchAccepted = { accepted: messages.length, failed: results.length - messages.length, results };
      return { messages, response: JSON.stringify(answer) };
    },
    { route: "batch", body },
  );
  // A replay answers as the first request was answered.
  return c.body(response, (JSON.parse(response) as SendBatchAccepted).failed === 0 ? 202 : 207, {
    "content-type": "application/json",
    ...(replayed && { "idempotent-replayed": "true" }),
  });
}

/** The client API: send messages, one or a batch, and read their status. */
export const messagesApi = new Hono<AppEnv>()
  .post("/v1/messages", requireAuth("messages:send"), limitBody(MAX_API_BODY_BYTES), async (c) =>
    acceptSend(c, await readJsonBody(c, SendMessageRequest), "messages"),
  )
  .post("/v1/messages/batch", requireAuth("messages:send"), limitBody(MAX_BATCH_BODY_BYTES), async (c) => acceptBatch(c, await readJsonBody(c, z.unknown())))
  /** The seed's API: `{"id": "49123123456", "message": "Hello world!"}` on the tenant's default account. */
  .post("/api/v7/chat", requireAuth("messages:send"), limitBody(MAX_API_BODY_BYTES), async (c) => {
    const chat = await readJsonBody(c, ChatV7Request);
    return acceptSend(c, { to: chat.id, content: { type: "text", text: chat.message } }, "chat-v7");
  })
  .get("/v1/messages/:id", requireAuth("messages:read"), async (c) => {
    const id = c.req.param("id");
    const record = await findMessage(c.env, id, c.get("principal").tenant);
    if (!record) throw new ProblemError(404, "message_not_found", `There is no message '${id}' in your tenant.`);
    return c.json(record);
  });
