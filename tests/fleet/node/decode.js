// Decode Sparkplug B payloads with Eclipse Tahu's JavaScript library, independently of Lockpilot's codec.
// Input (stdin): a JSON list of base64 payloads. Output (stdout): a JSON list of decoded payloads, with
// 64-bit integers as numbers and the datatype names the library reports.
"use strict";
const sparkplug = require("sparkplug-payload").get("spBv1.0");

function plain(value) {
  if (value !== null && typeof value === "object" && typeof value.toNumber === "function") {
    return value.toNumber();
  }
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object" && !(value instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const payloads = JSON.parse(input).map((b64) => plain(sparkplug.decodePayload(Buffer.from(b64, "base64"))));
  process.stdout.write(JSON.stringify(payloads));
});
