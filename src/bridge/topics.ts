// The topic layout of the MQTT bridge (docs/mqtt.md, Topics): what the bridge publishes under its base
// topic and the Home Assistant discovery prefix, and which incoming topics are commands.

/** A did as the cloud gives it is letters and digits; anything else cannot be one topic level. */
const DID = /^[A-Za-z0-9_-]{1,64}$/;
/** A data point name (docs/open-api.md): letters, digits and underscores. */
const ATTR = /^[A-Za-z0-9_]{1,128}$/;

/** Why a configured topic prefix cannot be used, or undefined when it can. */
export function topicPrefixProblem(prefix: string): string | undefined {
  if (!prefix) return 'empty';
  if (/[+#]/.test(prefix) || prefix.includes('\u0000')) return 'wildcard';
  if (prefix.startsWith('/') || prefix.endsWith('/') || prefix.includes('//')) return 'levels';
  if (Buffer.byteLength(prefix) > 1024) return 'length';
  return undefined;
}

export function isDid(value: string): boolean {
  return DID.test(value);
}

/** A command addressed by its topic: the whole set (`attr` undefined) or one data point. */
export interface CommandTopic {
  did: string;
  attr?: string;
}

export class BridgeTopics {
  constructor(
    readonly base: string,
    readonly discoveryPrefix: string,
    readonly bridgeId: string,
  ) {}

  state(did: string): string {
    return `${this.base}/${did}/state`;
  }

  availability(did: string): string {
    return `${this.base}/${did}/availability`;
  }

  result(did: string): string {
    return `${this.base}/${did}/result`;
  }

  set(did: string, attr?: string): string {
    return attr ? `${this.base}/${did}/${attr}/set` : `${this.base}/${did}/set`;
  }

  /** Retained `online`; the connection's last will sets `offline`. */
  get bridgeStatus(): string {
    return `${this.base}/bridge/${this.bridgeId}/status`;
  }

  discovery(did: string): string {
    return `${this.discoveryPrefix}/device/gizwits_${did}/config`;
  }

  /** Home Assistant's birth and will messages. */
  get discoveryStatus(): string {
    return `${this.discoveryPrefix}/status`;
  }

  /** The subscriptions for commands: the whole set, and one data point. */
  get commandFilters(): string[] {
    return [`${this.base}/+/set`, `${this.base}/+/+/set`];
  }

  /** The did (and data point) a topic commands, or undefined when it is not a command topic of ours. */
  command(topic: string): CommandTopic | undefined {
    if (!topic.startsWith(`${this.base}/`) || !topic.endsWith('/set')) return undefined;
    const levels = topic.slice(this.base.length + 1, -'/set'.length).split('/');
    if (levels.length === 1 && isDid(levels[0])) return { did: levels[0] };
    if (levels.length === 2 && isDid(levels[0]) && ATTR.test(levels[1]))
      return { did: levels[0], attr: levels[1] };
    return undefined;
  }

  /** The did a command-looking topic names, even a malformed one, to say where its refusal goes. */
  commandDid(topic: string): string | undefined {
    const did = topic.slice(this.base.length + 1).split('/')[0];
    return did !== undefined && isDid(did) ? did : undefined;
  }
}
