/**
 * Types of sandbox/fake-whatsapp-cloud.js for the Worker-side TypeScript config (which does not read
 * JS): test/support/fake-platforms.ts is type-checked there too. Tests also use these shapes for
 * `GET /_sandbox/state`.
 */
export declare const SANDBOX_CLOUD: {
  accessToken: string;
  appSecret: string;
  phoneNumberId: string;
  wabaId: string;
  displayPhoneNumber: string;
};

export interface FakeCloudRequest {
  method: string;
  /** With the query string. */
  path: string;
  headers: { authorization?: string; "content-type"?: string };
  /** The parsed JSON body, if it had one. */
  body: unknown;
}

export interface FakeCloudState {
  requests: FakeCloudRequest[];
  /** The sends it accepted. */
  messages: { id: string; to?: string; recipient?: string; type: string }[];
  /** The read receipts (and typing indicators) it accepted. */
  reads: { id: string; typing: boolean }[];
  webhooks: { body: unknown; status: number | "error" }[];
  webhookUrl: string | null;
}

export declare function startFakeWhatsAppCloud(options?: {
  host?: string;
  port?: number;
  quiet?: boolean;
  accessToken?: string;
  appSecret?: string;
  phoneNumberId?: string;
  statusDelayMs?: number;
}): Promise<{ url: string; port: number; state: FakeCloudState; close(): Promise<void> }>;
