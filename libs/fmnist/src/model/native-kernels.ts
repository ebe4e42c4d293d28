import * as tf from '@tensorflow/tfjs-node';
import { createTensorsTypeOpAttr } from '@tensorflow/tfjs-node/dist/nodejs_kernel_backend.js';

/** TensorFlow's own ReLU gradient, `dy * (x > 0)`, as a tfjs kernel. */
const RELU_GRAD = 'FashionReluGrad';

/**
 * `step(x, alpha)` (1 where x > 0, else alpha; NaN stays NaN) from native TensorFlow ops on
 * tensors of x's size and scalars: `alpha + (1 - alpha) * relu(sign(x))`.
 */
const nativeStep: tf.KernelFunc = ({ inputs, attrs }) => {
  const { x } = inputs as { x: tf.Tensor };
  const alpha = (attrs as { alpha?: number } | undefined)?.alpha ?? 0;
  return tf.tidy(() => {
    const positive = tf.relu(tf.sign(tf.cast(x, 'float32')));
    return alpha === 0 ? positive : tf.add(tf.mul(positive, 1 - alpha), alpha);
  });
};

const nativeReluGrad: tf.KernelFunc = ({ inputs, backend }) => {
  const { dy, x } = inputs as { dy: tf.Tensor; x: tf.Tensor };
  return (backend as NodeBackend).executeSingleOutput(
    'ReluGrad',
    [createTensorsTypeOpAttr('T', x.dtype)],
    [dy, x],
  );
};

type NodeBackend = {
  executeSingleOutput(
    name: string,
    attributes: ReturnType<typeof createTensorsTypeOpAttr>[],
    inputs: tf.Tensor[],
  ): tf.TensorInfo;
};

/**
 * Replaces two slow paths of tfjs-node's training with native TensorFlow ops, same values:
 * - The Step kernel, which the gradients of fused ReLUs call: it filled tensors of ones and of
 *   alpha the size of the activations in JavaScript and copied them into TensorFlow. On the
 *   default architecture that was a third of each training step.
 * - The gradient of ReLU, three ops over the activations (step, cast, multiply) where TensorFlow
 *   has one, `ReluGrad` (a NaN activation gets a zero gradient there instead of NaN).
 */
export function useNativeTrainingKernels(): void {
  if (tf.getKernel(tf.Step, 'tensorflow')?.kernelFunc === nativeStep) return;
  tf.unregisterKernel(tf.Step, 'tensorflow');
  tf.registerKernel({
    kernelName: tf.Step,
    backendName: 'tensorflow',
    kernelFunc: nativeStep,
  });
  tf.registerKernel({
    kernelName: RELU_GRAD,
    backendName: 'tensorflow',
    kernelFunc: nativeReluGrad,
  });
  tf.registerGradient({
    kernelName: tf.Relu,
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({
      x: () =>
        tf.engine().runKernel<tf.Tensor>(RELU_GRAD, { dy: dy as tf.Tensor, x }),
    }),
  });
}
