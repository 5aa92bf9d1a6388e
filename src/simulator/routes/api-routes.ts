// Every Open API operation of test/fixtures/endpoints.tsv, in one table.
import type { RouteDefinition } from '../http/router';
import { bindingRoutes } from './bindings';
import { deviceRoutes } from './devices';
import { groupRoutes } from './groups';
import { messageRoutes } from './messages';
import { ruleRoutes } from './rules';
import { sceneRoutes } from './scenes';
import { schedulerRoutes } from './schedulers';
import { sharingRoutes } from './sharing';
import { systemRoutes } from './system';
import { userRoutes } from './users';

export const API_ROUTES: ReadonlyArray<RouteDefinition> = [
  ...userRoutes,
  ...messageRoutes,
  ...bindingRoutes,
  ...deviceRoutes,
  ...sharingRoutes,
  ...groupRoutes,
  ...ruleRoutes,
  ...sceneRoutes,
  ...schedulerRoutes,
  ...systemRoutes,
];
