// What every Node-RED this repository starts has in common (tests, bench, soak, `npm start` aside): the
// editor and admin API on loopback only, flows in flows.json beside a plain-text credentials file (as a
// headless deployment keeps its ${ENV} references), no tours and no projects.
import fs from 'node:fs';
import path from 'node:path';

export function redSettings(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    uiHost: '127.0.0.1',
    flowFile: 'flows.json',
    credentialSecret: false,
    editorTheme: { tours: false, projects: { enabled: false } },
    ...extra,
  };
}

/** Writes settings.js, flows.json and (when given) a plain-text flows_cred.json into `userDir`. */
export function writeUserDir(
  userDir: string,
  settings: Record<string, unknown>,
  flows: unknown[] = [],
  credentials?: Record<string, unknown>,
): string {
  const file = path.join(userDir, 'settings.js');
  fs.writeFileSync(file, `module.exports = ${JSON.stringify(settings, null, 2)};\n`);
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flows, null, 2));
  if (credentials)
    fs.writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify(credentials, null, 2));
  return file;
}
