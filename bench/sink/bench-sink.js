// bench-sink: the node downstream of the measured nodes in `npm run bench`. It hands every message to
// the `benchSink(nodeId, msg)` function of the runtime settings (bench/run.ts counts and times them there)
// and does nothing else.
'use strict';

module.exports = function (RED) {
  function BenchSink(config) {
    RED.nodes.createNode(this, config);
    const received = RED.settings.benchSink;
    this.on('input', (msg, _send, done) => {
      if (typeof received === 'function') received(this.id, msg);
      done();
    });
  }
  RED.nodes.registerType('bench-sink', BenchSink);
};
