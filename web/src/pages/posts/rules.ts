// The post rules of API.md, checked as the user types; the API checks them again and its own
// message wins when it disagrees.
export const TITLE_MAX = 300;
export const TEXT_MAX = 40_000;
export const URL_MAX = 2000;

export function communityProblem(value: string): string | undefined {
  if (value.length === 0) return 'Community is required.';
  if (value.length < 3 || value.length > 32) return 'Community must be 3 to 32 characters.';
  if (!/^[a-z0-9_]+$/.test(value)) return 'Community may contain only lower-case letters, digits and _.';
  return undefined;
}

export function titleProblem(value: string): string | undefined {
  if (value.trim().length === 0) return 'Title is required.';
  if (value.length > TITLE_MAX) return `Title must be at most ${TITLE_MAX} characters.`;
  return undefined;
}

export function textProblem(value: string): string | undefined {
  if (value.length > TEXT_MAX) return `Text must be at most ${TEXT_MAX} characters.`;
  return undefined;
}

/** Optional: empty is fine, anything else must be an http(s) address. */
export function urlProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > URL_MAX) return `Link must be at most ${URL_MAX} characters.`;
  try {
    const url = new URL(value);
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '') return undefined;
  } catch {
    // not a URL at all: same message
  }
  return 'Link must be an http:// or https:// address.';
}
