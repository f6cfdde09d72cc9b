/**
 * Starts, on loopback, everything the relay talks to over a network: the sandbox WhatsApp container
 * (behind a stand-in for Cloudflare Access), the business backend, an Access team's key server, and the
 * relay itself on workerd as a real HTTP server. Tests reach them by the URLs provided here.
 */
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import type { TestProject } from "vitest/node";
import { startBackend } from "../sandbox/business-backend.js";
import { startContainer } from "../sandbox/whatsapp-container.js";
import { ACCESS, ACCESS_AUDIENCE, ADMIN_KEY, CONTAINER_LOGIN, ENDPOINT_SECRET, relayConfig, WEBHOOK_SECRET } from "./support/fixtures-config";
import { FAKE_PLATFORMS } from "./support/fake-platforms";
import { buildRelay, startRelay } from "./support/relay-server";
import { testNetwork } from "./support/test-network";

/**
 * A DNS-over-HTTPS (JSON) stand-in with a fixed zone, for the endpoint-safety checks: names under
 * `private.test` resolve to private addresses, `public.test` to a public one, anything else to nothing.
 */
function dnsAnswer(url: URL) {
  const name = url.searchParams.get("name") ?? "";
  const aaaa = url.searchParams.get("type") === "AAAA";
  const zone: Record<string, [string, string]> = {
    "public.test": ["93.184.216.34", "2606:2800:220:1::248"],
    // Served by the test network as the public internet, but for the names that resolve inside.
    "internal.example.com": ["10.0.0.7", "fd00::7"],
    "metadata.example.com": ["169.254.169.254", "2606:2800:220:1::248"],
    "private.test": ["10.1.2.3", "fd00::1"],
    "metadata.test": ["169.254.169.254", "2606:2800:220:1::248"],
  };
  const hit = zone[name] ?? (/(^|\.)example\.com$/.test(name) ? zone["public.test"] : undefined);
  return { Status: hit ? 0 : 3, Answer: hit ? [{ name, type: aaaa ? 28 : 1, TTL: 60, data: hit[aaaa ? 1 : 0] }] : [] };
}

/** A Cloudflare Access team: serves its public keys and signs the assertions Access would add. */
async function startAccessTeam() {
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "test-key", alg: "RS256", use: "sig" };
  const server = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/dns-query") return res.end(JSON.stringify(dnsAnswer(url)));
    res.end(url.pathname === "/cdn-cgi/access/certs" ? JSON.stringify({ keys: [jwk] }) : "{}");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sign = (audience: string) =>
    new SignJWT({ type: "app" })
      .setProtectedHeader({ alg: "RS256", kid: "test-key" })
      .setIssuer(url)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime("2h")
      .sign(privateKey);
  /** A client's access token from the same key set: the relay's JWKS-verified JWT path uses it. */
  const signClient = (claims: Record<string, unknown>) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: "test-key" })
      .setIssuer(url)
      .setIssuedAt()
      .setExpirationTime("2h")
      .sign(privateKey);
  return { url, sign, signClient, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export default async function setup(project: TestProject) {
  const quiet = !process.env.SANDBOX_VERBOSE;
  const [container, poolContainer, backend, access, scriptPath] = await Promise.all([
    startContainer({ ...CONTAINER_LOGIN, access: ACCESS, statusDelayMs: 50, quiet }),
    // The in-test Worker (SELF) gets a container of its own, so its sends never disturb e2e counts.
    startContainer({ ...CONTAINER_LOGIN, access: ACCESS, statuses: [], quiet }),
    startBackend({ secret: ENDPOINT_SECRET, quiet }),
    startAccessTeam(),
    buildRelay(),
  ]);
  const fakes = await Promise.all(Object.entries(FAKE_PLATFORMS).map(async ([channel, start]) => [channel, await start({ quiet })] as const));
  const platformUrls = Object.fromEntries(fakes.map(([channel, fake]) => [channel, fake.url]));
  const config = relayConfig({ containerUrl: container.url, backendUrl: backend.url, accessTeamUrl: access.url, platformUrls });
  const relay = await startRelay({ scriptPath, config, retryTimeScale: "0.01", outbound: testNetwork });
  // The container calls the relay like a real one: the account's webhook URL with its secret.
  await fetch(`${container.url}/_sandbox/reset`, { method: "POST" });
  container.state.webhookUrl = `${relay.url}/webhooks/whatsapp/wa-acme?secret=${WEBHOOK_SECRET}`;

  const poolConfig = relayConfig({ containerUrl: poolContainer.url, backendUrl: backend.url, accessTeamUrl: access.url, platformUrls });
  project.provide("relayConfig", JSON.stringify(poolConfig));
  project.provide("adminKeys", createHash("sha256").update(ADMIN_KEY).digest("hex"));
  project.provide("relayUrl", relay.url);
  project.provide("containerUrl", container.url);
  project.provide("backendUrl", backend.url);
  project.provide("platformUrls", platformUrls);
  project.provide("dnsResolverUrl", `${access.url}/dns-query`);
  project.provide("jwksUrl", `${access.url}/cdn-cgi/access/certs`);
  project.provide("jwksClientToken", await access.signClient({ sub: "acme", scope: "messages:send" }));
  project.provide("accessAssertion", await access.sign(ACCESS_AUDIENCE));
  project.provide("accessAssertionWrongAudience", await access.sign("another-app"));

  return async () => {
    await relay.close();
    await Promise.all([container.close(), poolContainer.close(), backend.close(), access.close(), ...fakes.map(([, f]) => f.close())]);
  };
}
