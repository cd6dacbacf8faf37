/** The settings of the gbdt and rf models, shared by the Train classifier and Train regressor cells. */
import type { TreeSettings } from '../trainers/config.ts';
import { NumberField, SelectField } from './fields.tsx';

/** Fields of the chosen tree model; every change hands back the whole `trees` settings object. */
export function TreeSettingsFields({ model, trees, onChange, testPrefix }: {
  model: 'gbdt' | 'rf'; trees: TreeSettings; onChange: (trees: TreeSettings) => void; testPrefix: string;
}) {
  const g = trees.gbdt;
  const r = trees.rf;
  const setG = (patch: Partial<TreeSettings['gbdt']>) => onChange({ ...trees, gbdt: { ...g, ...patch } });
  const setR = (patch: Partial<TreeSettings['rf']>) => onChange({ ...trees, rf: { ...r, ...patch } });
  if (model === 'gbdt') {
    return (
      <>
        <NumberField label="learning rate" value={g.learningRate} min={0} testId={`${testPrefix}-gbdt-lr`} onChange={(learningRate) => setG({ learningRate })} />
        <NumberField label="max iterations (trees)" value={g.maxIter} min={1} step={1} testId={`${testPrefix}-gbdt-iter`} onChange={(maxIter) => setG({ maxIter: Math.round(maxIter) })} />
        <NumberField label="max leaves per tree" value={g.maxLeafNodes} min={2} step={1} testId={`${testPrefix}-gbdt-leaves`} onChange={(maxLeafNodes) => setG({ maxLeafNodes: Math.round(maxLeafNodes) })} />
        <NumberField label="max depth (0 = none)" value={g.maxDepth ?? 0} min={0} step={1} onChange={(d) => setG({ maxDepth: d >= 1 ? Math.round(d) : null })} />
        <NumberField label="min samples per leaf" value={g.minSamplesLeaf} min={1} step={1} onChange={(minSamplesLeaf) => setG({ minSamplesLeaf: Math.round(minSamplesLeaf) })} />
        <NumberField label="L2 on leaf values" value={g.l2} min={0} onChange={(l2) => setG({ l2 })} />
        <SelectField label="early stopping (validation split)" value={g.earlyStopping ? 'on' : 'off'} testId={`${testPrefix}-gbdt-early-stopping`} options={[['on', 'on'], ['off', 'off']]} onChange={(v) => setG({ earlyStopping: v === 'on' })} />
        <NumberField label="patience" unit="iterations" value={g.patience} min={1} step={1} onChange={(patience) => setG({ patience: Math.round(patience) })} />
      </>
    );
  }
  return (
    <>
      <NumberField label="trees" value={r.nTrees} min={1} step={1} testId={`${testPrefix}-rf-trees`} onChange={(nTrees) => setR({ nTrees: Math.round(nTrees) })} />
      <NumberField label="max depth (0 = none)" value={r.maxDepth ?? 0} min={0} step={1} onChange={(d) => setR({ maxDepth: d >= 1 ? Math.round(d) : null })} />
      <NumberField label="min samples to split" value={r.minSamplesSplit} min={2} step={1} onChange={(minSamplesSplit) => setR({ minSamplesSplit: Math.round(minSamplesSplit) })} />
      <NumberField label="min samples per leaf" value={r.minSamplesLeaf} min={1} step={1} onChange={(minSamplesLeaf) => setR({ minSamplesLeaf: Math.round(minSamplesLeaf) })} />
    </>
  );
}

/** One line naming a trained tree model, e.g. "gradient-boosted trees (100 × 31 leaves, lr 0.1)". */
export function treeModelLabel(model: 'gbdt' | 'rf', trees: TreeSettings): string {
  return model === 'gbdt'
    ? `gradient-boosted trees (≤ ${trees.gbdt.maxIter} × ${trees.gbdt.maxLeafNodes} leaves, lr ${trees.gbdt.learningRate})`
    : `random forest (${trees.rf.nTrees} trees, depth ${trees.rf.maxDepth ?? 'unlimited'})`;
}
