// docs/losses.md Part 2's losses as NumPy code (float64, the reference): soft Jaccard, Tversky,
// focal Tversky, SMP's Dice and −log forms, focal, Lovász-softmax and Dice + focal. The loss and its
// variant are fixed by the configuration; its numbers are the function's parameters. Written from
// the spec, checked against `dicelab loss` for every option combination (tests/js/codegen.test.mjs).

import { KINDS, variantOf } from './options.js';

/** A Python float literal. */
const num = (x) => {
  const s = String(Number(x));
  return /[.e]/.test(s) ? s : `${s}.0`;
};

/** The page state's view of a LossConfig (what `variantOf` reads). */
const stateOf = (cfg) => ({ loss: cfg.kind, variant: cfg.variant });

/** The function's parameters: name, Python default, one line of documentation. */
function params(cfg) {
  const kind = cfg.kind;
  const variant = variantOf(stateOf(cfg));
  const region = ['dice', 'jaccard', 'tversky', 'focal-tversky', 'dice+focal'].includes(kind);
  const focal = kind === 'focal' || kind === 'dice+focal';
  const p = [];
  // Lovász has no smoothing, no clamp; its `batch` is SMP's per_image=False.
  if (region) {
    p.push(['smooth_nr', num(cfg['smooth-nr']), 'numerator smoothing']);
    p.push(['smooth_dr', num(cfg['smooth-dr']), 'denominator smoothing']);
  }
  if (kind === 'tversky' || kind === 'focal-tversky') {
    p.push(['alpha', num(cfg.alpha ?? KINDS[kind].alpha[variant]), 'weight of the false positives P − I']);
    p.push(['beta', num(cfg.beta), 'weight of the false negatives R − I']);
  }
  if (focal) p.push(['alpha', cfg.alpha === null || cfg.alpha === undefined ? 'None' : num(cfg.alpha), 'focal weight of the true side (None: unweighted)']);
  if (kind === 'focal-tversky' || focal) p.push(['gamma', num(cfg.gamma ?? KINDS[kind].gamma[variant]), kind === 'focal-tversky' ? 'the exponent' : 'the focusing exponent of (1 − q)']);
  if (kind === 'dice+focal') {
    p.push(['lambda_dice', num(cfg['lambda-dice']), 'weight of the Dice term']);
    p.push(['lambda_focal', num(cfg['lambda-focal']), 'weight of the focal term']);
  }
  if ((region && variant === 'smp') || cfg['log-loss']) p.push(['eps', num(cfg.eps), 'clamp of the denominator and of the −log']);
  if (kind !== 'focal') p.push(['batch', cfg.aggregation === 'global' ? 'True' : 'False', 'True: one set of sums over the whole batch; False: one per image']);
  p.push(['reduction', JSON.stringify(cfg.reduction), '"mean" or "sum"']);
  p.push(['include_background', cfg['include-background'] ? 'True' : 'False', 'whether class 0 takes part']);
  if (kind !== 'focal') p.push(['sigmoid', cfg.activation === 'sigmoid' ? 'True' : 'False', 'a sigmoid per class instead of the softmax']);
  p.push(['ignore_index', String(cfg['ignore-index']), 'label of unlabelled pixels: they take part in nothing']);
  return p;
}

/** Python lines computing the region score S[a, l] from I, R, P (docs/losses.md 2.1). */
function score(cfg, variant) {
  const kind = cfg.kind === 'dice+focal' ? 'dice' : cfg.kind;
  if (kind === 'dice' && variant === 'monai') {
    return cfg.formula === 'seed'
      ? ['S = 2.0 * (I + smooth_nr) / (R + P + smooth_dr)  # the seed formula: 1 − S']
      : ['S = (2.0 * I + smooth_nr) / (R + P + smooth_dr)'];
  }
  if (kind === 'jaccard' && variant === 'monai') return ['S = (2.0 * I + smooth_nr) / (2.0 * (R + P - I) + smooth_dr)'];
  const [a, b] = { dice: ['0.5', '0.5'], jaccard: ['1.0', '1.0'] }[kind] ?? ['alpha', 'beta'];
  const L = [`D = I + ${a} * (P - I) + ${b} * (R - I) + smooth_dr  # Tversky's denominator`];
  L.push(variant === 'smp' ? 'S = (I + smooth_nr) / np.maximum(D, eps)  # SMP clamps it' : 'S = (I + smooth_nr) / D');
  return L;
}

