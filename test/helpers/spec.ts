// The seed's tables, read from test/fixtures (copies of ../shared/spec, compared with it when present).
import fs from 'node:fs';
import path from 'node:path';

export const FIXTURES = path.join(__dirname, '..', 'fixtures');
export const SHARED_SPEC = path.join(__dirname, '..', '..', '..', 'shared', 'spec');

export interface SpecRow {
  operation: string;
  route: string;
  title: string;
  note: string;
}

export function readEndpointRows(file = path.join(FIXTURES, 'endpoints.tsv')): SpecRow[] {
  const lines = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  return lines.slice(1).map((line) => {
    const [operation, route, title, note = ''] = line.split('\t');
    return { operation, route, title, note };
  });
}

export interface SpecError {
  code: number;
  name: string;
  message: string;
}

export function readErrorTable(file = path.join(FIXTURES, 'error-codes.txt')): SpecError[] {
  const text = fs.readFileSync(file, 'utf8');
  const start = text.indexOf('错误码 错误类别 描述');
  return text
    .slice(start)
    .split('\n')
    .slice(1)
    .map((line) => line.split(' '))
    .filter((parts) => parts.length >= 3 && /^\d+$/.test(parts[0]))
    .map(([code, name, ...message]) => ({ code: Number(code), name, message: message.join(' ') }));
}
