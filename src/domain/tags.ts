import { ValidationFailed } from './errors.js';

export interface TagValue {
  key: string;
  value: string;
  operator: string;
}

const MAX_TAGS = 100;
const TAG = /<<<([^:<>]+):([^<>]*)>>>/g;

/**
 * Parses Retreaver's tag list: `<<<key:value>>>,<<<key:value>>>`. A blank string clears the tags.
 * Anything outside the brackets other than commas and spaces is a malformed list.
 */
export function parseTagList(list: string): TagValue[] {
  const tags: TagValue[] = [];
  const rest = list.replace(TAG, (_m, key: string, value: string) => {
    tags.push({ key: key.trim(), value: value.trim(), operator: '==' });
    return '';
  });
  if (rest.replace(/[\s,]/g, '') !== '') {
    throw ValidationFailed.field('tag_list', 'must be a comma separated list of <<<key:value>>> tags');
  }
  if (tags.length > MAX_TAGS) throw ValidationFailed.field('tag_list', `may hold at most ${MAX_TAGS} tags`);
  const seen = new Set<string>();
  return tags.filter((t) => {
    const id = `${t.key}\u0000${t.value}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

export function formatTagList(tags: Pick<TagValue, 'key' | 'value'>[]): string {
  return tags.map((t) => `<<<${t.key}:${t.value}>>>`).join(',');
}
