// C++ snap7's S7Server with given data blocks: a second S7 server implementation for the collector.
// node s7_server.js '{"port": 102, "dbs": {"10": "<hex>"}}'
// Prints {"ready": true} once listening, serves until stdin closes, then prints the blocks as they are.
"use strict";

const snap7 = require("node-snap7");
const request = JSON.parse(process.argv[2]);
const server = new snap7.S7Server();
const blocks = {};

server.SetParam(server.LocalPort, request.port);
for (const [db, hex] of Object.entries(request.dbs)) {
  blocks[db] = Buffer.from(hex, "hex");
  if (!server.RegisterArea(server.srvAreaDB, Number(db), blocks[db])) {
    process.stderr.write(`cannot register DB${db}\n`);
    process.exit(1);
  }
}
if (server.StartTo("127.0.0.1") === false) {
  process.stderr.write(`cannot listen on ${request.port}: ${server.ErrorText(server.LastError())}\n`);
  process.exit(1);
}
process.stdout.write(JSON.stringify({ ready: true }) + "\n");
process.stdin.resume();
process.stdin.on("end", () => {
  const dbs = {};
  for (const db of Object.keys(blocks)) dbs[db] = server.GetArea(server.srvAreaDB, Number(db)).toString("hex");
  server.Stop();
  process.stdout.write(JSON.stringify({ dbs }) + "\n");
  process.exit(0);
});
