// gizwits-api: any operation of the Open API, by its id in the endpoint table.
import {
  ENDPOINTS,
  GizwitsError,
  isListOperation,
  isOperationId,
  keyed,
  type OperationId,
} from '../../client';
import type { NodeAPI, NodeDef, NodeMessageInFlow, Node } from '../common/red';
import { evaluateProperty } from '../common/red';
import { paramsFrom } from '../common/params';
import { clockTime } from '../common/status';
import { setUpNode } from '../common/node-setup';
import { onInput } from '../common/input';

interface ApiDef extends NodeDef {
  account: string;
  operation: string;
  allPages: boolean;
  /** Where the parameters come from (a typed input); msg.payload when not set. */
  params?: string;
  paramsType?: string;
  configVersion?: number;
}

type ApiMessage = NodeMessageInFlow & { operation?: unknown; allPages?: unknown };

export = function (RED: NodeAPI) {
  function GizwitsApi(this: Node, def: ApiDef) {
    const node = this;
    const { config, say, account, asError } = setUpNode(RED, node, def, 'gizwits-api');

    onInput<ApiMessage>(node, { say, asError }, async (msg) => {
      const chosen = typeof msg.operation === 'string' && msg.operation ? msg.operation : config.operation;
      if (!chosen) {
        throw new GizwitsError({
          code: 'INVALID_PARAMS',
          ...keyed('api.noOperation'),
        });
      }
      if (!isOperationId(chosen)) {
        throw new GizwitsError({
          code: 'INVALID_PARAMS',
          ...keyed('api.unknownOperation', { operation: chosen }),
        });
      }
      const operation: OperationId = chosen;
      const source =
        config.paramsType && config.params !== undefined
          ? await evaluateProperty(RED, node, config.params, config.paramsType, msg)
          : msg.payload;
      const params = paramsFrom(source, operation);
      const client = account.require().client();
      const allPages = typeof msg.allPages === 'boolean' ? msg.allPages : config.allPages === true;
      node.status({ fill: 'blue', shape: 'dot', text: operation });
      const answer =
        allPages && isListOperation(operation)
          ? await client.listAll(operation, params as never)
          : await client.call(operation, params as never);
      msg.payload = answer;
      msg.operation = operation;
      const time = clockTime();
      // The operation id is the API's name for it, the same in every language.
      node.status({
        fill: 'green',
        shape: 'dot',
        text: say('status.done', { operation, time }),
      });
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
