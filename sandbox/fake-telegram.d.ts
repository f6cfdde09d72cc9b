/**
 * Types of sandbox/fake-telegram.js for the Worker-side TypeScript config (which does not read JS):
 * test/support/fake-platforms.ts is type-checked there too. Tests also use these shapes for
 * `GET /_sandbox/state`.
 */
export declare const DEFAULT_BOT_TOKEN: string;

export interface FakeTelegramRequest {
  method: string;
  /** With the token replaced by `<token>` (or `<wrong-token>`). */
  path: string;
  /** The Bot API method, or `file` for downloads. */
  apiMethod: string;
  headers: Record<string, string | undefined>;
  body: Record<string, unknown>;
  /** The HTTP status answered (0 while pending). */
  status: number;
  at: string;
}

export interface FakeTelegramWebhook {
  url: string;
  secretToken: string | null;
  allowedUpdates: string[];
}

export interface FakeTelegramState {
  requests: FakeTelegramRequest[];
  webhook: FakeTelegramWebhook | null;
  faults: unknown[];
}

export declare function startFakeTelegram(options?: {
  host?: string;
  port?: number;
  token?: string;
  quiet?: boolean;
}): Promise<{ url: string; port: number; state: FakeTelegramState; close(): Promise<void> }>;
