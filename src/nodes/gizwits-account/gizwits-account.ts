// gizwits-account: the config node. It holds the AppID, region and credentials, and owns one shared
// client, made when the first node asks for it and closed when the last user is removed.
import { DeviceRegistry, GizwitsClient, GizwitsError, type ClientState } from '../../client';
import type { GizwitsAccountNode } from '../common/account-node';
import {
  clientOptionsFrom,
  CREDENTIAL_FIELDS,
  isSecure,
  lanSettingsFrom,
  resolveCredentials,
  type AccountConfig,
} from '../common/account-config';
import { errorTranslator } from '../common/error-text';
import { migrateConfig } from '../common/migrate';
import { budgetTuning, lanTuning, registryTuning } from '../common/settings';
import { registerAdminRoutes } from './admin-routes';
import { registerLanRoute } from './lan-route';
import type { NodeAPI, NodeDef } from '../common/red';

type AccountDef = NodeDef & AccountConfig & { configVersion?: number };

export = function (RED: NodeAPI) {
  function GizwitsAccount(this: GizwitsAccountNode, def: AccountDef) {
    RED.nodes.createNode(this, def);
    const config = migrateConfig('gizwits-account', def);
    const node = this as GizwitsAccountNode & { region: string; secure: boolean };
    node.region = config.region || 'cn';
    node.secure = isSecure(config);
    const users = new Set<string>();
    const listeners = new Set<(state: ClientState, error?: GizwitsError) => void>();
    let client: GizwitsClient | undefined;
    let registry: DeviceRegistry | undefined;
    let configError: GizwitsError | undefined;

    const closeAll = () => {
      registry?.close();
      registry = undefined;
      client?.close();
      client = undefined;
    };

    const broadcast = (state: ClientState, error?: GizwitsError) => {
      for (const listener of listeners) listener(state, error);
    };

    node.clientOptions = () =>
      clientOptionsFrom(
        config,
        resolveCredentials(node.credentials, (name) => RED.util.getSetting(node, name)),
      );

    node.lanSettings = () => lanSettingsFrom(config);
    const lanSeen = new Set<string>();
    node.lanSeen = () => {
      for (const did of registry?.lan?.seen() ?? []) lanSeen.add(did);
      return lanSeen;
    };

    node.client = () => {
      if (client) return client;
      try {
        client = new GizwitsClient({ ...node.clientOptions(), ...budgetTuning(RED) });
        configError = undefined;
      } catch (error) {
        configError =
          error instanceof GizwitsError
            ? error
            : new GizwitsError({ code: 'INVALID_CONFIG', message: String(error) });
        broadcast('failed', configError);
        throw configError;
      }
      client.on('state', broadcast);
      return client;
    };

    node.devices = () => {
      if (registry) return registry;
      const client = node.client();
      const lan = node.lanSettings();
      registry = new DeviceRegistry(client, {
        ...registryTuning(RED),
        secure: node.secure,
        lan: lan.mode === 'off' ? undefined : { ...lanTuning(RED), mode: lan.mode, targets: lan.targets },
      });
      registry.on('error', (error: Error) => node.warn(`Gizwits devices: ${error.message}`));
      // Frames and bindings the client skipped, at most one line per kind a minute, in the runtime's language.
      const asError = errorTranslator(RED);
      registry.on('warning', (warning: Error) => node.warn(asError(warning).message));
      return registry;
    };

    node.register = (user) => {
      users.add(user.id);
    };

    node.deregister = (user) => {
      users.delete(user.id);
      if (users.size === 0) closeAll();
    };

    node.onState = (listener) => {
      listeners.add(listener);
      if (configError) listener('failed', configError);
      else listener(client?.state ?? 'idle', client?.error);
      return () => listeners.delete(listener);
    };

    node.on('close', (_removed: boolean, done: () => void) => {
      closeAll();
      listeners.clear();
      users.clear();
      done();
    });
  }

  RED.nodes.registerType('gizwits-account', GizwitsAccount as never, {
    // Every credential is a secret except the two that name the user.
    credentials: Object.fromEntries(
      CREDENTIAL_FIELDS.map((field) => [
        field,
        { type: field === 'username' || field === 'uid' ? ('text' as const) : ('password' as const) },
      ]),
    ),
  });

  registerAdminRoutes(RED);
  registerLanRoute(RED);
};
