/** The placeholder main job until training lands: fits y = 3x − 2 with autograd and prints progress. */
import { manualSeed, randn, scalar, tensor } from './index.js';

manualSeed(0);
const x = randn([256, 1]);
const y = x.mul(3).sub(2);
const w = scalar(0).requiresGrad_();
const b = scalar(0).requiresGrad_();
for (let step = 0; step <= 200; step++) {
  const loss = x.mul(w).add(b).sub(y).square().mean();
  loss.backward();
  w.assign(w.sub(w.grad!.mul(0.1)).detach());
  b.assign(b.sub(b.grad!.mul(0.1)).detach());
  w.zeroGrad();
  b.zeroGrad();
  if (step % 50 === 0) console.log(`step ${step}: loss ${loss.item().toFixed(6)}`);
}
console.log(`fitted w = ${w.item().toFixed(4)} (true 3), b = ${b.item().toFixed(4)} (true -2)`);
console.log(tensor([[1, 2], [3, 4]]).matmul(tensor([[5], [6]])).toString());
