import * as z from "zod";
import { Slug } from "./address";
import { SendAccepted } from "./message-record";
import { OutboundContent, SendMessageRequest } from "./outbound";

/** Messages one `POST /v1/messages/batch` takes. */
export const MAX_BATCH_SIZE = 1000;

/** One recipient of a batch that shares one content. */
export const BatchRecipient = z.object({
  to: SendMessageRequest.shape.to,
  reference: SendMessageRequest.shape.reference,
  parameters: z
    .array(z.string().min(1).max(1024))
    .max(100)
    .optional()
    .describe("This recipient's values for the content's {{1}}, {{2}}...: a template's body parameters, or placeholders in a text."),
});
export type BatchRecipient = z.infer<typeof BatchRecipient>;

/** Many messages, each its own. */
export const BatchOfMessages = z.object({
  account: Slug.optional().describe("The account every message is sent from unless it names its own; the tenant's default when absent."),
  messages: z.array(SendMessageRequest).min(1).max(MAX_BATCH_SIZE),
});

/** One content to many recipients, each with its own parameters. */
export const BatchOfRecipients = z.object({
  account: Slug.optional().describe("The account the messages are sent from; the tenant's default when absent."),
  content: OutboundContent,
  recipients: z.array(BatchRecipient).min(1).max(MAX_BATCH_SIZE),
});

/** The body of `POST /v1/messages/batch`: up to 1,000 messages, queued in one request. */
export const SendBatchRequest = z.union([BatchOfMessages, BatchOfRecipients]);
export type SendBatchRequest = z.infer<typeof SendBatchRequest>;

/** Why one item of a batch was not queued: the problem a single send would have answered. */
export const BatchItemError = z.object({
  status: z.number().int().describe("The HTTP status a single send would have answered."),
  code: z.string().describe("The problem's stable code."),
  detail: z.string(),
});

/** One item's outcome, by its index in the request. */
export const BatchItemResult = z.union([
  SendAccepted.extend({ index: z.number().int().min(0) }),
  z.object({ index: z.number().int().min(0), error: BatchItemError }),
]);
export type BatchItemResult = z.infer<typeof BatchItemResult>;

/** The answer to a batch: 202 when every item was queued, 207 when some were not. */
export const SendBatchAccepted = z.object({
  accepted: z.number().int().min(0),
  failed: z.number().int().min(0),
  results: z.array(BatchItemResult),
});
export type SendBatchAccepted = z.infer<typeof SendBatchAccepted>;
