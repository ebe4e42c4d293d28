/**
 * TensorFlow's threads for each op (intra-op) and for ops run side by side (inter-op) when neither
 * is set in the environment. TensorFlow reads `TF_NUM_INTRAOP_THREADS` and `TF_NUM_INTEROP_THREADS`
 * once, when tfjs-node is loaded, so this module is imported before anything that loads it.
 *
 * One of each: the classifier's model calls are small (a few to a few dozen 28x28 images), and
 * handing such a call to a pool of threads costs more CPU than it saves time. Measured on two
 * cores, prototype-cnn's graph, CPU per call: 1 image 1.07 -> 0.60 ms, 8 images 1.59 -> 0.59 ms,
 * 64 images 3.72 -> 2.24 ms; default-cnn at 64 images 5.4 -> 5.0 ms of CPU but 3.4 -> 5.1 ms of
 * wall time. Throughput comes from more replicas, each a core; 0 lets TensorFlow use every core.
 */
export const SERVING_TENSORFLOW_THREADS = 1;

for (const name of ['TF_NUM_INTRAOP_THREADS', 'TF_NUM_INTEROP_THREADS']) {
  process.env[name] ??= String(SERVING_TENSORFLOW_THREADS);
}
