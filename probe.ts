import { newUser, startAuthServer } from "./src/auth-server/src/testing.js";

const auth = await startAuthServer({ REQUIRE_EMAIL_VERIFICATION: "true", ADMIN_EMAILS: "boss@x.test" });
const post = (body: unknown) =>
  fetch(`${auth.url}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: auth.url },
    body: JSON.stringify(body),
  });
const u = newUser("a");
const r1 = await post(u);
console.log(r1.status, [...r1.headers.keys()], await r1.text());
const r2 = await post({ ...u, password: u.password + "x" });
console.log(r2.status, [...r2.headers.keys()], await r2.text());
const r3 = await post({ ...newUser("b"), email: "boss@x.test" });
console.log(r3.status, await r3.text());
const res = await fetch(`${auth.url}/api/auth/reset-password/abcdefTOKEN?callbackURL=/x`, { redirect: "manual" });
console.log(res.status);
console.log(auth.logs.filter((l) => l.includes('"request"')).slice(-2));
await auth.close();