/** The Python function body (unindented) for `cfg`. */
function body(cfg) {
  const kind = cfg.kind;
  const variant = variantOf(stateOf(cfg));
  const L = [
    'z = np.asarray(logits, dtype=np.float64)',
    'y = np.asarray(labels).astype(np.int64)',
    'if y.shape != z.shape[:-1]:',
    '    raise ValueError(f"labels {y.shape} do not match logits {z.shape}")',
    'C = z.shape[-1]',
    'valid = y != ignore_index',
    'y = np.where(valid, y, 0)',
    'first = 0 if include_background else 1',
    'mask = valid[..., None].astype(np.float64)',
    'r = np.eye(C)[y] * mask',
  ];
  const region = kind !== 'focal';
  if (region) {
    L.push('if sigmoid:', '    p = np.exp(-np.logaddexp(0.0, -z))', 'else:', '    e = np.exp(z - z.max(axis=-1, keepdims=True))', '    p = e / e.sum(axis=-1, keepdims=True)');
    L.push('axes = tuple(range(z.ndim - 1)) if batch else tuple(range(1, z.ndim - 1))');
    L.push('R = r.sum(axis=axes)[..., first:]  # [unit, class] (global: [class])');
  }
  const focal = kind === 'focal' || kind === 'dice+focal';
  let out = [];
  if (kind === 'lovasz') {
    L.push(
      '# Per unit and present class: the errors sorted in decreasing order (ties: pixel order), and',
      '# the Jaccard-loss increments along them in closed form (docs/losses.md 2.7).',
      'units = [(slice(None),)] if batch else [(b,) for b in range(z.shape[0])]',
      'unit_losses, total = [], 0.0',
      'for u in units:',
      '    v = valid[u].reshape(-1)',
      '    pu, ru = p[u].reshape(-1, C)[v], r[u].reshape(-1, C)[v]',
      '    lam = []',
      '    for l in range(first, C):',
      '        fg = ru[:, l]',
      '        Rl = fg.sum()',
      '        if Rl == 0:',
      '            continue  # only the classes present in the unit',
      '        err = np.abs(fg - pu[:, l])',
      '        order = np.argsort(-err, kind="stable")',
      '        fgs = fg[order]',
      '        F = np.cumsum(fgs)',
      '        Bk = np.cumsum(1.0 - fgs)',
      '        with np.errstate(divide="ignore", invalid="ignore"):',
      '            delta = np.where(fgs == 1.0, 1.0 / (Rl + Bk), (Rl - F) / ((Rl + Bk) * (Rl + Bk - 1.0)))',
      '        lam.append(float((delta * err[order]).sum()))',
      '    unit_losses.append(float(np.mean(lam)) if lam else 0.0)',
      '    total += float(np.sum(lam))',
      'return float(np.mean(unit_losses)) if reduction == "mean" else total',
    );
    return L;
  }
  if (region) {
    L.push('I = (r * p * mask).sum(axis=axes)[..., first:]');
    const squared = cfg.squared ? ' ** 2' : '';
    L.push(`P = ((p * mask)${squared}).sum(axis=axes)[..., first:]`);
    L.push(...score(cfg, variant));
    if (kind === 'focal-tversky' && variant === 'paper') L.push('t = np.maximum(1.0 - S, 0.0) ** (1.0 / gamma)');
    else if (cfg['log-loss']) L.push('t = -np.log(np.maximum(S, eps))');
    else L.push('t = 1.0 - S');
    if (variant === 'smp') L.push('t = t * (R > 0)  # SMP: an absent class\'s term is zeroed, still counted below');
    L.push('region = t.mean() if reduction == "mean" else t.sum()');
    if (kind === 'focal-tversky' && variant === 'smp') L.push('region = max(region, 0.0) ** gamma  # SMP: the power of the mean');
    out.push(kind === 'dice+focal' ? 'lambda_dice * region' : 'region');
  }
  if (focal) {
    const softmax = kind === 'focal' && cfg['focal-activation'] === 'softmax';
    if (softmax) {
      L.push(
        'z_y = np.take_along_axis(z, y[..., None], axis=-1)[..., 0]',
        'm = z.max(axis=-1)',
        'lse = m + np.log(np.exp(z - m[..., None]).sum(axis=-1))',
        'nll = lse - z_y  # −log q, q = p of the true class',
        'one_minus_q = (np.exp(z - lse[..., None]) * (1.0 - np.eye(C)[y])).sum(axis=-1)',
        'w = 1.0 if alpha is None else np.where(y == 0, 1.0 - alpha, alpha)',
        'f = (w * one_minus_q ** gamma * nll)[valid]',
        'Z = valid.sum()',
      );
    } else {
      L.push(
        'u = np.where(r > 0, z, -z)[..., first:]  # the logit of the true side',
        'nll = np.logaddexp(0.0, -u)  # −log sigmoid(u)',
        'one_minus_q = np.exp(-np.logaddexp(0.0, u))  # sigmoid(−u)',
        'w = 1.0 if alpha is None else np.where(r[..., first:] > 0, alpha, 1.0 - alpha)',
        'f = (w * one_minus_q ** gamma * nll)[valid]',
      );
      const perElement = kind === 'dice+focal' || variant === 'smp';
      L.push(perElement ? 'Z = valid.sum() * (C - first)  # every (pixel, class) element' : 'Z = valid.sum()  # MONAI: the pixels');
    }
    if (kind === 'dice+focal') L.push('focal = f.sum() / Z if Z else 0.0');
    else L.push('focal = (f.sum() / Z if Z else 0.0) if reduction == "mean" else f.sum()');
    out.push(kind === 'dice+focal' ? 'lambda_focal * focal' : 'focal');
  }
  L.push(`return float(${out.join(' + ')})`);
  return L;
}

/** The NumPy source of a Part 2 configuration: `header` lines first, the function after. */
export function part2Numpy(cfg, header) {
  const ps = params(cfg);
  const sig = ps.map(([n, v]) => `${n}=${v}`);
  const lines = [...header, 'import numpy as np', '', ''];
  let line = 'def loss(logits, labels,';
  for (const s of sig) {
    if (line.length + s.length + 2 > 100) {
      lines.push(line);
      line = `         ${s},`;
    } else line += ` ${s},`;
  }
  lines.push(`${line.slice(0, -1)}):`);
  lines.push('    """logits: (N, H, W, C) floats, channels last; labels: (N, H, W) integers. Returns a float.', '', '    Args (defaults: the configuration above):');
  for (const [n, , doc] of ps) lines.push(`        ${n}: ${doc}.`);
  lines.push('    """');
  lines.push(...body(cfg).map((l) => `    ${l}`));
  return `${lines.join('\n')}\n`;
}
