import type { ParseResult } from "../types";
import { parseWhatsAppValue } from "../whatsapp/inbound";

/** Parses one On-Premises webhook body. */
export function parseOnPremWebhook(body: Uint8Array): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return { events: [], problems: ["body is not JSON"] };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { events: [], problems: ["body is not a JSON object"] };
  return parseWhatsAppValue(value as Record<string, unknown>);
}
