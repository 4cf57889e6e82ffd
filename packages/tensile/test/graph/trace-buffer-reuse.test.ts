/**
 * Tracing on a backend that hands freed buffers out again (as the native backend's recycler does):
 * the storage a parameter held before the optimizer assigned it is freed during the trace, and a
 * later kernel's output may come back in that very buffer. The trace must still wire the parameter's
 * initial value, not that output: the compiled training step gives the eager bits.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  Adam, Dense, getBackend, jit, manualSeed, randint, randn, ReferenceBackend, registerBackend, Sequential, setBackend, softmaxCrossEntropy, type DataId, type Tensor, type TypedArray,
} from '../../src/index.js';

/** The reference backend, except that a result is written into the last freed buffer of its type and length. */
class ReusingBackend extends ReferenceBackend {
  override readonly name: string = 'reusing';
  private readonly freed: TypedArray[] = [];
  reused = 0;

  override free(id: DataId): void {
    super.free(id);
    this.freed.push(this.values(id));
  }

  protected override own(values: TypedArray): DataId {
    let i = this.freed.length - 1;
    while (i >= 0 && !(this.freed[i]!.constructor === values.constructor && this.freed[i]!.length === values.length)) i--;
    if (i < 0) return super.own(values);
    const [buffer] = this.freed.splice(i, 1) as [TypedArray];
    buffer.set(values);
    this.reused++;
    return super.own(buffer);
  }
}

const backend = new ReusingBackend();
registerBackend('reusing', () => backend, -10);

it('a compiled training step equals eager on a backend that reuses freed buffers', () => {
  const previous = getBackend().name;
  setBackend('reusing');
  try {
    const x = randn([16, 6]);
    const labels = randint(0, 3, [16]);
    const trainer = (compiled: boolean): (() => number) => {
      manualSeed(4);
      // Two biases of one length: the second one's update can come back in the buffer the first one's assign freed.
      const model = new Sequential([new Dense({ units: 8, activation: 'relu' }), new Dense({ units: 8, activation: 'relu' }), new Dense({ units: 3 })], { inputShape: [6] });
      const optimizer = new Adam(model.parameters(), { learningRate: 0.01 });
      const step = (xb: Tensor, yb: Tensor): Tensor => {
        optimizer.zeroGrad();
        const loss = softmaxCrossEntropy(model.forward(xb) as Tensor, yb);
        loss.backward();
        optimizer.step();
        optimizer.zeroGrad();
        return loss;
      };
      const run = compiled ? jit(step) : step;
      return () => run(x, labels).item();
    };
    const [eager, compiled] = [trainer(false), trainer(true)];
    for (let i = 0; i < 4; i++) assert.equal(compiled(), eager(), `step ${i}`);
    assert.ok(backend.reused > 0, 'the backend reused buffers');
  } finally {
    setBackend(previous);
  }
});
