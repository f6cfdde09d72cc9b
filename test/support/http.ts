import { inject } from "vitest";
import { TEST_KEYS } from "./constants";

/** Calls the relay running as a real HTTP server on loopback. */
export function relay(path: string, init: RequestInit & { key?: string | null } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const key = init.key === undefined ? TEST_KEYS.acme : init.key;
  if (key !== null && !headers.has("authorization")) headers.set("authorization", `Bearer ${key}`);
  if (init.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  return fetch(inject("relayUrl") + path, { ...init, headers });
}

/** Calls a sandbox server's control API: the container, the backend, or a channel's fake platform. */
export async function control<T = unknown>(server: "containerUrl" | "backendUrl" | { platform: string }, path: string, body?: unknown): Promise<T> {
  const base = typeof server === "string" ? inject(server) : inject("platformUrls")[server.platform];
  if (!base) throw new Error(`no fake platform for ${JSON.stringify(server)}`);
  const res = await fetch(base + path, {
    method: body === undefined ? "GET" : "POST",
    ...(body !== undefined && { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });
  if (!res.ok) throw new Error(`${JSON.stringify(server)} ${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** Calls the control API of a channel's fake platform (sandbox/fake-<channel>.js). */
export function platform<T = unknown>(channel: string, path: string, body?: unknown): Promise<T> {
  return control<T>({ platform: channel }, path, body);
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000, what = "condition"): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A fresh customer number per test, so tests never share a conversation. */
export function newPeer(): string {
  return `49${Math.floor(1e9 + Math.random() * 9e9)}`;
}
