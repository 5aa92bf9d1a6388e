import { GizwitsError, keyed } from './errors';

export type Region = 'cn' | 'us' | 'eu' | 'custom';

/** Open API hosts by region (docs/open-api.md). */
export const REGION_URLS: Readonly<Record<Exclude<Region, 'custom'>, string>> = {
  cn: 'https://api.gizwits.com',
  us: 'https://usapi.gizwits.com',
  eu: 'https://euapi.gizwits.com',
};

export function isRegion(value: unknown): value is Region {
  return value === 'cn' || value === 'us' || value === 'eu' || value === 'custom';
}

/** The Open API base URL for a region, or the given URL for `custom`, without a trailing slash. */
export function resolveApiUrl(region: Region | string | undefined, apiUrl?: string): string {
  const chosen = region || 'cn';
  if (chosen !== 'custom') {
    if (!isRegion(chosen)) {
      throw new GizwitsError({
        code: 'INVALID_CONFIG',
        ...keyed('config.unknownRegion', { region: chosen }),
      });
    }
    return REGION_URLS[chosen as Exclude<Region, 'custom'>];
  }
  const text = (apiUrl ?? '').trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new GizwitsError({
      code: 'INVALID_CONFIG',
      ...keyed('config.badUrl', { url: text }),
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new GizwitsError({
      code: 'INVALID_CONFIG',
      ...keyed('config.urlProtocol', { protocol: url.protocol }),
    });
  }
  if (url.username || url.password) {
    throw new GizwitsError({
      code: 'INVALID_CONFIG',
      ...keyed('config.urlCredentials', {}),
    });
  }
  return url.toString().replace(/\/+$/, '');
}
