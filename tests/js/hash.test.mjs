// The URL state: round trips, presets, A/B, and 500 random or malformed hashes that must never
// throw and must always leave every option valid, with a notice for what was dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHash, toHash } from '../../www/hash.js';
import { OPTIONS, check, defaults, PRESETS, sessionConfig } from '../../www/options.js';
import { STORIES, BY_STORY, DEFAULT_STORY, storyStates } from '../../www/stories.js';
import { mulberry32 } from '../../www/bench/protocol.js';

const allValid = (state) => OPTIONS.every((o) => !('error' in check(o.key, state[o.key])));

test('an empty hash tells the default story and is what it gives back', () => {
  const s = parseHash('');
  const { a, b } = storyStates(BY_STORY[DEFAULT_STORY]);
  assert.equal(s.story, DEFAULT_STORY);
  assert.equal(s.ab, true);
  assert.deepEqual(s.a, a);
  assert.deepEqual(s.b, b);
  assert.equal(s.notices.length, 0);
  assert.equal(toHash(s), '');
  // A view-only hash keeps the story; any setting leaves it.
  assert.equal(parseHash('#hide=data').story, DEFAULT_STORY);
  const plain = parseHash('#seed=3');
  assert.equal(plain.story, null);
  assert.equal(plain.ab, false);
  assert.deepEqual(plain.a, { ...defaults(), seed: 3 });
  // The defaults without a story are not the empty hash.
  const none = { a: defaults(), b: defaults(), ab: false, story: null, hide: new Set(), show: null };
  assert.deepEqual(parseHash(toHash(none)).a, defaults());
  assert.equal(parseHash(toHash(none)).story, null);
});

test('every story round-trips, and options after it refine it', () => {
  for (const st of STORIES) {
    const s = parseHash(`#story=${st.key}`);
    const want = storyStates(st);
    assert.deepEqual(s.a, want.a, st.key);
    assert.deepEqual(s.b, want.b, st.key);
    assert.equal(s.ab, true);
    const again = parseHash(toHash(s));
    assert.equal(again.story, st.key);
    assert.deepEqual(again.b, s.b, st.key);
  }
  const s = parseHash('#story=smoothing&seed=9&b.smooth=0.5&show=formula,reduction');
  assert.deepEqual(s.notices, []);
  assert.equal(s.a.seed, 9);
  assert.equal(s.b.seed, 9);
  assert.equal(s.a.formula, 'seed');
  assert.equal(s.b.formula, 'corrected');
  assert.equal(s.b.smooth, 0.5);
  assert.deepEqual([...s.show], ['formula', 'reduction']);
  const again = parseHash(toHash(s));
  for (const k of ['a', 'b', 'story', 'ab']) assert.deepEqual(again[k], s[k], k);
  assert.deepEqual([...again.show], ['formula', 'reduction']);
  assert.match(parseHash('#story=nope').notices[0], /Unknown story/);
  assert.equal(parseHash('#story=labelling').b.labels, 'sparse-ignore');
  assert.equal(parseHash('#story=labelling').a.labels, 'sparse');
});

test('a state round-trips through the hash', () => {
  const s = parseHash('#loss=gdl&weights=simple&smooth=0.001&bg=false&seed=77&ab=1&b.formula=seed&b.lr=0.003&hide=data,lr');
  assert.deepEqual(s.notices, []);
  assert.equal(s.a.loss, 'gdl');
  assert.equal(s.a.smooth, 0.001);
  assert.equal(s.a.bg, false);
  assert.equal(s.b.formula, 'seed');
  assert.equal(s.b.loss, 'gdl');
  assert.equal(s.b.lr, 0.003);
  assert.ok(s.ab);
  assert.deepEqual([...s.hide].sort(), ['data', 'lr']);
  const again = parseHash(toHash(s));
  assert.deepEqual(again.a, s.a);
  assert.deepEqual(again.b, s.b);
  assert.equal(again.ab, true);
});

test('a preset sets the loss and single options refine it', () => {
  const s = parseHash('#preset=seed-bug&smooth=2');
  assert.equal(s.a.formula, 'seed');
  assert.equal(s.a.reduction, 'sum');
  assert.equal(s.a.smooth, 2);
  for (const name of Object.keys(PRESETS)) assert.ok(allValid(parseHash(`#preset=${name}`).a));
});

test('invalid values fall back to defaults with a notice', () => {
  const s = parseHash('#loss=dyce&classes=99&lr=abc&seed=-1&bg=maybe&zzz=1&b.classes=3&%E0%A4%A=1&hide=nope');
  assert.deepEqual(s.a, defaults());
  assert.equal(s.notices.length, 9, s.notices.join('\n'));
  const proto = parseHash('#__proto__=1&constructor=x&toString=y');
  assert.deepEqual(proto.a, defaults());
  assert.equal(proto.notices.length, 3);
});

test('500 random and malformed hashes never throw and leave every option valid', () => {
  const rnd = mulberry32(99);
  const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
  const keys = [...OPTIONS.map((o) => o.key), ...OPTIONS.map((o) => `b.${o.key}`), 'ab', 'hide', 'preset', '', '=', '%', '__proto__', 'x'.repeat(5000)];
  const values = ['', '0', '1', '-1', '1e400', 'NaN', 'Infinity', '0x10', 'true', 'dice', 'seed', '%ZZ', '%E0%A4', 'a'.repeat(10000), '\u0000', '<script>', '3.5', '1e-9', 'data,loss,bogus'];
  for (let i = 0; i < 500; i++) {
    const n = Math.floor(rnd() * 12);
    const parts = [];
    for (let j = 0; j < n; j++) parts.push(rnd() < 0.1 ? pick(values) : `${pick(keys)}=${pick(values)}`);
    const hash = `#${parts.join(rnd() < 0.9 ? '&' : '&&')}`;
    const s = parseHash(hash);
    const at = `hash #${i}: ${hash.slice(0, 200)}`;
    assert.ok(allValid(s.a), at);
    assert.ok(allValid(s.b), at);
    assert.doesNotThrow(() => sessionConfig(s.a));
    assert.ok(s.notices.every((m) => typeof m === 'string' && m.length < 300), at);
    const again = parseHash(toHash(s));
    assert.deepEqual(again.a, s.a);
  }
});
