// The drawing of a usage chart: stacked bars on a canvas, with uPlot (see the README's "Usage
// charts" for why uPlot, and its measured size and speed). Loaded on demand (React.lazy in
// UsageChart.tsx), so pages without a chart do not download it. Everything people read (the
// legend, the tooltip's figures, the table, the summary) is React in UsageChart.tsx; this
// file only draws, and reports which bucket the pointer is over.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { UsageBucket } from './usageRange';
import { axisLabel, metricValue, type Metric, type SeriesModel } from './usageSeries';

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 2 });

export interface UsagePlotProps {
  model: SeriesModel;
  metric: Metric;
  bucket: UsageBucket;
  timeZone: string;
  height: number;
  /** The bucket under the pointer (null when it leaves), and the pointer's x in CSS pixels from the plot's left edge (axis included). */
  onHover: (index: number | null, left: number) => void;
}

/**
 * uPlot draws bars from zero, so a stack is drawn as the cumulative sums, tallest first: each
 * group's bar is the running total up to it, painted over by the ones below it. Opaque fills
 * make that look (and read) exactly like stacked segments.
 */
function plotData(model: SeriesModel, metric: Metric): uPlot.AlignedData {
  const xs = model.starts.map((s) => Date.parse(s) / 1000);
  const running = model.starts.map(() => 0);
  const cumulative = model.cells.map((row) => row.map((cell, i) => (running[i] += metricValue(cell, metric))));
  return [xs, ...cumulative.reverse()];
}

/** Counts (requests, tokens) step by whole numbers; coins by any decimal. */
const WHOLE_STEPS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500].flatMap((n) => [n, n * 1e3, n * 1e6, n * 1e9]).sort((a, b) => a - b);

function options(props: UsagePlotProps, width: number, onHover: UsagePlotProps['onHover']): uPlot.Options {
  const { model, metric, bucket, timeZone, height } = props;
  const xs = model.starts.map((s) => Date.parse(s) / 1000);
  const labels = new Map(model.starts.map((s, i) => [xs[i], axisLabel(s, bucket, timeZone)]));
  // Half a bucket of room on each side, so the first and last bars are whole.
  const half = xs.length > 1 ? (xs[xs.length - 1] - xs[0]) / (xs.length - 1) / 2 : 1800;
  const bars = uPlot.paths.bars!({ size: [0.8, 48, 1], align: 0 });
  return {
    width,
    height,
    legend: { show: false },
    cursor: { y: false, points: { show: false }, drag: { x: false, y: false, setScale: false } },
    scales: {
      x: { time: true, range: (_u, min, max) => [min - half, max + half] },
      y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1] },
    },
    axes: [
      {
        stroke: '#4b5866',
        grid: { show: false },
        ticks: { stroke: '#dfe3e8' },
        // A tick at bucket starts only (uPlot's own time ticks fall between days), as many as fit.
        splits: (u) => {
          const step = Math.max(1, Math.ceil(xs.length / Math.max(1, Math.floor(u.bbox.width / uPlot.pxRatio / 72))));
          return xs.filter((_, i) => (xs.length - 1 - i) % step === 0);
        },
        values: (_u, splits) => splits.map((x) => labels.get(x) ?? ''),
      },
      {
        stroke: '#4b5866',
        grid: { stroke: '#eceff2' },
        ticks: { show: false },
        size: 56,
        incrs: metric === 'COINS' ? undefined : WHOLE_STEPS,
        values: (_u, splits) => splits.map((v) => (metric === 'COINS' ? String(Number(v.toPrecision(6))) : compact.format(v))),
      },
    ],
    series: [
      {},
      ...[...model.groups].reverse().map((g) => ({
        label: g.label,
        fill: g.color,
        stroke: g.color,
        width: 0,
        paths: bars,
        points: { show: false },
      })),
    ],
    hooks: {
      setCursor: [
        (u) => {
          const offset = u.over.getBoundingClientRect().left - u.root.getBoundingClientRect().left;
          onHover(u.cursor.idx ?? null, offset + (u.cursor.left ?? 0));
        },
      ],
    },
  };
}

export default function UsagePlot(props: UsagePlotProps) {
  const { model, metric, bucket, timeZone, height, onHover } = props;
  const box = useRef<HTMLDivElement>(null);
  const hover = useRef(onHover);
  hover.current = onHover;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = Math.max(200, el.clientWidth);
    const plot = new uPlot(
      options({ model, metric, bucket, timeZone, height, onHover }, width, (i, left) => hover.current(i, left)),
      plotData(model, metric),
      el,
    );
    const resize = new ResizeObserver(() => {
      const w = Math.max(200, el.clientWidth);
      if (w !== plot.width) plot.setSize({ width: w, height });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
    // onHover is read through its ref: a new function each render must not redraw the chart.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [model, metric, bucket, timeZone, height]);

  return <div ref={box} className="usage-plot" />;
}
