import * as tl from 'tensile';
import '@tensile/backend-native';
tl.setBackend(process.env.BK || 'native');
const which = process.env.W || 'mlp';
const model = which === 'mlp' ? new tl.Sequential([new tl.Dense({ units: 256, activation: 'relu' }), new tl.Dense({ units: 128, activation: 'relu' }), new tl.Dense({ units: 2 })], { inputShape: [122] })
  : new tl.Sequential([new tl.Conv2D({ filters: 32, kernelSize: 3, activation: 'relu' }), new tl.MaxPool2D({ poolSize: 2 }), new tl.Conv2D({ filters: 64, kernelSize: 3, activation: 'relu' }), new tl.MaxPool2D({ poolSize: 2 }), new tl.Flatten(), new tl.Dense({ units: 128, activation: 'relu' }), new tl.Dense({ units: 10 })], { inputShape: [28, 28, 1] });
const x = which === 'mlp' ? tl.randn([256, 122]) : tl.rand([64, 28, 28, 1]);
const labels = tl.randint(0, which === 'mlp' ? 2 : 10, [which === 'mlp' ? 256 : 64]);
const opt = new tl.Adam(model.parameters(), { learningRate: 1e-3 });
const step = () => tl.scope(() => { opt.zeroGrad(); const loss = tl.softmaxCrossEntropy(model.forward(x), labels); loss.backward(); opt.step(); return loss.item(); });
for (let i = 0; i < 20; i++) step();
const n = Number(process.env.N || 200);
const u = process.cpuUsage(); const t = performance.now();
for (let i = 0; i < n; i++) step();
const wall = (performance.now() - t) / n; const c = process.cpuUsage(u); 
console.log(which, tl.getBackend().name, 'wall ms/step', wall.toFixed(2), 'cpu ms/step', ((c.user + c.system) / 1000 / n).toFixed(2));
