// The flows every Node-RED we start is given: the gizwits-account node pointed at a simulated cloud, and
// the flow a node test deploys around the node under test. Pure data, no Node-RED import, so that the
// bench, the soak and the process-level tests build their flows from it too.
import { SIM_APP_ID, SIM_USERS } from '../../src/simulator/fixtures';

export type FlowNode = Record<string, unknown>;
export type SimUser = keyof typeof SIM_USERS;

export interface AccountOptions extends FlowNode {
  /** The node's id (default `account`). */
  id?: string;
  /** A fixture user of the simulator, or any username and password (default `demo`). */
  user?: SimUser | { username: string; password: string };
}

/**
 * A gizwits-account node that signs in to the cloud at `cloud.url` with a password, and its credentials
 * entry. Every other property of `overrides` replaces the node's own; one given as undefined is left out,
 * as in a flow saved before it existed.
 */
export function simAccount(
  cloud: { url: string },
  { id = 'account', user = 'demo', ...overrides }: AccountOptions = {},
): { node: FlowNode & { id: string }; credentials: Record<string, { username: string; password: string }> } {
  const login = typeof user === 'string' ? SIM_USERS[user] : user;
  const node: FlowNode & { id: string } = {
    id,
    type: 'gizwits-account',
    name: 'sim',
    region: 'custom',
    apiUrl: cloud.url,
    appId: SIM_APP_ID,
    authMode: 'password',
    secure: false,
    configVersion: 1,
    ...overrides,
  };
  for (const key of Object.keys(node)) if (node[key] === undefined) delete node[key];
  return { node, credentials: { [id]: { username: login.username, password: login.password } } };
}

/**
 * Puts every node on one tab (Catch nodes only see errors of their own tab), at a position as the editor
 * saves it: without one the runtime takes a node for a config node. Account nodes stay config nodes.
 */
export function onTab(nodes: FlowNode[], label = 'test'): FlowNode[] {
  return [
    { id: 'tab', type: 'tab', label },
    ...nodes.map((node, index) =>
      node.type === 'gizwits-account' ? node : { z: 'tab', x: 200, y: 60 + 40 * index, ...node },
    ),
  ];
}

export interface NodeFlowOptions {
  /** The node type under test. */
  type: string;
  /** Its id (default: the type without `gizwits-`). */
  id?: string;
  /** Its properties; `account` and `wires` (to `out`) are filled in unless given. */
  config?: FlowNode;
  /** The account node's options (see simAccount). */
  account?: AccountOptions;
  /** Further nodes for the same tab. */
  nodes?: FlowNode[];
}

/**
 * account → node under test → `out` (a helper node), with a Catch node for the whole tab whose messages
 * reach `caught` (another helper node).
 */
export function nodeFlow(cloud: { url: string }, options: NodeFlowOptions) {
  const account = simAccount(cloud, options.account);
  const id = options.id ?? options.type.replace(/^gizwits-/, '');
  const flow = onTab([
    account.node,
    { id, type: options.type, account: account.node.id, wires: [['out']], ...options.config },
    { id: 'out', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
    ...(options.nodes ?? []),
  ]);
  return { flow, credentials: account.credentials, ids: { node: id, out: 'out', caught: 'caught' } };
}

/**
 * A gizwits-device-in's properties as the editor saves them for "every device, every data point, status
 * events, initial state on": the tests and the bench start from these and change what they measure.
 */
export const DEVICE_IN_DEFAULTS: FlowNode = {
  devices: [],
  attrs: [],
  events: ['status'],
  onlyChanged: false,
  initial: true,
  configVersion: 1,
};

/**
 * A gizwits-mqtt-broker node 'broker' and a gizwits-mqtt-bridge node 'bridge' of account 'account' over
 * it (every device, the defaults otherwise); `broker` and `bridge` add or replace settings.
 */
export function bridgeNodes(broker: FlowNode, bridge: FlowNode = {}): FlowNode[] {
  return [
    { id: 'broker', type: 'gizwits-mqtt-broker', configVersion: 1, ...broker },
    {
      id: 'bridge',
      type: 'gizwits-mqtt-bridge',
      account: 'account',
      broker: 'broker',
      devices: [],
      configVersion: 1,
      ...bridge,
    },
  ];
}
