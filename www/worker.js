// The training worker: the trainer (trainer.js) behind the worker's message port.

import { startTrainer } from './trainer.js';

const handle = startTrainer((message, transfer) => postMessage(message, transfer));
onmessage = (e) => handle(e.data);
