// What Home Assistant's MQTT discovery documentation requires of a device-based discovery payload
// (https://www.home-assistant.io/integrations/mqtt/#device-discovery-payload, and each platform's page:
// switch, binary_sensor, select, number, sensor), written as checks. docs/mqtt.md gives the sources.
// Returns the problems found; an empty list means the config is valid.

type Json = Record<string, unknown>;

/** Options allowed at the root of a device-based payload: device, origin, components and the shared ones. */
const ROOT = new Set(['dev', 'o', 'cmps', 'avty', 'avty_mode', 'stat_t', 'cmd_t', 'qos', 'encoding']);
/** Options the bridge may use per platform (a subset of each platform's documented options). */
const COMMON = ['p', 'name', 'unique_id', 'value_template', 'device_class', 'entity_category', 'state_topic'];
const PLATFORMS: Record<string, { allowed: string[]; required: string[] }> = {
  switch: {
    allowed: [...COMMON, 'command_topic', 'payload_on', 'payload_off', 'state_on', 'state_off'],
    required: ['command_topic'],
  },
  binary_sensor: { allowed: [...COMMON, 'payload_on', 'payload_off'], required: ['state_topic'] },
  select: {
    allowed: [...COMMON, 'command_topic', 'command_template', 'options'],
    required: ['command_topic', 'options'],
  },
  number: {
    allowed: [...COMMON, 'command_topic', 'command_template', 'min', 'max', 'step', 'mode'],
    required: ['command_topic'],
  },
  sensor: { allowed: [...COMMON, 'options'], required: ['state_topic'] },
};
const DEVICE_CLASSES: Record<string, string[]> = { binary_sensor: ['problem'], sensor: ['enum'] };

export function discoveryProblems(config: Json): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(config)) if (!ROOT.has(key)) problems.push(`unknown root option ${key}`);
  const dev = config.dev as Json | undefined;
  if (!dev || typeof dev !== 'object') problems.push('dev (device) is required');
  else {
    const ids = dev.ids;
    if (!(Array.isArray(ids) && ids.length > 0) && !(Array.isArray(dev.cns) && dev.cns.length > 0))
      problems.push('dev needs identifiers (ids) or connections (cns)');
    if (typeof dev.name !== 'string' || !dev.name) problems.push('dev.name');
  }
  const o = config.o as Json | undefined;
  if (!o || typeof o.name !== 'string' || !o.name) problems.push('o (origin) with a name is required');
  if (config.avty !== undefined) {
    if (!Array.isArray(config.avty) || config.avty.length === 0) problems.push('avty must be a list');
    else
      for (const a of config.avty as Json[])
        if (typeof a?.topic !== 'string') problems.push('avty entry without topic');
  }
  if (config.avty_mode !== undefined && !['all', 'any', 'latest'].includes(config.avty_mode as string))
    problems.push(`avty_mode ${String(config.avty_mode)}`);
  if (config.qos !== undefined && ![0, 1, 2].includes(config.qos as number)) problems.push('qos');
  const cmps = config.cmps as Record<string, Json> | undefined;
  if (!cmps || typeof cmps !== 'object' || Object.keys(cmps).length === 0) {
    problems.push('cmps (components) is required');
    return problems;
  }
  const uniqueIds = new Set<string>();
  for (const [id, component] of Object.entries(cmps)) {
    const platform = PLATFORMS[component.p as string];
    if (!platform) {
      problems.push(`${id}: platform (p) ${String(component.p)} is not one the bridge may emit`);
      continue;
    }
    if (typeof component.unique_id !== 'string' || !component.unique_id)
      problems.push(`${id}: unique_id is required`);
    else if (uniqueIds.has(component.unique_id)) problems.push(`${id}: unique_id repeated`);
    else uniqueIds.add(component.unique_id);
    for (const key of Object.keys(component))
      if (!platform.allowed.includes(key))
        problems.push(`${id}: option ${key} not allowed for ${String(component.p)}`);
    const effective: Json = { state_topic: config.stat_t, command_topic: config.cmd_t, ...component };
    for (const key of platform.required)
      if (effective[key] === undefined) problems.push(`${id}: ${key} is required for ${String(component.p)}`);
    if (component.options !== undefined) {
      const options = component.options;
      if (!Array.isArray(options) || options.length === 0 || !options.every((x) => typeof x === 'string'))
        problems.push(`${id}: options must be a non-empty list of strings`);
    }
    if (component.p === 'sensor' && component.device_class === 'enum' && component.options === undefined)
      problems.push(`${id}: an enum sensor needs options`);
    if (
      component.device_class !== undefined &&
      !(DEVICE_CLASSES[component.p as string] ?? []).includes(component.device_class as string)
    )
      problems.push(`${id}: device_class ${String(component.device_class)} for ${String(component.p)}`);
    if (
      component.entity_category !== undefined &&
      !['config', 'diagnostic'].includes(component.entity_category as string)
    )
      problems.push(`${id}: entity_category`);
    if (component.p === 'number') {
      const { min, max, step } = component as { min: number; max: number; step: number };
      if (!(typeof min === 'number' && typeof max === 'number' && min < max))
        problems.push(`${id}: min < max`);
      if (!(typeof step === 'number' && step > 0)) problems.push(`${id}: step > 0`);
      if (component.mode !== undefined && !['auto', 'box', 'slider'].includes(component.mode as string))
        problems.push(`${id}: mode`);
    }
  }
  return problems;
}
