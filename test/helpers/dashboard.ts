// The FlowFuse Dashboard 2 that `npm start` links into its user directory, installed once per machine
// into ~/.cache/node-red-gizwits/dashboard/<minor> (scripts/dashboard.js; .ci/run fills it ahead), so
// that the suite does not install it from the npm registry on every run.
import path from 'node:path';

const dashboard = require(path.resolve(__dirname, '..', '..', 'scripts', 'dashboard.js')) as {
  DEFAULT_CACHE: string;
  installDashboard(dir: string, options?: { log?: (text: string) => void }): Promise<{ error?: string }>;
};

/** The first run of a machine installs it (about 10 s with a warm npm cache). */
export const DASHBOARD_PREPARE_MS = 300_000;

/** The cache folder, installed; for GIZWITS_DASHBOARD_DIR. */
export async function dashboardCache(): Promise<string> {
  const result = await dashboard.installDashboard(dashboard.DEFAULT_CACHE, { log: () => undefined });
  if (result.error) throw new Error(`the dashboard cache could not be prepared: ${result.error}`);
  return dashboard.DEFAULT_CACHE;
}
