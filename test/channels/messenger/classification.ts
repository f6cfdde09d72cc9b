import type { ChannelKit } from "../kit";

const graphError = (code: number, message: string, subcode?: number, type = "OAuthException") =>
  JSON.stringify({ error: { message, type, code, ...(subcode !== undefined && { error_subcode: subcode }), fbtrace_id: "AbCdEfGh123" } });

/**
 * Send API answers and how the relay reads them. Codes and subcodes as Meta documents them (reference §3.5):
 * @see https://developers.facebook.com/docs/messenger-platform/reference/send-api/error-codes
 * @see https://developers.facebook.com/docs/graph-api/overview/rate-limiting#buc-rate-limits
 */
export const MESSENGER_CLASSIFICATION: ChannelKit["classification"] = [
  {
    name: "accepted with a message id",
    status: 200,
    body: JSON.stringify({ recipient_id: "1254459154682919", message_id: "m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM" }),
    expect: { kind: "ok" },
  },
  {
    name: "rate limited (#613), the wait given in the business-use-case header (minutes)",
    status: 400,
    headers: {
      "x-business-use-case-usage": JSON.stringify({
        "1234567890": [{ type: "messenger", call_count: 100, total_cputime: 20, total_time: 25, estimated_time_to_regain_access: 5 }],
      }),
    },
    body: graphError(613, "Calls to this api have exceeded the rate limit."),
    expect: { kind: "retry", afterSeconds: 300 },
  },
  {
    name: "Page throttled (#32) with Retry-After",
    status: 429,
    headers: { "retry-after": "120" },
    body: graphError(32, "Page request limit reached"),
    expect: { kind: "retry", afterSeconds: 120 },
  },
  {
    name: "outside the 24-hour window (10/2018278)",
    status: 400,
    body: graphError(10, "(#10) This message is sent outside of allowed window.", 2018278),
    expect: { kind: "failed", reason: "window_closed" },
  },
  {
    name: "the person blocked the Page or left (551/1545041)",
    status: 400,
    body: graphError(551, "This person isn't available right now.", 1545041),
    expect: { kind: "failed", reason: "recipient_blocked" },
  },
  {
    name: "no such PSID (100/2018001)",
    status: 400,
    body: graphError(100, "(#100) No matching user found", 2018001),
    expect: { kind: "failed", reason: "recipient_invalid" },
  },
  {
    name: "expired Page access token (#190)",
    status: 400,
    body: graphError(190, "Error validating access token: Session has expired.", 463),
    expect: { kind: "failed", reason: "auth_failed" },
  },
  {
    name: "temporary send failure (#1200)",
    status: 500,
    body: graphError(1200, "Temporary send message failure. Please try again later", undefined, "FacebookApiException"),
    expect: { kind: "retry" },
  },
  {
    name: "an HTML error page from a proxy",
    status: 502,
    body: "<html><body>Bad Gateway</body></html>",
    expect: { kind: "retry" },
  },
];
