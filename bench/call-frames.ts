// How the profiling scripts (profile-top.ts, alloc.ts) name a place in V8's profiles: the function, and
// its file relative to this package or to node_modules, with its line.
import path from 'node:path';

export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

export function where(frame: CallFrame): string {
  const file = frame.url.replace(/^file:\/\//, '');
  const short = file.includes('node_modules/')
    ? file.slice(file.lastIndexOf('node_modules/') + 'node_modules/'.length)
    : path.relative(path.resolve(__dirname, '..'), file);
  return `${frame.functionName || '(anonymous)'} ${short ? `${short}:${frame.lineNumber + 1}` : ''}`.trim();
}
