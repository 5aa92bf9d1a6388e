// bench-floor: the least a Node-RED node can do to turn the device websocket into messages, the floor
// that `npm run bench` measures gizwits-device-in against. It logs in with the token it is given,
// subscribes to its devices, reads each once (its answer goes out as the `initial` message, so that the
// bench knows when the node is ready), and sends one message per s2c_noti, of gizwits-device-in's shape,
// with nothing checked, compared or remembered.
'use strict';

const WebSocket = require('ws');

const SUBSCRIBE_BATCH = 100;

module.exports = function (RED) {
  function BenchFloor(config) {
    RED.nodes.createNode(this, config);
    const { url, appId, uid, token, productKey } = config;
    const dids = config.dids || [];
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const send = (frame) => ws.send(JSON.stringify(frame));

    ws.on('open', () =>
      send({
        cmd: 'login_req',
        data: {
          appid: appId,
          uid,
          token,
          p0_type: 'attrs_v4',
          heartbeat_interval: 180,
          auto_subscribe: false,
        },
      }),
    );
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.cmd === 'login_res') {
        for (let i = 0; i < dids.length; i += SUBSCRIBE_BATCH)
          send({ cmd: 'subscribe_req', data: dids.slice(i, i + SUBSCRIBE_BATCH).map((did) => ({ did })) });
      } else if (frame.cmd === 'subscribe_res') {
        for (const { did } of frame.data.success) send({ cmd: 'c2s_read', req_sn: 1, data: { did } });
      } else if (frame.cmd === 's2c_noti') {
        const { did, attrs } = frame.data;
        this.send({
          topic: did,
          payload: attrs,
          event: 'status',
          did,
          device: { did, productKey, mac: '', alias: '', remark: '', online: true },
          changed: {},
          initial: frame.res_sn !== undefined,
          via: 'websocket',
        });
      }
    });
    ws.on('error', (error) => this.error(error.message));
    this.on('close', (done) => {
      ws.terminate();
      done();
    });
  }
  RED.nodes.registerType('bench-floor', BenchFloor);
};
