// Proof of work for the signing form (ALTCHA, served from this site). Without JavaScript the
// form works all the same; with it, a solved puzzle lifts the stricter rate limit.
import "./vendor/altcha/altcha.min.js";

const worker = new URL("./vendor/altcha/workers/pbkdf2.js", import.meta.url);
globalThis.$altcha.algorithms.set("PBKDF2/SHA-256", () => new Worker(worker));
