// One S7 client session against a server: read whole data blocks, write one bit, read the CPU's SZL.
// node s7_client.js '{"client": "nodes7" | "snap7", "port": 102, "dbs": {"10": 212}, "bit": {...}}'
// Prints one JSON line: {"dbs": {"10": "<hex>"}, "wrote": true, "szl": {...}} (szl: snap7 only).
"use strict";

const request = JSON.parse(process.argv[2]);

function done(result) {
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(0);
}

function fail(message) {
  process.stderr.write(String(message) + "\n");
  process.exit(1);
}

function withNodeS7() {
  const NodeS7 = require("nodes7");
  const conn = new NodeS7({ silent: true });
  const names = {};
  for (const [db, size] of Object.entries(request.dbs)) names[`DB${db}`] = `DB${db},BYTE0.${size}`;
  const bit = request.bit;
  names.BIT = `DB${bit.db},X${bit.byte}.${bit.bit}`;
  conn.initiateConnection({ host: "127.0.0.1", port: request.port, rack: 0, slot: 1, timeout: 5000 }, (err) => {
    if (err !== undefined) return fail(`connect: ${err}`);
    conn.setTranslationCB((tag) => names[tag]);
    conn.addItems(Object.keys(request.dbs).map((db) => `DB${db}`));
    conn.readAllItems((bad, values) => {
      if (bad) return fail("read: a value came back bad");
      const dbs = {};
      for (const db of Object.keys(request.dbs)) dbs[db] = Buffer.from(values[`DB${db}`]).toString("hex");
      conn.writeItems("BIT", bit.value, (writeBad) => {
        if (writeBad) return fail("write: the bit write came back bad");
        conn.dropConnection(() => done({ dbs, wrote: true }));
      });
    });
  });
}

function withSnap7() {
  const snap7 = require("node-snap7");
  const client = new snap7.S7Client();
  client.SetParam(client.RemotePort, request.port);
  if (!client.ConnectTo("127.0.0.1", 0, 1)) return fail(`connect: ${client.ErrorText(client.LastError())}`);
  const dbs = {};
  for (const [db, size] of Object.entries(request.dbs)) {
    const buf = client.DBRead(Number(db), 0, size);
    if (!buf) return fail(`DB${db}: ${client.ErrorText(client.LastError())}`);
    dbs[db] = buf.toString("hex");
  }
  const bit = request.bit;
  const start = bit.byte * 8 + bit.bit;
  const wrote = client.WriteArea(client.S7AreaDB, bit.db, start, 1, client.S7WLBit, Buffer.from([bit.value ? 1 : 0]));
  if (!wrote) return fail(`write: ${client.ErrorText(client.LastError())}`);
  const szl = {
    cpu_info: client.GetCpuInfo(),
    order_code: client.GetOrderCode(),
    cp_info: client.GetCpInfo(),
    plc_status: client.PlcStatus(),
    protection: client.GetProtection(),
    szl_list: client.ReadSZLList(),
  };
  for (const [name, value] of Object.entries(szl)) {
    if (value === false) return fail(`${name}: ${client.ErrorText(client.LastError())}`);
  }
  szl.missing_szl = client.ReadSZL(0x0f99, 0) === false ? client.ErrorText(client.LastError()) : "answered";
  client.Disconnect();
  done({ dbs, wrote: true, szl, pdu_bytes: client.PDULength() });
}

if (request.client === "nodes7") withNodeS7();
else if (request.client === "snap7") withSnap7();
else fail(`unknown client ${request.client}`);
