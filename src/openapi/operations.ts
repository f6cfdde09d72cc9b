import * as z from "zod";
import {
  ConversationsQuery,
  DeadLetterList,
  DeadLettersQuery,
  Health,
  IdempotencyKey,
  Replayed,
  WebhookReceipt,
} from "../api/schemas";
import {
  ChannelId,
  ChatV7Request,
  Conversation,
  ConversationActionAccepted,
  ConversationActionRequest,
  ConversationList,
  MessageRecord,
  SendAccepted,
  SendBatchAccepted,
  SendBatchRequest,
  SendMessageRequest,
  Slug,
} from "../model";
import { CONSOLE_OPERATIONS } from "./console-operations";
import { CONTROL_PLANE_OPERATIONS } from "./control-plane-operations";
import type { Operation, Reply } from "./operation";

const sendProblems = {
  400: ["invalid_idempotency_key"],
  422: [
    "account_required",
    "unknown_account",
    "invalid_recipient",
    "url_refused",
    "unsupported_content",
    "content_refused",
    "tag_unsupported",
    "invalid_reply_to",
    "window_closed",
    "idempotency_key_reused",
  ],
} satisfies Operation["problems"];
const sendAccepted: Reply = {
  description: "Queued: the message is stored and will be sent in order.",
  schema: SendAccepted,
  headers: z.object({
    Location: z.string().describe("/v1/messages/{id}: its status."),
    "Idempotent-Replayed": z.literal("true").optional().describe("Present when this answers an earlier request with the same Idempotency-Key."),
  }),
};
const idempotency = z.object({ "Idempotency-Key": IdempotencyKey.optional() });

const webhookPath = z.object({
  channel: ChannelId.describe("The platform."),
  accountId: Slug.describe("The channel account, as configured."),
});
const receiveWebhook: Omit<Operation, "path" | "operationId"> = {
  method: "post",
  tag: "Platform webhooks",
  summary: "Receive a platform's events",
  description:
    "Verified on the raw bytes with the platform's own signature, parsed into unified events and answered 200 only once every event is stored. Viber's `webhook` callback is answered here too.",
  access: "none",
  params: { path: webhookPath },
  body: { schema: z.unknown(), mediaType: "*/*", description: "The platform's own payload, exactly as it sends it." },
  responses: { 200: { description: "Every event is stored.", schema: WebhookReceipt } },
  problems: {
    401: ["invalid_signature"],
    404: ["unknown_webhook"],
    413: ["body_too_large"],
    422: ["json_too_deep"],
    503: ["storage_busy"],
  },
};

/**
 * Every public route. Request bodies, parameters and answers are the schemas the routes validate with
 * and type their answers with.
 */
