// Pick-lists for the Gizwits nodes' edit dialogs, fed by the gizwits-account admin routes
// (POST gizwits/account/devices | datapoints | groups | scenes, relative URLs so that a custom
// httpAdminRoot works). A deployed account unchanged in the editor is named by its id alone (the
// runtime uses its saved settings and stored credentials; read permission is enough); an account changed
// since the last deploy, or never deployed, sends its settings with the credentials typed in its dialog
// (the runtime lends no stored secret to other settings; editing permission is needed).
// Besides the pick-lists, what every dialog shares: its start (openDialog), its selects' choices, the
// value checks its validate functions make, and the nodes' labelStyle.
// Served by Node-RED at resources/@gizwits-community/node-red-gizwits/gizwits-editor.js; every node's
// .html includes it, so it defines itself once. Node-RED adds a node set's definitions to the page only
// once the scripts it includes have loaded, so the definitions can use window.GizwitsEditor directly.
/* global window, RED, $ */
(function () {
  'use strict';
  if (window.GizwitsEditor) return;

  // The look of the pick-lists and check-lists, shared by every dialog that uses them; added to the page once.
  $('<style id="gizwits-editor-style">')
    .text(
      '.gizwits-picklist-row select { width: calc(70% - 40px); }\n' +
        '.gizwits-picklist-status { display: block; margin-left: 104px; font-size: 0.9em; color: #888; }\n' +
        '.gizwits-picklist-failed { color: #c02020; }\n' +
        '.gizwits-checklist { margin-left: 104px; max-height: 140px; overflow-y: auto; padding: 2px 6px;' +
        ' border: 1px solid var(--red-ui-form-input-border-color, #ccc); border-radius: 4px; }\n' +
        '.gizwits-checklist:empty { display: none; }\n' +
        '.gizwits-checklist-row { display: block !important; width: auto !important; text-align: left;' +
        ' margin: 2px 0 !important; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; cursor: pointer; }\n' +
        '.gizwits-checklist-row input[type="checkbox"] { width: auto !important; margin: 0 6px 2px 0 !important;' +
        ' vertical-align: middle; }\n',
    )
    .appendTo('head');

  const NS = '@gizwits-community/node-red-gizwits/gizwits-account:gizwits-account.';
  const CONFIG_FIELDS = ['name', 'region', 'apiUrl', 'appId', 'authMode', 'secure', 'productKey'];
  const CREDENTIAL_FIELDS = ['username', 'password', 'phoneId', 'uid', 'token', 'appSecret', 'productSecret'];
  /** The secret each sign-in mode needs; app and product secrets are optional in every mode. */
  const MODE_SECRETS = { password: 'password', anonymous: 'phoneId', token: 'token' };
  const PLACEHOLDER = '__PWRD__';

  function t(key, params) {
    return RED._(NS + key, params);
  }

  /** The secret fields that matter for an account in `mode`, for the "type it again" check. */
  function secretFields(mode) {
    return [MODE_SECRETS[mode || 'password'], 'appSecret', 'productSecret'].filter(Boolean);
  }

  /**
   * How to name an account config node to the routes, or null when there is none: {id} when it is
   * deployed as the editor holds it; otherwise {id, config, credentials} with the values typed in its
   * dialog, or {problem} when a secret it stores was not typed again (the runtime will not lend it).
   */
  function accountBody(accountId) {
    const account = accountId && accountId !== '_ADD_' ? RED.nodes.node(accountId) : null;
    if (!account) return null;
    if (!account.changed) return { id: account.id };
    const stored = account.credentials || {};
    const untyped = secretFields(account.authMode).filter(function (key) {
      return stored['has_' + key] && (typeof stored[key] !== 'string' || stored[key] === PLACEHOLDER);
    });
    if (untyped.length)
      return {
        problem: t('admin.retype', {
          account: RED.utils.getNodeLabel(account, account.id),
          field: t('label.' + untyped[0]),
        }),
      };
    const config = {};
    CONFIG_FIELDS.forEach(function (key) {
      config[key] = account[key];
    });
    return {
      id: account.id,
      config: config,
      credentials: typedCredentials(function (key) {
        return stored[key];
      }),
    };
  }

  /** The credentials typed for an account, `read(field)` of each: the empty ones and the placeholder left out. */
  function typedCredentials(read) {
    const credentials = {};
    CREDENTIAL_FIELDS.forEach(function (key) {
      const value = read(key);
      if (typeof value === 'string' && value !== '' && value !== PLACEHOLDER) credentials[key] = value;
    });
    return credentials;
  }

  /** Asks the account for a list: 'devices', 'datapoints', 'groups' or 'scenes'. A jQuery promise. */
  function fetchList(kind, accountId, extra) {
    const body = accountBody(accountId);
    if (!body) return $.Deferred().reject(t('picklist.noAccount')).promise();
    if (body.problem) return $.Deferred().reject(body.problem).promise();
    return $.ajax({
      url: 'gizwits/account/' + kind,
      method: 'POST',
      contentType: 'application/json',
      data: JSON.stringify($.extend(body, extra || {})),
    }).then(
      function (list) {
        remember(kind, accountId, extra, list);
        return list;
      },
      function (xhr) {
        const answer = xhr.responseJSON || {};
        return $.Deferred()
          .reject(t('picklist.failed', { message: answer.message || xhr.statusText || xhr.status }))
          .promise();
      },
    );
  }

  // Lists the account answered, kept for the `validate` functions of the nodes' defaults: Node-RED
  // validates synchronously (on the canvas, at Done and at Deploy), so a value is checked against data
  // points already fetched, and a list not fetched yet is asked for once, revalidating when it comes.
  const known = {};

  function listKey(kind, accountId, extra) {
    return kind + '|' + accountId + '|' + JSON.stringify(extra || {});
  }

  function remember(kind, accountId, extra, list) {
    const key = listKey(kind, accountId, extra);
    const fresh = !known[key] || !known[key].list;
    known[key] = { list: list };
    if (fresh) revalidate();
  }

  /** Marks every Gizwits node again (the red triangle on the canvas) once a list has come. */
  function revalidate() {
    if (!RED.nodes || !RED.editor || typeof RED.editor.validateNode !== 'function') return;
    RED.nodes.eachNode(function (n) {
      if (/^gizwits-/.test(n.type)) RED.editor.validateNode(n);
    });
    if (RED.view) RED.view.redraw(true);
    // An open dialog checks its inputs on change.
    $('#node-input-value, #node-input-schedules').trigger('change');
  }

  /** A list already fetched, or undefined (and, once, a request for it). */
  function knownList(kind, accountId, extra) {
    if (!accountId || accountId === '_ADD_') return undefined;
    const key = listKey(kind, accountId, extra);
    if (known[key]) return known[key].list;
    known[key] = {};
    fetchList(kind, accountId, extra).then(undefined, function () {
      // Not reachable now: the dialog's pick-lists ask again when it opens.
      delete known[key];
    });
    return undefined;
  }

  /** The node's own value, or while its dialog is open, the value in the dialog. */
  let editing = null;
  function current(node, field) {
    const input = $('#node-input-' + field);
    return editing === node && input.length ? input.val() : node[field];
  }

  /**
   * Why `value` cannot be written to data point `point`, or undefined when it can; the same rules as the
   * runtime's (src/client/datapoints.ts encodeValue), in the editor's language.
   */
  function valueProblem(point, value) {
    const name = point.name;
    const shown = JSON.stringify(value);
    if (point.kind !== 'writable')
      return t('check.notWritable', { name: name, kind: t('kind.' + point.kind) });
    if (point.dataType === 'bool') {
      return value === true ||
        value === false ||
        value === 0 ||
        value === 1 ||
        value === 'true' ||
        value === 'false'
        ? undefined
        : t('check.bool', { name: name, value: shown });
    }
    if (point.dataType === 'enum') {
      const labels = point.labels || [];
      const index = typeof value === 'number' ? value : /^\d+$/.test(String(value)) ? Number(value) : NaN;
      if (labels.indexOf(value) >= 0 || (Number.isInteger(index) && index >= 0 && index < labels.length))
        return undefined;
      return t('check.enum', {
        name: name,
        value: shown,
        labels: labels
          .map(function (l, i) {
            return i + ' ' + l;
          })
          .join(', '),
      });
    }
    if (point.dataType === 'binary') return undefined;
    const number =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && value.trim() !== ''
          ? Number(value)
          : NaN;
    if (!isFinite(number)) return t('check.number', { name: name, value: shown });
    if (point.min !== undefined && number < point.min)
      return t('check.below', { name: name, value: number, min: point.min });
    if (point.max !== undefined && number > point.max)
      return t('check.above', { name: name, value: number, max: point.max });
    if (point.step && point.min !== undefined) {
      const steps = (number - point.min) / point.step;
      if (Math.abs(steps - Math.round(steps)) > 1e-6)
        return t('check.step', { name: name, value: number, step: point.step, min: point.min });
    }
    return undefined;
  }

  /** The first problem of an object of data point values against a list of data points, or undefined. */
  function valuesProblem(points, values) {
    const names = Object.keys(values);
    for (let i = 0; i < names.length; i++) {
      const point = points.find(function (p) {
        return p.name === names[i];
      });
      const problem = point ? valueProblem(point, values[names[i]]) : t('check.unknown', { name: names[i] });
      if (problem) return problem;
    }
    return undefined;
  }

  /** A typed input's literal value as the runtime will see it; undefined when only a message knows it. */
  function literal(value, type) {
    if (type === 'num') return value === '' ? undefined : Number(value);
    if (type === 'str') return value;
    if (type === 'bool') return value === 'true';
    if (type === 'json') {
      try {
        return JSON.parse(value);
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  /** `validate` of gizwits-device-control's `value`: true, or why the device will refuse it. */
  function checkControlValue(node, value) {
    const attr = String(current(node, 'attr') || '').trim();
    const did = String(current(node, 'device') || '').trim();
    const account = current(node, 'account');
    if (!attr || (current(node, 'deviceType') || 'str') !== 'str' || !did || /^\$\{/.test(did)) return true;
    const given = literal(value, current(node, 'valueType') || 'msg');
    if (given === undefined) return true;
    const points = knownList('datapoints', account, { did: did });
    if (!points) return true;
    const values = {};
    values[attr] = given;
    return valuesProblem(points, values) || true;
  }

  /** `validate` of gizwits-scheduler's `schedules`: every task's values checked against its target. */
  function checkScheduleValues(node, text) {
    let tasks;
    try {
      tasks = JSON.parse(text || '[]');
    } catch {
      return false;
    }
    if (!Array.isArray(tasks)) return false;
    const account = current(node, 'account');
    const target = current(node, 'target') || 'device';
    const id = String(current(node, 'targetId') || '').trim();
    if (!id || /^\$\{/.test(id) || target === 'scene') return true;
    let points;
    if (target === 'device') points = knownList('datapoints', account, { did: id });
    else {
      const group = (knownList('groups', account) || []).find(function (g) {
        return String(g.id) === id;
      });
      if (group && group.product_key)
        points = knownList('datapoints', account, { productKey: group.product_key });
    }
    if (!points) return true;
    for (let i = 0; i < tasks.length; i++) {
      const attrs = tasks[i] && tasks[i].attrs;
      if (!attrs || typeof attrs !== 'object' || Array.isArray(attrs)) continue;
      const problem = valuesProblem(points, attrs);
      if (problem) return t('check.task', { n: i + 1, remark: tasks[i].remark || '', problem: problem });
    }
    return true;
  }

  /**
   * Fills each select of the open dialog written as <select id="node-input-<field>" data-choices="<key
   * prefix>: value value ...">: an option per value, worded by <key prefix>.<value> of the node's
   * catalogue, then the node's value shown (Node-RED set it before there were options).
   */
  function fillChoices(node) {
    $('select[data-choices^="gizwits-"]').each(function () {
      const select = $(this);
      const spec = /^\s*([\w.-]+):\s*(.*)$/.exec(select.attr('data-choices')) || [];
      String(spec[2] || '')
        .split(/\s+/)
        .filter(Boolean)
        .forEach(function (value) {
          $('<option>')
            .val(value)
            .text(node._(spec[1] + '.' + value))
            .appendTo(select);
        });
      select.removeAttr('data-choices');
      const field = select.attr('id').replace(/^node-(config-)?input-/, '');
      if (node[field] !== undefined) select.val(node[field]);
    });
  }

  /**
   * The start of every dialog's oneditprepare: its selects filled, a new node given the only account there
   * is, and the node's validate functions reading the open dialog (those whose validate does call
   * closeDialog from oneditsave and oneditcancel). Returns the shared helpers.
   */
  function openDialog(node) {
    fillChoices(node);
    editing = node;
    pickOnlyAccount(node);
    return window.GizwitsEditor;
  }

  function closeDialog() {
    editing = null;
  }

  /**
   * Shows why a typed input's value is refused when its box is hovered. Node-RED puts its own tooltip on
   * the input it hides inside a typed input, where no pointer reaches it; the red border is its own.
   */
  function explainOnHover(input, check) {
    const box = $(input).next('.red-ui-typedInput-container');
    let tip = null;
    $(input).on('change', function () {
      const result = check();
      const message = typeof result === 'string' ? result : '';
      // A new tooltip for each new reason: one already open keeps its text otherwise.
      if (tip) tip.delete();
      tip = message ? RED.popover.tooltip(box, message) : null;
    });
  }

  /**
   * A node dragged from the palette (no account yet) takes the only gizwits-account there is, rather than
   * opening on "none": the common case of one account needs no choice.
   */
  function pickOnlyAccount(node) {
    if (node.account) return;
    const accounts = [];
    RED.nodes.eachConfig(function (c) {
      if (c.type === 'gizwits-account') accounts.push(c.id);
    });
    if (accounts.length === 1) $('#node-input-account').val(accounts[0]).trigger('change');
  }

  function deviceLabel(d) {
    const name = d.alias || d.did;
    const product = d.productName ? ' · ' + d.productName : '';
    const state = d.online ? t('picklist.online') : t('picklist.offline');
    const lan = d.lan ? ' · ' + t('picklist.lan') : '';
    return name + product + ' · ' + state + lan + (d.alias ? '  (' + d.did + ')' : '');
  }

  /** "uint8 0…100 step 1 · read/write", "enum: 常亮 | 呼吸 · read/write". */
  function datapointInfo(p) {
    let type = p.dataType;
    if (p.min !== undefined && p.max !== undefined)
      type += ' ' + p.min + '…' + p.max + (p.step && p.step !== 1 ? ' step ' + p.step : '');
    if (p.labels && p.labels.length)
      type +=
        ': ' +
        p.labels
          .map(function (l, i) {
            return i + '=' + l;
          })
          .join(' | ');
    if (p.bytes) type += ' (' + p.bytes + ' bytes)';
    return type + ' · ' + t('kind.' + p.kind);
  }

  function datapointLabel(p) {
    return (
      p.name +
      (p.displayName && p.displayName !== p.name ? ' (' + p.displayName + ')' : '') +
      ' · ' +
      datapointInfo(p)
    );
  }

  function showStatus(el, text, failed) {
    if (!el) return;
    $(el)
      .text(text || '')
      .toggleClass('gizwits-picklist-failed', !!failed);
  }

  /** labelStyle of every Gizwits node: italic once the user has named it, as Node-RED's own nodes do. */
  function labelStyle() {
    return this.name ? 'node_label_italic' : '';
  }

  /** The account chosen in the open dialog. */
  function dialogAccount() {
    return $('#node-input-account').val();
  }

  function isTyped(input) {
    return $(input).data('noderedTypedInput') !== undefined;
  }

  /** The id in `input`: a text input's trimmed text, or a typed input's literal ('' for msg, flow...). */
  function typedId(input) {
    if (!isTyped(input)) return String($(input).val() || '').trim();
    return $(input).typedInput('type') === 'str' ? String($(input).typedInput('value')).trim() : '';
  }

  function setTypedId(input, value) {
    if (!isTyped(input)) $(input).val(value);
    else {
      $(input).typedInput('type', 'str');
      $(input).typedInput('value', value);
    }
  }

  /** The controls a list adds to a dialog: #node-input-gizwits-<name>-list, -refresh and -status. */
  function listControls(name) {
    const id = 'node-input-gizwits-' + name + '-';
    return {
      refresh: $('<button type="button" class="red-ui-button"><i class="fa fa-refresh"></i></button>').attr(
        'id',
        id + 'refresh',
      ),
      status: $('<span class="gizwits-picklist-status">').attr('id', id + 'status'),
      listId: id + 'list',
    };
  }

  /**
   * The loading half of a pick-list or check-list: fetches (options.fetch(extra), or the dialog account's
   * options.kind list, a kind or a function giving one), keeps only the answer of the latest request,
   * shows progress in options.status, calls render() then options.loaded(items) with each new list, and
   * wires the options.refresh button. Returns {load(), items()}.
   */
  function loader(options, render) {
    let items = [];
    let serial = 0;

    function settle(list, message) {
      items = list;
      render();
      if (options.loaded) options.loaded(items);
      if (message !== undefined) showStatus(options.status, message, true);
      else
        showStatus(
          options.status,
          list.length ? t('picklist.count', { count: list.length }) : t('picklist.empty'),
        );
      return items;
    }

    function load() {
      const mine = ++serial;
      const extra = options.extra ? options.extra() : {};
      if (extra === null) {
        settle([]);
        showStatus(options.status, '');
        return $.Deferred().resolve([]).promise();
      }
      showStatus(options.status, t('picklist.loading'));
      const kind = typeof options.kind === 'function' ? options.kind() : options.kind;
      const request = options.fetch ? options.fetch(extra) : fetchList(kind, dialogAccount(), extra);
      return request.then(
        function (list) {
          return mine === serial ? settle(list) : items;
        },
        function (message) {
          return mine === serial ? settle([], message) : items;
        },
      );
    }

    $(options.refresh)
      .attr('title', t('picklist.refresh'))
      .on('click', function (event) {
        event.preventDefault();
        load();
      });
    return {
      load: load,
      items: function () {
        return items;
      },
    };
  }

  /**
   * A pick-list for the id in `options.input` (a text input, or a typed input whose literal is the id): a
   * row of its own under the input's row, with the controls of listControls(options.name). Lists the
   * dialog account's options.kind with options.extra() (null: nothing to list yet); shows each item as
   * options.label(item), greyed when options.disabled(item); choosing one writes options.value(item) (its
   * id by default) into the input, then calls options.chosen(item). Loads now and when the account
   * changes; shows the typed id as chosen while it is typed. Returns {load(), items(), render()}.
   */
  function picklist(options) {
    const input = $(options.input);
    const value =
      options.value ||
      function (item) {
        return item.id;
      };
    const controls = listControls(options.name);
    const select = $('<select>').attr('id', controls.listId);
    $('<div class="form-row gizwits-picklist-row">')
      .append('<label></label>', select, controls.refresh, controls.status)
      .insertAfter(input.closest('.form-row'));
    const list = loader($.extend({}, options, controls), render);

    function render() {
      const current = typedId(input);
      select.empty();
      $('<option>').val('').text(t('picklist.choose')).appendTo(select);
      let found = false;
      list.items().forEach(function (item) {
        const option = $('<option>').val(value(item)).text(options.label(item)).appendTo(select);
        if (options.disabled && options.disabled(item)) option.prop('disabled', true);
        if (value(item) === current) found = true;
      });
      select.val(found ? current : '');
    }

    select.on('change', function () {
      const item = list.items().find(function (i) {
        return value(i) === select.val();
      });
      if (!item) return;
      setTypedId(input, value(item));
      if (options.chosen) options.chosen(item);
    });
    $('#node-input-account').on('change', list.load);
    input.on('input change', render);
    list.load();
    return { load: list.load, items: list.items, render: render };
  }

  /** Comma-separated text ⇄ list of values. */
  function splitList(text) {
    return String(text || '')
      .split(',')
      .map(function (s) {
        return s.trim();
      })
      .filter(Boolean);
  }

  /** The saved form of a list typed as comma-separated text: an array of values, or the text itself when it refers to ${ENV}. */
  function listValue(text) {
    const trimmed = String(text || '').trim();
    if (/\$\{/.test(trimmed)) return trimmed;
    return splitList(trimmed);
  }

  /** A saved list (an array, or the text of an ${ENV} reference) as the text of its input. */
  function listText(value) {
    return Array.isArray(value) ? value.join(', ') : value || '';
  }

  /**
   * A list of checkboxes kept in step with the comma-separated values of `options.input`, added to the
   * input's row with the controls of listControls(options.name). Same options as picklist; it loads when
   * its load() is called.
   */
  function checklist(options) {
    const input = $(options.input);
    const controls = listControls(options.name);
    const container = $('<div class="gizwits-checklist">').attr('id', controls.listId);
    input.closest('.form-row').append(controls.refresh, controls.status, container);
    const list = loader($.extend({}, options, controls), render);

    function render() {
      const chosen = splitList(input.val());
      container.empty();
      list.items().forEach(function (item) {
        const value = options.value(item);
        const row = $('<label class="gizwits-checklist-row">').appendTo(container);
        $('<input type="checkbox">')
          .val(value)
          .prop('checked', chosen.indexOf(value) >= 0)
          .on('change', function () {
            const now = splitList(input.val()).filter(function (v) {
              return v !== value;
            });
            if (this.checked) now.push(value);
            input.val(now.join(', ')).trigger('change');
          })
          .appendTo(row);
        $('<span>').text(options.label(item)).appendTo(row);
      });
    }

    input.on('input', function () {
      render();
    });
    return list;
  }

  /**
   * The check-list of the dialog account's devices (by did) for #node-input-gizwits-devices, the
   * comma-separated text of `devices` (a node's saved list) written into it first. Loads when its load()
   * is called.
   */
  function deviceChecklist(devices) {
    $('#node-input-gizwits-devices').val(listText(devices));
    return checklist({
      name: 'devices',
      input: '#node-input-gizwits-devices',
      kind: 'devices',
      value: function (d) {
        return d.did;
      },
      label: deviceLabel,
    });
  }

  window.GizwitsEditor = {
    CONFIG_FIELDS: CONFIG_FIELDS,
    CREDENTIAL_FIELDS: CREDENTIAL_FIELDS,
    PLACEHOLDER: PLACEHOLDER,
    secretFields: secretFields,
    typedCredentials: typedCredentials,
    accountBody: accountBody,
    fetchList: fetchList,
    dialogAccount: dialogAccount,
    typedId: typedId,
    labelStyle: labelStyle,
    picklist: picklist,
    checklist: checklist,
    deviceChecklist: deviceChecklist,
    splitList: splitList,
    listValue: listValue,
    listText: listText,
    deviceLabel: deviceLabel,
    datapointLabel: datapointLabel,
    datapointInfo: datapointInfo,
    checkControlValue: checkControlValue,
    checkScheduleValues: checkScheduleValues,
    fillChoices: fillChoices,
    openDialog: openDialog,
    closeDialog: closeDialog,
    explainOnHover: explainOnHover,
  };
})();
