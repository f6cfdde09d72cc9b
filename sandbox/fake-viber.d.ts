/**
 * Types of sandbox/fake-viber.js for the Worker-side TypeScript config (which does not read JS):
 * test/support/fake-platforms.ts is type-checked there too.
 */
export declare const FAKE_VIBER_AUTH_TOKEN: string;

export interface FakeViberRequest {
  method: string;
  path: string;
  headers: { "x-viber-auth-token"?: string; "content-type"?: string };
  /** The parsed JSON body, or null. */
  body: unknown;
  /** What the fake answered; `token` is the exact message_token of an accepted message. */
  answer?: { http: number; body?: unknown; token?: string };
}

export interface FakeViberState {
  requests: FakeViberRequest[];
  webhookUrl: string | null;
  callbacks: { event: string; body: string; status: number | "error"; attempt: number }[];
  faults: unknown[];
}

export declare function startFakeViber(options?: {
  host?: string;
  port?: number;
  quiet?: boolean;
  authToken?: string;
  statusDelayMs?: number;
}): Promise<{ url: string; port: number; state: FakeViberState; close(): Promise<void> }>;
