/**
 * Types of sandbox/fake-apple.js for the Worker-side TypeScript config (which does not read JS):
 * test/support/fake-platforms.ts is type-checked there too. Tests also use these shapes for
 * `GET /_sandbox/state` and the control routes.
 */
export declare const DEFAULT_MSP_ID: string;
export declare const DEFAULT_MSP_SECRET: string;
export declare const DEFAULT_BUSINESS_ID: string;

export interface FakeAppleRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** Parsed JSON, `{bytes: n}` for binary uploads, or undefined. */
  body: unknown;
}

export interface FakeAppleMessage {
  id: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  /** Each attachment decrypted with the message's key: sha256 (hex) of the plain file. */
  attachments: { name: string; mimeType: string; size: number; sha256: string }[];
}

export interface FakeAppleState {
  requests: FakeAppleRequest[];
  messages: FakeAppleMessage[];
}

/** What `POST /_sandbox/attachments` answers: an attachment as Apple puts it in an inbound message. */
export interface FakeAppleInboundAttachment {
  name: string;
  mimeType: string;
  size: number;
  key: string;
  url: string;
  owner: string;
  signature: string;
}

export declare function startFakeApple(options?: {
  host?: string;
  port?: number;
  quiet?: boolean;
  mspId?: string;
  mspSecret?: string;
  businessId?: string;
}): Promise<{ url: string; port: number; state: FakeAppleState; close(): Promise<void> }>;
