// Every Open API operation of test/fixtures/endpoints.tsv, in one table: method, path, what the call needs
// besides the AppID, and the handler (each in the module of its part of the API).
import { route, type RouteDefinition } from '../http/router';
import { aggregatedData } from './aggregation';
import * as bindings from './bindings';
import * as devices from './devices';
import * as groups from './groups';
import * as messages from './messages';
import * as rules from './rules';
import * as scenes from './scenes';
import * as schedulers from './schedulers';
import * as sharing from './sharing';
import * as system from './system';
import * as users from './users';

export const API_ROUTES: ReadonlyArray<RouteDefinition> = [
  route('POST', '/app/users', 'app', users.createUser),
  route('GET', '/app/users', 'user', users.profile),
  route('PUT', '/app/users', 'user', users.updateUser),
  route('POST', '/app/login', 'app', users.login),
  route('POST', '/app/request_token', 'app', users.requestAppToken),
  route('POST', '/app/reset_password', 'app', users.resetPassword),
  route('POST', '/app/sms_code', 'userOrApp', users.smsCode),
  route('GET', '/app/verify/codes', 'userOrApp', users.newCaptcha),
  route('POST', '/app/verify/codes', 'userOrApp', users.checkCaptcha),
  route('PUT', '/app/verify/codes', 'userOrApp', users.checkPhoneCode),

  route('GET', '/app/messages', 'user', messages.listMessages),
  route('PUT', '/app/messages/:id', 'user', messages.markMessage),

  route('POST', '/app/bind_mac', 'user', bindings.bindByMac),
  route('POST', '/app/bind_latest', 'user', bindings.bindByQrContent),
  route('GET', '/app/bindings', 'user', bindings.listBindings),
  route('DELETE', '/app/bindings', 'user', bindings.unbindDevices),
  route('PUT', '/app/bindings/:did', 'user', bindings.updateBinding),
  route('GET', '/app/:did/bindings', 'user', bindings.listGuests),
  route('DELETE', '/app/:did/bindings', 'user', bindings.unbindGuest),

  route('GET', '/app/devdata/:did/latest', 'app', devices.latest),
  route('GET', '/app/datapoint', 'app', devices.datapoint),
  route('GET', '/app/devices/:did', 'user', devices.deviceBinding),
  route('GET', '/app/devices/:did/raw_data', 'user', devices.rawData),
  route('POST', '/app/control/:did', 'user', devices.control),
  // The document says PUT with query parameters; GET is accepted too, as docs/open-api.md says.
  route('PUT', '/app/devdata/:did/agg_data', 'user', aggregatedData),
  route('GET', '/app/devdata/:did/agg_data', 'user', aggregatedData),

  route('POST', '/app/sharing', 'user', sharing.createSharing),
  route('GET', '/app/sharing', 'user', sharing.listSharings),
  route('DELETE', '/app/sharing/:id', 'user', sharing.revokeSharing),
  route('PUT', '/app/sharing/:id', 'user', sharing.respondToSharing),
  route('GET', '/app/sharing/code/:code', 'user', sharing.showQrSharing),
  route('POST', '/app/sharing/code/:code', 'user', sharing.acceptQrSharing),
  route('PUT', '/app/sharing/:id/alias', 'user', sharing.setUserAlias),
  route('POST', '/app/sharing/:did/transfer', 'user', sharing.transferOwnership),

  route('GET', '/app/group', 'user', groups.listGroups),
  route('POST', '/app/group', 'user', groups.createGroup),
  route('DELETE', '/app/group/:id', 'user', groups.deleteGroup),
  route('PUT', '/app/group/:id', 'user', groups.renameGroup),
  route('GET', '/app/group/:id/devices', 'user', groups.groupDevices),
  route('POST', '/app/group/:id/devices', 'user', groups.addDevices),
  route('DELETE', '/app/group/:id/devices', 'user', groups.removeDevices),
  route('POST', '/app/group/:id/control', 'user', groups.controlGroupRoute),

  route('GET', '/app/rules/params', 'user', rules.params),
  route('GET', '/app/rules', 'user', rules.listRules),
  route('POST', '/app/rules', 'user', rules.createRule),
  route('DELETE', '/app/rules/:rule_id', 'user', rules.deleteRule),
  route('PUT', '/app/rules/:rule_id', 'user', rules.updateRule),

  route('GET', '/app/scene', 'user', scenes.listScenes),
  route('POST', '/app/scene', 'user', scenes.createScene),
  route('DELETE', '/app/scene/:id', 'user', scenes.deleteScene),
  // The document's body says POST, its API index says PUT: both update.
  route('PUT', '/app/scene/:id', 'user', scenes.updateScene),
  route('POST', '/app/scene/:id', 'user', scenes.updateScene),
  route('GET', '/app/scene/:id/task', 'user', scenes.sceneStatus),
  route('POST', '/app/scene/:id/task', 'user', scenes.runScene),

  route('GET', '/app/devices/:did/scheduler', 'user', schedulers.listDeviceSchedulers),
  route('POST', '/app/devices/:did/scheduler', 'user', schedulers.createDeviceScheduler),
  route('PUT', '/app/devices/:did/scheduler/:id', 'user', schedulers.updateDeviceScheduler),
  route('DELETE', '/app/devices/:did/scheduler/:id', 'user', schedulers.deleteDeviceScheduler),
  route('GET', '/app/common_scheduler', 'user', schedulers.listCommonSchedulers),
  route('POST', '/app/common_scheduler', 'user', schedulers.createCommonScheduler),
  route('PUT', '/app/common_scheduler/:id', 'user', schedulers.updateCommonScheduler),
  route('DELETE', '/app/common_scheduler/:id', 'user', schedulers.deleteCommonScheduler),

  route('GET', '/status', 'app', system.serviceStatus),
  route('GET', '/errors', 'app', system.errorTable),
];
