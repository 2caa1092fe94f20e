import * as tf from '@tensorflow/tfjs';
import { crnnForward, type CrnnWeights } from './crnn';
import { memberWeights, modelMembers, type ModelNetworks } from './ensemble';

/**
 * Inference frame probabilities [batch, steps, classes] of a model: the sigmoid output of each member of its
 * ensemble (one for a plain model), averaged. `input` is normalised and padded as crnnForward needs.
 */
export function ensembleProbabilities(weights: CrnnWeights, networks: ModelNetworks, classes: number, input: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const shape = { melBands: input.shape[2], classes };
    const members = modelMembers(networks);
    const outputs = members.map((m) => {
      const x = m.input ? tf.add(tf.mul(input, tf.tensor1d(m.input.scale)), tf.tensor1d(m.input.shift)) as tf.Tensor3D : input;
      return tf.sigmoid(crnnForward(memberWeights(weights, m, shape), m.architecture, x, { training: false }).logits);
    });
    return (outputs.length === 1 ? outputs[0] : tf.div(tf.addN(outputs), outputs.length)) as tf.Tensor3D;
  });
}
