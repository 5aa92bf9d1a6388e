// What the editor's debug sidebar receives, read from Node-RED's comms websocket as the editor reads it:
// debug node output and node errors/warnings (level 20/30), with the node's id.
import WebSocket from 'ws';

export interface DebugMessage {
  /** The debug node, or the node that logged an error or warning. */
  id: string;
  name?: string;
  /** 20 = error, 30 = warning; absent for debug node output. */
  level?: number;
  /** The decoded value the sidebar shows. */
  value: unknown;
  raw: Record<string, unknown>;
}

export interface DebugSidebar {
  readonly messages: DebugMessage[];
  /** The first message from `mark` on that satisfies `match`, waiting up to `ms`. */
  waitFor(match: (m: DebugMessage) => boolean, ms?: number, mark?: number): Promise<DebugMessage>;
  close(): void;
}

function decode(data: Record<string, unknown>): unknown {
  const text = data.msg;
  const format = String(data.format ?? '');
  if (typeof text !== 'string') return text;
  if (/^(Object|array|Error)/.test(format) || format === '') {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  if (format === 'number') return Number(text);
  if (format === 'boolean') return text === 'true';
  return text;
}

export async function openDebugSidebar(url: string): Promise<DebugSidebar> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/comms`);
  const messages: DebugMessage[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (buffer) => {
    const batch = JSON.parse(String(buffer));
    for (const item of Array.isArray(batch) ? batch : [batch]) {
      if (item.topic !== 'debug') continue;
      const data = item.data as Record<string, unknown>;
      messages.push({
        id: String(data.id),
        name: data.name as string | undefined,
        level: data.level as number | undefined,
        value: decode(data),
        raw: data,
      });
    }
    for (const wake of waiters) wake();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ subscribe: 'debug' }));
  return {
    messages,
    waitFor(match, ms = 10_000, mark = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.slice(mark).find(match);
          if (!found) return false;
          waiters.delete(wake);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const wake = () => void check();
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(
            new Error(
              `no such debug message within ${ms} ms; seen:\n${messages
                .slice(mark)
                .map((m) => `${m.id} ${JSON.stringify(m.value).slice(0, 200)}`)
                .join('\n')}`,
            ),
          );
        }, ms);
        if (!check()) waiters.add(wake);
      });
    },
    close: () => ws.close(),
  };
}
