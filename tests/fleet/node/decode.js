// Decode Sparkplug B payloads with Eclipse Tahu's JavaScript library, independently of Lockpilot's codec.
// Input (stdin): {"birth": base64, "data": [base64, ...]}. DATA metrics carry aliases and no datatype
// (Sparkplug 3.0), so, as a host does, their datatypes are taken from the birth by alias before the
// library reads their values. Output (stdout): {"birth": decoded, "data": [decoded, ...]}, 64-bit
// integers as numbers.
"use strict";
const sparkplug = require("sparkplug-payload").get("spBv1.0");
const Proto = require("sparkplug-payload/lib/sparkplugPayloadProto").org.eclipse.tahu.protobuf.Payload;

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

function withBirthTypes(raw, typesByAlias) {
  const message = Proto.decode(raw);
  for (const metric of message.metrics) {
    const alias = metric.alias !== null && metric.alias !== undefined ? Number(metric.alias) : null;
    if (!metric.datatype && alias !== null && typesByAlias.has(alias)) metric.datatype = typesByAlias.get(alias);
  }
  return Proto.encode(message).finish();
}

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const request = JSON.parse(input);
  const birthRaw = Buffer.from(request.birth, "base64");
  const typesByAlias = new Map();
  for (const metric of Proto.decode(birthRaw).metrics) {
    if (metric.alias !== null && metric.alias !== undefined) typesByAlias.set(Number(metric.alias), metric.datatype);
  }
  const data = request.data.map((b64) =>
    plain(sparkplug.decodePayload(withBirthTypes(Buffer.from(b64, "base64"), typesByAlias))),
  );
  process.stdout.write(JSON.stringify({ birth: plain(sparkplug.decodePayload(birthRaw)), data }));
});
