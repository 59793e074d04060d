// tuyapi against a Tuya device: connect, get every data point, set one, get again (default timeouts).
// node tuya_client.js '{"id": "...", "key": "...", "port": 6668, "version": "3.3", "dp": "1", "value": false}'
// Prints {"before": {...}, "set": {...}, "after": {...}, "set_ms": 12}.
"use strict";

const TuyAPI = require("tuyapi");
const request = JSON.parse(process.argv[2]);

async function main() {
  const device = new TuyAPI({
    id: request.id,
    key: request.key,
    ip: "127.0.0.1",
    port: request.port,
    version: request.version,
    issueGetOnConnect: false,
  });
  const errors = [];
  device.on("error", (error) => errors.push(String(error)));
  await device.connect();
  const before = await device.get({ schema: true });
  const started = Date.now();
  const set = await device.set({ dps: request.dp, set: request.value });
  const setMs = Date.now() - started;
  const after = await device.get({ schema: true });
  device.disconnect();
  return { before, set, after, set_ms: setMs, errors };
}

main().then(
  (result) => {
    process.stdout.write(JSON.stringify(result) + "\n");
    process.exit(0);
  },
  (error) => {
    process.stderr.write(`tuyapi: ${error && error.stack ? error.stack : error}\n`);
    process.exit(1);
  },
);
