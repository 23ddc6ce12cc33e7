import type { EpochLogs } from '../train/callbacks.js';
import { lineChartSpec } from './plot.js';
import { renderSvg } from './render.js';

/** Train and validation (or test) loss and accuracy against epoch, side by side, as SVG. */
export async function curvesSvg(epochs: readonly EpochLogs[], heldOut: string): Promise<string> {
  const series = (key: keyof EpochLogs, scale = 1) =>
    epochs.filter((e) => typeof e[key] === 'number').map((e) => [e.epoch + 1, (e[key] as number) * scale] as const);
  const loss = lineChartSpec({
    title: 'loss', xLabel: 'epoch', yLabel: 'cross-entropy', width: 320, height: 220,
    series: [{ name: 'train', points: series('loss') }, { name: heldOut, points: series('valLoss') }],
  });
  const accuracy = lineChartSpec({
    title: 'accuracy', xLabel: 'epoch', yLabel: 'accuracy (%)', width: 320, height: 220,
    series: [{ name: 'train', points: series('accuracy', 100) }, { name: heldOut, points: series('valAccuracy', 100) }],
  });
  const strip = (spec: Record<string, unknown>) => {
    const { $schema: _s, config: _c, ...rest } = spec;
    return rest;
  };
  return renderSvg({
    $schema: loss.$schema,
    config: loss.config,
    hconcat: [strip(loss), strip(accuracy)],
  });
}
