// The page's whole state in the URL hash, so that a link reproduces a run: `#loss=gdl&seed=3`,
// `ab=1&b.formula=seed` for an A/B comparison, `hide=data,lr` for an embed. Anything invalid falls
// back to its default and is reported as a notice; nothing in a hash can break the page.

import { OPTIONS, BY_KEY, GROUPS, PRESETS, defaults, check } from './options.js';

const MAX_HASH = 4096;
const MAX_SHOWN = 40;

const shown = (s) => (s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN)}…` : s);

/** What can be hidden: option keys and group names. */
export function hideable() {
  return new Set([...OPTIONS.map((o) => o.key), ...GROUPS.map((g) => g.key), 'ab', 'presets', 'code', 'formula-view', 'gradient-view']);
}

/**
 * Parses a location hash.
 * @returns {{a: object, b: object, ab: boolean, hide: Set<string>, notices: string[]}}
 */
export function parseHash(hash) {
  const notices = [];
  const a = defaults();
  const bOverrides = {};
  let ab = false;
  const hide = new Set();
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
  // A preset first, so that single options in the same link refine it.
  for (const [key, value] of pairs) {
    if (key !== 'preset') continue;
    if (Object.hasOwn(PRESETS, value)) Object.assign(a, PRESETS[value]);
    else notices.push(`Unknown preset '${shown(value)}'; kept the default loss.`);
  }
  const known = hideable();
  for (const [key, value] of pairs) {
    if (key === 'preset') continue;
    if (key === 'ab') {
      if (value === '1' || value === 'true') ab = true;
      else if (value !== '0' && value !== 'false') notices.push(`ab: '${shown(value)}' is not 1 or 0; A/B is off.`);
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
      notices.push(`'${shown(key)}': run B can differ from A in loss and optimiser settings only.`);
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
  return { a, b: { ...a, ...bOverrides }, ab, hide, notices };
}

/** The hash for a state: only what differs from the defaults (and, for B, from A). */
export function toHash({ a, b, ab, hide }) {
  const d = defaults();
  const parts = [];
  const enc = (k, v) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`;
  for (const o of OPTIONS) {
    if (a[o.key] !== d[o.key]) parts.push(enc(o.key, a[o.key]));
  }
  if (ab) {
    parts.push('ab=1');
    for (const o of OPTIONS) {
      if (o.ab && b[o.key] !== a[o.key]) parts.push(enc(`b.${o.key}`, b[o.key]));
    }
  }
  if (hide && hide.size) parts.push(`hide=${[...hide].map(encodeURIComponent).join(',')}`);
  return parts.length ? `#${parts.join('&')}` : '';
}
