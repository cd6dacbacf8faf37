/** The MLP gradient helper for node threads (`mlpGradient.ts`): the browser helper's operation on node's wasm backend. */
import * as tf from '@tensorflow/tfjs';
import { registerNodeBackends } from '../trainers/backends.node.ts';
import { mlpGradientHandlers } from '../workers/mlpGradientHandlers.ts';
import type { MlpGradientOps } from '../workers/mlpGradientProtocol.ts';
import { serveRequests, type WorkerScope } from '../workers/workerServer.ts';

declare const self: WorkerScope;

const ready = registerNodeBackends(tf).then(() => tf.setBackend('wasm'));
serveRequests<MlpGradientOps>(self, mlpGradientHandlers(tf, ready));
