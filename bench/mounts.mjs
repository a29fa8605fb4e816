// Where the benchmark server finds TensorFlow.js: URL prefixes of bench.html's engines mapped to
// node_modules (pinned in package.json), so tfjs is served locally and never enters dist/.
import { resolve } from 'node:path';

const TF = resolve(import.meta.dirname, '../node_modules/@tensorflow');

export const TFJS_MOUNTS = {
  '/tfjs/union/': `${TF}/tfjs/dist`,
  '/tfjs/wasm/': `${TF}/tfjs-backend-wasm/dist`,
  '/tfjs/webgpu/': `${TF}/tfjs-backend-webgpu/dist`,
};
