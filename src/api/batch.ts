import * as z from "zod";
import { ProblemError, validationProblem } from "../errors";
import { BatchRecipient, MAX_BATCH_SIZE, OutboundContent, SendMessageRequest, Slug } from "../model";

/**
 * The batch's envelope, read before its items: a bad item is that item's error (the others are still
 * queued), while a bad envelope or shared content is the request's.
 */
const BatchEnvelope = z
  .object({
    account: Slug.optional(),
    messages: z.array(z.unknown()).min(1).max(MAX_BATCH_SIZE).optional(),
    content: z.unknown().optional(),
    recipients: z.array(z.unknown()).min(1).max(MAX_BATCH_SIZE).optional(),
  })
  .refine((b) => (b.messages === undefined) === (b.recipients !== undefined && b.content !== undefined), {
    message: "give either 'messages', or 'content' with 'recipients'",
  });

/** One item of a batch: a send to validate further, or why it cannot be one. */
export type BatchItem = { request: SendMessageRequest } | { problem: ProblemError };

/**
 * Fills a content's `{{1}}`, `{{2}}`... with one recipient's parameters: a template's body parameters, or
 * the placeholders of a text. Other contents take no parameters.
 */
export function withParameters(content: OutboundContent, parameters: readonly string[] | undefined): OutboundContent {
  if (parameters === undefined) return content;
  if (content.type === "template") return { ...content, parameters: [...parameters] };
  if (content.type !== "text") throw new ProblemError(422, "validation_failed", `'parameters' fill a template or a text; this content is ${content.type}.`);
  const text = content.text.replace(/\{\{(\d{1,3})\}\}/g, (placeholder, n: string) => {
    const value = parameters[Number(n) - 1];
    if (value === undefined) throw new ProblemError(422, "validation_failed", `The text has ${placeholder} but the recipient has ${parameters.length} parameter(s).`);
    return value;
  });
  return { ...content, text };
}

/** The batch's items in request order, each with its account (the item's own, else the batch's). */
export function batchItems(body: unknown): BatchItem[] {
  const envelope = BatchEnvelope.safeParse(body);
  if (!envelope.success) throw validationProblem(envelope.error);
  const { account, messages, recipients } = envelope.data;
  const itemProblem = (error: z.ZodError, what: string) => ({ problem: validationProblem(error, what) });
  if (messages) {
    return messages.map((raw, i) => {
      const parsed = SendMessageRequest.safeParse(raw);
      if (!parsed.success) return itemProblem(parsed.error, `messages[${i}]`);
      return { request: { ...parsed.data, account: parsed.data.account ?? account } };
    });
  }
  const content = OutboundContent.safeParse(envelope.data.content);
  if (!content.success) throw validationProblem(content.error, "batch's content");
  return recipients!.map((raw, i) => {
    const recipient = BatchRecipient.safeParse(raw);
    if (!recipient.success) return itemProblem(recipient.error, `recipients[${i}]`);
    try {
      const filled = OutboundContent.safeParse(withParameters(content.data, recipient.data.parameters));
      if (!filled.success) return itemProblem(filled.error, `content filled for recipients[${i}]`);
      const { to, reference } = recipient.data;
      return { request: { to, content: filled.data, ...(reference !== undefined && { reference }), ...(account !== undefined && { account }) } };
    } catch (e) {
      if (e instanceof ProblemError) return { problem: e };
      throw e;
    }
  });
}
