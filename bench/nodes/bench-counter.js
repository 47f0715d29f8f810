'use strict';
// A plain-JavaScript counting node for the event benchmark (loaded through Node-RED's nodesDir).
// A function node runs user code in a vm context per message, which costs more than the event node
// being measured; this node only counts, so the rate measures gws-outbound-event and Node-RED's message
// passing. GET /bench/counter answers what it counted, per tag: count, distinct sequence numbers,
// first and last arrival (Date.now()).
module.exports = function (RED) {
  const counted = new Map();

  function BenchCounter(config) {
    RED.nodes.createNode(this, config);
    this.on('input', (msg, send, done) => {
      const b = msg.payload && msg.payload.bench;
      if (b) {
        const at = Date.now();
        let t = counted.get(b.tag);
        if (!t) counted.set(b.tag, (t = { kind: b.kind, count: 0, seen: new Set(), firstAt: at, lastAt: at }));
        t.count++;
        t.seen.add(b.seq);
        t.lastAt = at;
      }
      done();
    });
  }
  RED.nodes.registerType('bench-counter', BenchCounter);

  RED.httpNode.get('/bench/counter', (req, res) => {
    const tags = {};
    for (const [tag, t] of counted) tags[tag] = { kind: t.kind, count: t.count, unique: t.seen.size, firstAt: t.firstAt, lastAt: t.lastAt };
    res.json({ tags });
  });
};
