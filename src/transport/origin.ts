import * as z from "zod";
import { platformFetch } from "./platform-fetch";

/** How long a call to an origin may take before it counts as a transient failure. */
export const DEFAULT_ORIGIN_TIMEOUT_MS = 15_000;

/**
 * How the relay reaches a self-hosted origin (the WhatsApp container) that sits behind Cloudflare Tunnel.
 * - `binding`: a Workers VPC service binding (a Fetcher) straight into the tunnel; nothing is public.
 * - `access`: a public hostname protected by Cloudflare Access; the relay presents a service token.
 * - `direct`: plain fetch to the origin, for the local sandbox and private test rigs.
 * @see https://developers.cloudflare.com/workers-vpc/
 * @see https://developers.cloudflare.com/cloudflare-one/identity/service-tokens/
 */
export const OriginTransport = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("binding"),
    /** Name of the Fetcher binding in wrangler.toml (e.g. a `vpc_services` entry). */
    binding: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
  }),
  z.object({
    type: z.literal("access"),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
  }),
  z.object({ type: z.literal("direct") }),
]);
export type OriginTransport = z.infer<typeof OriginTransport>;

export interface OriginConfig {
  /** Base URL of the origin, e.g. `https://wa.example.com` (for a binding: the Host the origin expects). */
  origin: string;
  transport: OriginTransport;
  timeoutMs?: number;
}

/** Sends a request to a path of an origin over its configured transport, with a timeout. */
export type OriginFetch = (path: string, init?: RequestInit) => Promise<Response>;

interface FetcherLike {
  fetch(input: Request): Promise<Response>;
}

function isFetcher(value: unknown): value is FetcherLike {
  return typeof value === "object" && value !== null && typeof (value as FetcherLike).fetch === "function";
}

/** Builds the fetch function for one origin. Throws when a binding named in config is missing. */
export function originFetch(config: OriginConfig, env: Record<string, unknown>): OriginFetch {
  const base = config.origin.replace(/\/+$/, "");
  const timeoutMs = config.timeoutMs ?? DEFAULT_ORIGIN_TIMEOUT_MS;
  const t = config.transport;
  let send: (req: Request) => Promise<Response> = (req) => platformFetch(req);
  if (t.type === "binding") {
    const binding = env[t.binding];
    if (!isFetcher(binding)) throw new Error(`binding ${t.binding} is not configured as a service binding`);
    send = (req) => binding.fetch(req);
  }
  return (path, init = {}) => {
    const headers = new Headers(init.headers);
    if (t.type === "access") {
      headers.set("CF-Access-Client-Id", t.clientId);
      headers.set("CF-Access-Client-Secret", t.clientSecret);
    }
    const signal = AbortSignal.timeout(timeoutMs);
    return send(new Request(base + path, { ...init, headers, signal }));
  };
}