export const OPERATIONS: readonly Operation[] = [
  {
    method: "post",
    path: "/v1/messages",
    operationId: "sendMessage",
    tag: "Messages",
    summary: "Queue a message",
    description: "A channel that lacks the content's kind gets it degraded (numbered choices, links) or refused up front.",
    access: "messages:send",
    params: { header: idempotency },
    body: { schema: SendMessageRequest },
    responses: { 202: sendAccepted },
    problems: sendProblems,
  },
  {
    method: "post",
    path: "/v1/messages/batch",
    operationId: "sendBatch",
    tag: "Messages",
    summary: "Queue up to 1,000 messages at once",
    description:
      "Either `messages`, each its own send, or one `content` to `recipients`, each with its own `parameters`. Every item is validated on its own: " +
      "the answer lists an id for each queued item and the problem of each refused one, by index (202 when all were queued, 207 when some were not). " +
      "Everything queued is stored before the answer; a batch's messages go after the account's one-to-one messages that are due, each conversation in order. " +
      "An `Idempotency-Key` covers the whole batch.",
    access: "messages:send",
    params: { header: idempotency },
    body: { schema: SendBatchRequest },
    responses: {
      202: { description: "Every item is queued.", schema: SendBatchAccepted },
      207: { description: "Some items are queued, others refused: each result says which.", schema: SendBatchAccepted },
    },
    problems: { 400: ["invalid_idempotency_key"], 413: ["body_too_large"], 422: ["validation_failed", "idempotency_key_reused"] },
  },
  {
    method: "post",
    path: "/api/v7/chat",
    operationId: "sendChatV7",
    tag: "Messages",
    summary: "Queue a text in the seed's shape",
    description: "A text message from the tenant's default account.",
    access: "messages:send",
    params: { header: idempotency },
    body: { schema: ChatV7Request },
    responses: { 202: sendAccepted },
    problems: sendProblems,
  },
  {
    method: "get",
    path: "/v1/messages/{id}",
    operationId: "getMessage",
    tag: "Messages",
    summary: "Read a message's status and history",
    access: "messages:read",
    params: { path: z.object({ id: z.string().describe("The message id (msg_…) the send answered.") }) },
    responses: { 200: { description: "The message, with each status transition and its time.", schema: MessageRecord } },
    problems: { 404: ["message_not_found"] },
  },
  {
    method: "post",
    path: "/v1/conversations/{id}/actions",
    operationId: "conversationAction",
    tag: "Messages",
    summary: "Show typing, or mark the customer's messages read",
    description:
      "Sent to the platform at once, not queued: an action never waits behind messages, nor they behind it. " +
      "What each channel has: WhatsApp container `mark_read`; WhatsApp Cloud `mark_read` and `typing_on` (both for a given `messageId`; typing lasts until the answer or 25 s); " +
      "Messenger `typing_on`, `typing_off`, `mark_read`; Telegram `typing_on` (5 s); Apple `typing_on`, `typing_off`; Viber none. " +
      "Another action is `422 action_unsupported`, listing the channel's `actions`; a platform's refusal is `502 action_failed` with its reason.",
    access: "messages:send",
    params: {
      path: z.object({
        id: z.string().describe("The conversation id (cnv_…), which names the account and the customer."),
      }),
    },
    body: { schema: ConversationActionRequest },
    responses: { 202: { description: "The platform accepted the action.", schema: ConversationActionAccepted } },
    problems: {
      404: ["conversation_not_found", "message_not_found"],
      422: ["action_unsupported", "message_id_required"],
      502: ["action_failed"],
    },
  },
  {
    method: "get",
    path: "/v1/conversations",
    operationId: "listConversations",
    tag: "Conversations",
    summary: "List conversations with their messaging window",
    description:
      "Every customer the relay has seen write or has written to, in order of the last update (then account and peer): the customer's identities, the last inbound and outbound times, and the messaging window by the channel's rules. Page with `cursor`.",
    access: "messages:read",
    params: { query: ConversationsQuery },
    responses: { 200: { description: "A page of conversations; `next` is the cursor of the next page.", schema: ConversationList } },
    problems: { 400: ["validation_failed"], 422: ["unknown_account", "validation_failed"] },
  },
  {
    method: "get",
    path: "/v1/conversations/{id}",
    operationId: "getConversation",
    tag: "Conversations",
    summary: "Read a conversation and its messaging window",
    access: "messages:read",
    params: { path: z.object({ id: z.string().describe("The conversation id (cnv_…) that lists and events name.") }) },
    responses: { 200: { description: "The conversation.", schema: Conversation } },
    problems: { 404: ["conversation_not_found"] },
  },
  {
    method: "get",
    path: "/v1/dead-letters",
    operationId: "listDeadLetters",
    tag: "Dead letters",
    summary: "List failed messages and undeliverable events",
    description: "Events are listed while the endpoint is disabled.",
    access: "messages:read",
    params: { query: DeadLettersQuery },
    responses: { 200: { description: "Dead letters, oldest first.", schema: DeadLetterList } },
  },
  {
    method: "post",
    path: "/v1/dead-letters/{id}/replay",
    operationId: "replayDeadLetter",
    tag: "Dead letters",
    summary: "Queue a failed message again, or deliver an event again",
    access: "messages:send",
    params: { path: z.object({ id: z.string().describe("A message id (msg_…) or an event id.") }) },
    responses: { 202: { description: "Queued again.", schema: Replayed } },
    problems: { 404: ["dead_letter_not_found"], 409: ["endpoint_disabled"] },
  },
  {
    method: "get",
    path: "/v1/media/{token}",
    operationId: "getMedia",
    tag: "Media",
    summary: "Stream a file a customer sent",
    description: "The signed token in the URL is the credential: it names one file and lasts an hour. Inbound events carry these URLs.",
    access: "none",
    params: { path: z.object({ token: z.string().describe("The token of an event's media URL.") }) },
    responses: { 200: { description: "The file, with the platform's content type.", schema: z.string(), mediaType: "*/*" } },
    problems: { 404: ["media_not_found"], 410: ["media_url_expired"], 502: ["media_unavailable"] },
  },
  {
    method: "get",
    path: "/webhooks/{channel}/{accountId}",
    operationId: "webhookHandshake",
    tag: "Platform webhooks",
    summary: "Answer a platform's subscription handshake",
    description: "Meta (WhatsApp Cloud, Messenger) checks a new callback URL with `hub.challenge`; other platforms only POST.",
    access: "none",
    params: {
      path: webhookPath,
      query: z.object({
        "hub.mode": z.literal("subscribe").optional(),
        "hub.verify_token": z.string().optional().describe("The account's verify token."),
        "hub.challenge": z.string().optional().describe("Echoed when the verify token matches."),
      }),
    },
    responses: {
      200: { description: "The challenge, echoed.", schema: z.string(), mediaType: "text/plain" },
      403: { description: "The verify token does not match.", schema: z.string(), mediaType: "text/plain" },
    },
    problems: { 404: ["unknown_webhook"], 405: ["method_not_allowed"] },
  },
  { ...receiveWebhook, path: "/webhooks/{channel}/{accountId}", operationId: "receiveWebhook" },
  {
    ...receiveWebhook,
    path: "/webhooks/{channel}/{accountId}/{subpath}",
    operationId: "receiveWebhookBelow",
    summary: "Receive a platform's events below its URL",
    description: "For platforms that call a fixed path below the registered URL (Apple: `<URL>/message`); otherwise as above.",
    params: { path: webhookPath.extend({ subpath: z.string().describe("The platform's own path, e.g. message.") }) },
  },
  {
    method: "get",
    path: "/health",
    operationId: "health",
    tag: "Service",
    summary: "Liveness",
    access: "none",
    responses: { 200: { description: "The relay answers.", schema: Health } },
  },
  {
    method: "get",
    path: "/openapi.json",
    operationId: "openApiDocument",
    tag: "Service",
    summary: "This API as an OpenAPI 3.1 document",
    access: "none",
    responses: { 200: { description: "The document.", schema: z.looseObject({ openapi: z.string() }) } },
  },
  {
    method: "get",
    path: "/docs",
    operationId: "reference",
    tag: "Service",
    summary: "This API as a readable page",
    access: "none",
    responses: { 200: { description: "The reference, rendered from the document.", schema: z.string(), mediaType: "text/html" } },
  },
  ...CONTROL_PLANE_OPERATIONS,
  ...CONSOLE_OPERATIONS,
];
