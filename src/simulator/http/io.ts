// Reading request bodies and writing answers.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { formInvalid } from '../errors';

const BODY_LIMIT_BYTES = 1024 * 1024;

export function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= BODY_LIMIT_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** An empty body is `{}`; anything else must be JSON (UTF-8), or the answer is 9015. */
export function parseJsonBody(raw: Buffer): unknown {
  if (raw.length > BODY_LIMIT_BYTES) throw formInvalid('request body too large');
  const text = raw.toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw formInvalid('request body is not valid JSON');
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const payload = Buffer.from(JSON.stringify(body ?? {}), 'utf8');
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': payload.length,
  });
  response.end(payload);
}

/** What a proxy in front of the API answers when the service behind it is down: HTML, not JSON. */
export function sendGatewayFailure(response: ServerResponse, status: number): void {
  const reason = {
    500: 'Internal Server Error',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
    504: 'Gateway Time-out',
  }[status];
  const payload = Buffer.from(
    `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n<center><h1>${status} ${reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
  );
  response.writeHead(status, { 'Content-Type': 'text/html', 'Content-Length': payload.length });
  response.end(payload);
}

/** A header's first value; Node lower-cases header names. */
export function headerValue(source: { headers: IncomingHttpHeaders }, name: string): string | undefined {
  const value = source.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
