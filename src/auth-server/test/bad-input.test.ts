/** Bad input to the auth endpoints is a 4xx with a reason, never a 5xx. */
import http from "node:http";
import { newUser } from "@authbridge/harness";
import { useAuthServer } from "@authbridge/harness/vitest";
import { describe, expect, it } from "vitest";

describe("bad input", () => {
  const running = useAuthServer({ RATE_LIMIT_SIGN_IN_MAX: "1000" });

  const post = (path: string, body: string, contentType = "application/json") =>
    fetch(`${running.url}${path}`, {
      method: "POST",
      headers: { "content-type": contentType, origin: running.url },
      body,
    });

  const cases: [string, string, string][] = [
    ["malformed JSON", "/api/auth/sign-up/email", '{"email": "a@b.c", "password": '],
    ["a JSON array", "/api/auth/sign-up/email", "[1,2,3]"],
    ["missing fields", "/api/auth/sign-up/email", JSON.stringify({ email: "x@example.test" })],
    ["a non-email", "/api/auth/sign-up/email", JSON.stringify({ email: "nope", password: "x".repeat(20), name: "n" })],
    [
      "a too-short password",
      "/api/auth/sign-up/email",
      JSON.stringify({ ...newUser("short"), password: "elevenchars" }),
    ],
    [
      "an over-long password",
      "/api/auth/sign-up/email",
      JSON.stringify({ ...newUser("long"), password: "p".repeat(129) }),
    ],
    ["wrong types", "/api/auth/sign-in/email", JSON.stringify({ email: 42, password: ["x"] })],
    [
      "an over-long sign-in password",
      "/api/auth/sign-in/email",
      JSON.stringify({ email: "a@b.co", password: "p".repeat(10_000) }),
    ],
  ];

  it.each(cases)("answers 4xx, never 5xx, to %s", async (_name, path, body) => {
    const res = await post(path, body);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it("refuses a 1 MB body with 413 without reading it", async () => {
    const { status } = await postRaw(
      `${running.url}/api/auth/sign-up/email`,
      JSON.stringify({ ...newUser("big"), name: "n".repeat(1024 * 1024) }),
    );
    expect(status).toBe(413);
  });

  it("closes the connection after a 413, so a keep-alive client's next request succeeds", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const url = `${running.url}/api/auth/sign-up/email`;
    const big = await postRaw(url, JSON.stringify({ ...newUser("keepalive"), name: "n".repeat(200_000) }), agent);
    expect(big).toEqual({ status: 413, connection: "close" });
    const next = await postRaw(url, JSON.stringify(newUser("after-413")), agent);
    expect(next.status).toBe(200);
    agent.destroy();
  });

  it("keeps a registered user usable after bad requests", async () => {
    const user = newUser("survivor");
    expect((await post("/api/auth/sign-up/email", JSON.stringify(user))).status).toBe(200);
    expect(
      (await post("/api/auth/sign-up/email", JSON.stringify({ ...user, password: "another-password-1" }))).status,
    ).toBe(422);
    const signIn = await post(
      "/api/auth/sign-in/email",
      JSON.stringify({ email: user.email, password: user.password }),
    );
    expect(signIn.status).toBe(200);
  });
});

/**
 * A JSON POST over node:http (optionally through a keep-alive `agent`): the server may answer
 * before the upload ends, which `fetch` reports as a socket error and node:http does not.
 */
function postRaw(url: string, body: string, agent?: http.Agent): Promise<{ status: number; connection?: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const headers = {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      origin: target.origin,
    };
    const req = http.request(target, { method: "POST", agent, headers }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
    });
    req.on("error", (error) => reject(error));
    req.end(body);
  });
}
