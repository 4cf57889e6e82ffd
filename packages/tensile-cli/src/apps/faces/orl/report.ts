/** report.md of a `tensile faces orl` run, from its results alone. */
import { markdownTable } from '../../report/stats.js';
import type { MethodResult, OrlResults } from './results.js';

const percent = (value: number): string => `${(100 * value).toFixed(2)}%`;
const meanStd = (m: { mean: number; std: number }): string => `${(100 * m.mean).toFixed(2)} ± ${(100 * m.std).toFixed(2)}`;

function methods(results: OrlResults): MethodResult[] {
  return [results.classifier, results.embedder].filter((m): m is NonNullable<typeof m> => m !== null);
}

function robustnessTable(results: OrlResults): string {
  const scored = methods(results);
  const rows = results.perturbations.flatMap((p) =>
    p.strengths.map((strength, i) => [
      p.kind,
      `${i + 1}`,
      `${p.unit} ${strength}`,
      ...scored.map((m) => meanStd(m.robustness.find((r) => r.kind === p.kind && r.level === i + 1)!)),
    ]),
  );
  return markdownTable(['perturbation', 'level', 'strength', ...scored.map((m) => `${m.method} (%)`)], [['none', '0', 'clean', ...scored.map(meanStd)], ...rows]);
}

export function orlReport(results: OrlResults): string {
  const scored = methods(results);
  const data = results.protocol === 'test'
    ? `the ${results.scoredPerPerson} test photographs of each of ${results.people} people, after training/enrolment on the other ${results.trainPerPerson}`
    : `VALIDATION: 1 training photograph per person held out (of ${results.people} people), training/enrolment on the other ${results.trainPerPerson}; no test photograph is used`;
  const lines = [
    `# ORL face identification${results.protocol === 'validation' ? ' (validation)' : ''}`,
    '',
    `Scored on ${data}; one split per seed (${results.seeds.join(', ')}). Accuracy is mean ± sample std over the splits.`,
    '',
    markdownTable(
      ['method', 'accuracy (%)', ...results.seeds.map((s) => `seed ${s}`), 'time (s)'],
      scored.map((m) => [m.method, meanStd(m), ...m.accuracies.map(percent), m.seconds.toFixed(0)]),
    ),
    '',
  ];
  if (results.classifier) {
    const { epochs, batchSize, learningRate } = results.classifier.recipe;
    lines.push(
      `Classifier: photographs downsampled to 46×56, random flips and ±5° / ±5% rotations, zooms and shifts, three conv-BN-ReLU-pool stages (32, 64, 128 filters), dropout 0.5, softmax over the people; Adam ${learningRate} with cosine decay, ${epochs} epochs, batches of ${batchSize}.`,
      '',
    );
  }
  if (results.embedder) {
    lines.push(
      `Embedder \`${results.embedder.kind}\`: each photograph centred on a gray square twice its height (edges replicated), gray copied into RGB; enrolment = ${results.embedder.enrolment}; a photograph is the nearest enrolled person. Nothing is trained on ORL.`,
      '',
    );
  }
  if (results.protocol === 'test') {
    lines.push(
      '## Robustness',
      '',
      'The test photographs of every split under controlled perturbations (random ones seeded by the photograph, so the same in every split); training and enrolment photographs are clean. Rotation and scale are about the image centre, with black outside the photograph; the eye bar is centred at a fixed 48% of the height.',
      '',
      robustnessTable(results),
      '',
      ...(results.classifier ? ['![classifier robustness](robustness-classifier.png)', ''] : []),
      ...(results.embedder ? ['![embedder robustness](robustness-embedder.png)', ''] : []),
      '![perturbation examples](perturbations.png)',
      '',
    );
  }
  lines.push(`Run: \`${results.command}\` in ${results.seconds.toFixed(0)} s on ${results.machine}.`, '');
  return lines.join('\n');
}
