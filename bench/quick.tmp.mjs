import { spawn } from "node:child_process";
import autocannon from "autocannon";
const [,, url, path_] = process.argv;
const email = `b${Date.now()}@example.test`;
const r = await fetch(`${url}/api/auth/sign-up/email`, { method: "POST", headers: { "content-type": "application/json", origin: url }, body: JSON.stringify({ email, password: "correct-horse-battery-staple-9", name: "Bench" }) });
const { token } = await r.json();
const res = await autocannon({ url: `${url}${path_}`, headers: { authorization: `Bearer ${token}` }, connections: 10, duration: 4 });
console.log(path_, Math.round(res.requests.average), "req/s p50", res.latency.p50, "p99", res.latency.p99, "non2xx", res.non2xx);
