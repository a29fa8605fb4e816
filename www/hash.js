// The page's whole state in the URL hash, so that a link reproduces a run: `#loss=gdl&seed=3`,
// `ab=1&b.formula=seed` for an A/B comparison, `story=smoothing` for a story (options after it refine
// it), `hide=data,lr` or `show=formula,reduction` for an embed. A hash with no setting at all tells
// the default story. Anything invalid falls back to its default and is reported as a notice; nothing
// in a hash can break the page.

import { OPTIONS, BY_KEY, GROUPS, PRESETS, defaults, check } from './options.js';
import { BY_STORY, DEFAULT_STORY, storyStates } from './stories.js';

const MAX_HASH = 4096;
const MAX_SHOWN = 40;

const shown = (s) => (s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN)}…` : s);

/** What can be hidden: option keys and group names. */
export function hideable() {
  return new Set([...OPTIONS.map((o) => o.key), ...GROUPS.map((g) => g.key), 'ab', 'presets', 'code', 'formula-view', 'gradient-view', 'tensors']);
}

/** What run B of a story sets differently from its run A. */
function storyOverrides(story) {
  const { a, b } = storyStates(story);
  return Object.fromEntries(OPTIONS.filter((o) => b[o.key] !== a[o.key]).map((o) => [o.key, b[o.key]]));
}

/** Keys that are not settings: they leave the default story in place. */
const VIEW_KEYS = new Set(['hide', 'show']);

/**
 * Parses a location hash.
 * @returns {{a: object, b: object, ab: boolean, story: string|null, hide: Set<string>,
 *   show: Set<string>|null, notices: string[]}}
 */
export function parseHash(hash) {
  const notices = [];
  let a = defaults();
  let bOverrides = {};
  let ab = false;
  let story = null;
  const hide = new Set();
  let show = null;
  let text = String(hash ?? '').replace(/^#/, '');
  if (text.length > MAX_HASH) {
    notices.push(`The link's state is too long (${text.length} characters); only the first ${MAX_HASH} were read.`);
    text = text.slice(0, MAX_HASH);
  }
  const pairs = [];
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    let key;
    let value;
    try {
      key = decodeURIComponent(rawKey);
      value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
    } catch {
      notices.push(`Ignored '${shown(part)}': bad percent-encoding.`);
      continue;
    }
    pairs.push([key, value]);
  }
  // A story first, then a preset, so that single options in the same link refine them.
  for (const [key, value] of pairs) {
    if (key !== 'story') continue;
    if (Object.hasOwn(BY_STORY, value)) story = value;
    else notices.push(`Unknown story '${shown(value)}' ignored.`);
  }
  if (story === null && pairs.every(([key]) => VIEW_KEYS.has(key) || key === 'story')) story = DEFAULT_STORY;
  if (story !== null) {
    a = storyStates(BY_STORY[story]).a;
    bOverrides = storyOverrides(BY_STORY[story]);
    ab = true;
  }
  for (const [key, value] of pairs) {
    if (key !== 'preset') continue;
    if (Object.hasOwn(PRESETS, value)) Object.assign(a, PRESETS[value]);
    else notices.push(`Unknown preset '${shown(value)}'; kept the default loss.`);
  }
  const known = hideable();
  for (const [key, value] of pairs) {
    if (key === 'preset' || key === 'story') continue;
    if (key === 'ab') {
      if (value === '1' || value === 'true') ab = true;
      else if (value === '0' || value === 'false') ab = false;
      else notices.push(`ab: '${shown(value)}' is not 1 or 0; A/B is ${ab ? 'on' : 'off'}.`);
      continue;
    }
    if (key === 'show') {
      show = new Set();
      for (const h of value.split(',').filter(Boolean)) {
        if (known.has(h)) show.add(h);
        else notices.push(`show: unknown item '${shown(h)}' ignored.`);
      }
      continue;
    }
    if (key === 'hide') {
      for (const h of value.split(',').filter(Boolean)) {
        if (known.has(h)) hide.add(h);
        else notices.push(`hide: unknown item '${shown(h)}' ignored.`);
      }
      continue;
    }
    const isB = key.startsWith('b.');
    const name = isB ? key.slice(2) : key;
    const opt = Object.hasOwn(BY_KEY, name) ? BY_KEY[name] : null;
    if (!opt) {
      notices.push(`Ignored unknown setting '${shown(key)}'.`);
      continue;
    }
    if (isB && !opt.ab) {
      notices.push(`'${shown(key)}': run B can differ from A in loss, optimiser and annotation settings only.`);
      continue;
    }
    const r = check(name, value);
    if ('error' in r) {
      notices.push(`${r.error}; using ${isB ? 'run A\'s value' : `the default ${opt.default}`}.`);
      continue;
    }
    if (isB) bOverrides[name] = r.value;
    else a[name] = r.value;
  }
  if (!ab) bOverrides = {};
  return { a, b: { ...a, ...bOverrides }, ab, story, hide, show, notices };
}

/**
 * The hash for a state: only what differs from the defaults, or from the story's runs (and, for
 * B, from A). The default story with nothing changed is the empty hash.
 */
export function toHash({ a, b, ab, story = null, hide, show = null }) {
  const base = story ? storyStates(BY_STORY[story]).a : defaults();
  const overrides = story ? storyOverrides(BY_STORY[story]) : {};
  const parts = [];
  const enc = (k, v) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v ?? 'auto'))}`;
  for (const o of OPTIONS) {
    if (a[o.key] !== base[o.key]) parts.push(enc(o.key, a[o.key]));
  }
  if (ab !== Boolean(story)) parts.push(`ab=${ab ? 1 : 0}`);
  if (ab) {
    for (const o of OPTIONS) {
      const expected = Object.hasOwn(overrides, o.key) ? overrides[o.key] : a[o.key];
      if (o.ab && b[o.key] !== expected) parts.push(enc(`b.${o.key}`, b[o.key]));
    }
  }
  const settings = parts.length;
  if (story && (story !== DEFAULT_STORY || settings)) parts.unshift(`story=${story}`);
  // A view-only hash (hide=, show=) already tells the default story.
  if (story === null && !settings) parts.push('ab=0');
  if (hide && hide.size) parts.push(`hide=${[...hide].map(encodeURIComponent).join(',')}`);
  if (show) parts.push(`show=${[...show].map(encodeURIComponent).join(',')}`);
  return parts.length ? `#${parts.join('&')}` : '';
}
