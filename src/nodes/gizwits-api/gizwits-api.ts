// gizwits-api: any operation of the Open API, by its id in the endpoint table.
import {
  ENDPOINTS,
  GizwitsError,
  isListOperation,
  isOperationId,
  keyed,
  type OperationId,
} from '../../client';
import { useAccount } from '../common/account-user';
import { migrateConfig } from '../common/migrate';
import type { NodeAPI, NodeDef, NodeMessageInFlow, Send, Done, Node } from '../common/red';
import { evaluateProperty, translator } from '../common/red';
import { paramsFrom } from '../common/params';
import { errorTranslator } from '../common/error-text';
import { clockTime, errorStatus } from '../common/status';

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
  // done(err) wording in the runtime's language
  const asError = errorTranslator(RED);
  function GizwitsApi(this: Node, def: ApiDef) {
    RED.nodes.createNode(this, def);
    const config = migrateConfig('gizwits-api', def);
    const node = this;
    const account = useAccount(RED, node, config.account);
    const say = translator(RED, 'gizwits-api');

    node.on('input', async (msg: ApiMessage, send: Send, done: Done) => {
      try {
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
        send(msg);
        done();
      } catch (error) {
        node.status(errorStatus(error, say));
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
