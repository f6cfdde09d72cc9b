/**
 * Business endpoints are URLs the relay POSTs to on a tenant's behalf: they must never reach the
 * relay's own network. An endpoint must be https and must not be, or resolve to, a private, loopback,
 * link-local or otherwise non-public address.
 * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md#server-side-request-forgery-ssrf
 */

/** Names that only ever mean something inside a network. */
const LOCAL_NAMES = /(^|\.)(localhost|local|internal|intranet|lan|home\.arpa|corp)$/i;

function ipv4(host: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts : null;
}

function privateIpv4([a, b]: number[]): boolean {
  return (
    a === 0 || a === 10 || a === 127 || a! >= 224 || // this network, private, loopback, multicast & reserved
    (a === 100 && b! >= 64 && b! <= 127) || // carrier-grade NAT
    (a === 169 && b === 254) || // link-local, cloud metadata
    (a === 172 && b! >= 16 && b! <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0) || // IETF protocol assignments
    (a === 198 && (b === 18 || b === 19)) // benchmarking
  );
}

function privateIpv6(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  if (h === "::" || h === "::1") return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  if (mapped) return privateIpv4(ipv4(mapped[1]!)!);
  return /^(fc|fd|fe[89ab]|ff)/.test(h); // unique local, link-local, multicast
}

/** Why an address (IPv4 or IPv6 literal) is not a public one, or null if it is public. */
export function addressProblem(address: string): string | null {
  const v4 = ipv4(address);
  if (v4) return privateIpv4(v4) ? `${address} is not a public address` : null;
  if (address.includes(":")) return privateIpv6(address) ? `${address} is not a public address` : null;
  return null;
}

/** Why a URL's host can never be a business endpoint (checked when configuration loads), or null. */
export function hostProblem(host: string): string | null {
  if (LOCAL_NAMES.test(host) || !host.includes(".") && !host.includes(":")) return `${host} is a local name`;
  return addressProblem(host);
}

const resolved = new Map<string, { problem: string | null; until: number }>();
const RESOLUTION_CACHE_MS = 5 * 60_000;

/**
 * Resolves a host name with DNS over HTTPS (A and AAAA) and says why it is unsafe, or null. Cached for
 * five minutes. Throws when the resolver cannot answer: the delivery is then retried, not sent blind.
 * @see https://developers.cloudflare.com/1.1.1.1/encryption/dns-over-https/make-api-requests/dns-json/
 */
export async function resolvedHostProblem(host: string, resolverUrl: string, now = Date.now()): Promise<string | null> {
  const literal = hostProblem(host);
  if (literal || ipv4(host) || host.includes(":")) return literal;
  const cached = resolved.get(host);
  if (cached && cached.until > now) return cached.problem;
  const addresses: string[] = [];
  for (const type of ["A", "AAAA"]) {
    const url = new URL(resolverUrl);
    url.searchParams.set("name", host);
    url.searchParams.set("type", type);
    const res = await fetch(url, { headers: { accept: "application/dns-json" }, signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`DNS resolver answered ${res.status}`);
    const body = (await res.json()) as { Answer?: { type: number; data: string }[] };
    addresses.push(...(body.Answer ?? []).filter((a) => a.type === 1 || a.type === 28).map((a) => a.data));
  }
  const unsafe = addresses.find((a) => addressProblem(a) !== null);
  const problem =
    addresses.length === 0 ? `${host} does not resolve` : unsafe ? `${host} resolves to ${unsafe}, not a public address` : null;
  resolved.set(host, { problem, until: now + RESOLUTION_CACHE_MS });
  return problem;
}
