// gizwits-api: any operation of the Open API, by its id in the endpoint table.
import { ENDPOINTS, GizwitsError, isListOperation, isOperationId, type OperationId } from '../../client';
import { useAccount } from '../common/account-user';
import { migrateConfig } from '../common/migrate';
import type { NodeAPI, NodeDef, NodeMessageInFlow, Send, Done, Node } from '../common/red';
import { paramsFrom } from '../common/params';
import { asError, clockTime, errorStatus } from '../common/status';

interface ApiDef extends NodeDef {
  account: string;
  operation: string;
  allPages: boolean;
  configVersion?: number;
}

type ApiMessage = NodeMessageInFlow & { operation?: unknown; allPages?: unknown };

export = function (RED: NodeAPI) {
  function GizwitsApi(this: Node, def: ApiDef) {
    RED.nodes.createNode(this, def);
    const config = migrateConfig('gizwits-api', def);
    const node = this;
    const account = useAccount(RED, node, config.account);

    node.on('input', async (msg: ApiMessage, send: Send, done: Done) => {
      try {
        const chosen = typeof msg.operation === 'string' && msg.operation ? msg.operation : config.operation;
        if (!chosen) {
          throw new GizwitsError({
            code: 'INVALID_PARAMS',
            message: 'gizwits-api: no operation: set one in the node or in msg.operation',
          });
        }
        if (!isOperationId(chosen)) {
          throw new GizwitsError({
            code: 'INVALID_PARAMS',
            message: `gizwits-api: unknown operation "${chosen}": use an id such as bindings.list or devices.control`,
          });
        }
        const operation: OperationId = chosen;
        const params = paramsFrom(msg.payload, operation);
        const client = account.require().client();
        const allPages = typeof msg.allPages === 'boolean' ? msg.allPages : config.allPages === true;
        node.status({ fill: 'blue', shape: 'dot', text: operation });
        const answer =
          allPages && isListOperation(operation)
            ? await client.listAll(operation, params as never)
            : await client.call(operation, params as never);
        msg.payload = answer;
        msg.operation = operation;
        node.status({ fill: 'green', shape: 'dot', text: `${operation} ${clockTime()}` });
        send(msg);
        done();
      } catch (error) {
        node.status(errorStatus(error));
        done(asError(error));
      }
    });
  }

  RED.nodes.registerType('gizwits-api', GizwitsApi as never);

  // The editor's operation pick-list: ids, routes and whether a listing can be fetched whole.
  RED.httpAdmin.get('/gizwits/operations', RED.auth.needsPermission('gizwits-api.read'), (_req, res) => {
    res.json(
      Object.entries(ENDPOINTS).map(([id, row]) => ({
        id,
        route: row.route,
        auth: row.auth,
        list: isListOperation(id),
      })),
    );
  });
};
