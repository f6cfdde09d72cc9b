import { UnreachableError } from "./errors";

/**
 * Whether a host is on the public internet. The relay fetches URLs that clients and platforms hand it
 * (media, business endpoints); none of them may reach the relay's own network, the cloud's metadata
 * service or a service on loopback. An address is public only when no IANA special-purpose registry
 * entry claims it; a name is public only when it is not a local name and every address it resolves to is.
 * @see https://www.iana.org/assignments/iana-ipv4-special-registry/
 * @see https://www.iana.org/assignments/iana-ipv6-special-registry/
 * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md#server-side-request-forgery-ssrf
 */

/** Names that only ever mean something inside a network. */
const LOCAL_NAMES = /(^|\.)(localhost|local|internal|intranet|lan|home\.arpa|corp|localdomain|arpa)$/i;

/** IPv4 blocks that are not public: [first octets..., prefix length]. */
const SPECIAL_V4: readonly [number, number][] = [
  [0x00000000, 8], // "this network"
  [0x0a000000, 8], // private
  [0x64400000, 10], // carrier-grade NAT
  [0x7f000000, 8], // loopback
  [0xa9fe0000, 16], // link-local, cloud metadata (169.254.169.254)
  [0xac100000, 12], // private
  [0xc0000000, 24], // IETF protocol assignments
  [0xc0000200, 24], // documentation (TEST-NET-1)
  [0xc0586300, 24], // 6to4 relay anycast
  [0xc0a80000, 16], // private
  [0xc6120000, 15], // benchmarking
  [0xc6336400, 24], // documentation (TEST-NET-2)
  [0xcb007100, 24], // documentation (TEST-NET-3)
  [0xe0000000, 3], // multicast, reserved, broadcast (224.0.0.0 and up)
];

/** A dotted-quad IPv4 address as a 32-bit number, or null. */
export function parseIpv4(text: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return null;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return null;
  return octets.reduce((n, o) => n * 256 + o, 0);
}

function publicIpv4(n: number): boolean {
  return !SPECIAL_V4.some(([base, bits]) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits)));
}

/** An IPv6 address (any textual form, with or without brackets) as eight 16-bit groups, or null. */
export function parseIpv6(text: string): number[] | null {
  let h = text.replace(/^\[|\]$/g, "").toLowerCase();
  if (h.includes("%")) return null; // a zone id is always local
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  if (tail) {
    const v4 = parseIpv4(tail[1]!);
    if (v4 === null) return null;
    h = `${h.slice(0, -tail[1]!.length)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = h.split("::");
  if (halves.length > 2) return null;
  const part = (s: string) => (s === "" ? [] : s.split(":"));
  const head = part(halves[0]!);
  const rest = halves.length === 2 ? part(halves[1]!) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [...head, ...Array<string>(missing).fill("0"), ...rest];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return groups.map((g) => parseInt(g, 16));
}

const v4Of = (hi: number, lo: number) => hi * 0x10000 + lo;

function publicIpv6(g: number[]): boolean {
  const [a, b] = g as [number, number];
  // NAT64 (64:ff9b::/96) carries an IPv4 address that decides.
  if (a === 0x64 && b === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return publicIpv4(v4Of(g[6]!, g[7]!));
  // Only global unicast (2000::/3) is public; that excludes ::, ::1, mapped and compatible IPv4,
  // unique local (fc00::/7), link-local (fe80::/10), multicast (ff00::/8) and discard (100::/64).
  if (a < 0x2000 || a > 0x3fff) return false;
  if (a === 0x2001 && b < 0x200) return false; // IETF protocol assignments, Teredo, benchmarking, ORCHID
  if (a === 0x2001 && b === 0xdb8) return false; // documentation
  if (a === 0x3fff && b < 0x1000) return false; // documentation (3fff::/20)
  if (a === 0x2002) return publicIpv4(v4Of(b, g[2]!)); // 6to4 embeds the IPv4 address
  return true;
}

/** Why an IP address literal (IPv4, or IPv6 with or without brackets) is not public; null if it is. */
export function addressProblem(address: string): string | null {
  const v4 = parseIpv4(address);
  if (v4 !== null) return publicIpv4(v4) ? null : `${address} is not a public address`;
  const v6 = parseIpv6(address);
  if (v6) return publicIpv6(v6) ? null : `${address} is not a public address`;
  return address.includes(":") ? `${address} is not an address` : null;
}

/** Whether a literal or a name denotes this machine (allowed in the local sandbox only). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/\.$/, "").toLowerCase();
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  const v4 = parseIpv4(h);
  if (v4 !== null) return v4 >>> 24 === 127;
  const v6 = parseIpv6(h);
  return !!v6 && v6.slice(0, 7).every((x) => x === 0) && v6[7] === 1;
}

/** Why a host (a name or an address literal, as `URL.hostname` gives it) is never public; null if it may be. */
export function hostProblem(host: string): string | null {
  const h = host.replace(/\.$/, ""); // "localhost." is localhost
  if (parseIpv4(h) !== null || h.includes(":")) return addressProblem(h);
  if (h === "" || LOCAL_NAMES.test(h) || !h.includes(".")) return `${host} is a local name`;
  return null;
}

const resolved = new Map<string, { problem: string | null; until: number }>();
const RESOLUTION_CACHE_MS = 5 * 60_000;
const RESOLUTION_CACHE_MAX = 10_000;
const DNS_TIMEOUT_MS = 5000;

/** The resolver could not answer: the caller retries later rather than fetch blind. */
export class DnsUnavailableError extends UnreachableError {
  override name = "DnsUnavailableError";
}

/**
 * Resolves a host name with DNS over HTTPS (A and AAAA) and says why it is not public, or null. Cached for
 * five minutes. Throws DnsUnavailableError when the resolver cannot answer.
 * @see https://developers.cloudflare.com/1.1.1.1/encryption/dns-over-https/make-api-requests/dns-json/
 */
export async function resolvedHostProblem(host: string, resolverUrl: string, now = Date.now()): Promise<string | null> {
  const literal = hostProblem(host);
  const name = host.replace(/\.$/, "").toLowerCase();
  if (literal || parseIpv4(name) !== null || name.includes(":")) return literal;
  const cached = resolved.get(name);
  if (cached && cached.until > now) return cached.problem;
  const addresses: string[] = [];
  for (const type of ["A", "AAAA"]) {
    const url = new URL(resolverUrl);
    url.searchParams.set("name", name);
    url.searchParams.set("type", type);
    let body: { Answer?: unknown };
    try {
      const res = await fetch(url, { headers: { accept: "application/dns-json" }, signal: AbortSignal.timeout(DNS_TIMEOUT_MS) });
      if (!res.ok) throw new Error(`answered ${res.status}`);
      body = (await res.json()) as { Answer?: unknown };
    } catch (e) {
      throw new DnsUnavailableError(`the DNS resolver could not resolve ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const answers = Array.isArray(body.Answer) ? (body.Answer as { type?: unknown; data?: unknown }[]) : [];
    for (const a of answers) if ((a.type === 1 || a.type === 28) && typeof a.data === "string") addresses.push(a.data);
  }
  const unsafe = addresses.find((a) => addressProblem(a) !== null);
  const problem = addresses.length === 0 ? `${name} does not resolve` : unsafe ? `${name} resolves to ${unsafe}, not a public address` : null;
  if (resolved.size >= RESOLUTION_CACHE_MAX) resolved.clear();
  resolved.set(name, { problem, until: now + RESOLUTION_CACHE_MS });
  return problem;
}
