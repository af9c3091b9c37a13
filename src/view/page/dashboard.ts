/// <reference lib="dom" />
/**
 * The scan dashboard: state and counts, the summed pattern, a frame browser,
 * the positions coloured by transmission, the two DPC maps and a histogram
 * of counts, refreshed on every `status` event while the file is written.
 */
import { createElement as h, useEffect, useRef, useState } from 'react';
import { drawHistogramFigure, drawImageFigure, drawScatterFigure } from '../../preview/figure.js';
import { api, type FrameData, numbers, type ScanMaps, type ScanStatus } from './api.js';
import { canvasSurface } from './figures.js';

const SIZE = { width: 560, height: 460 } as const;

function dpcScale(maps: ScanMaps): { scale: number; unit: string } {
  const { psize, distance } = maps.geometry;
  return psize && distance
    ? { scale: (psize / distance) * 1e6, unit: 'µrad' }
    : { scale: 1, unit: 'pixels' };
}

/** A canvas redrawn by `draw` whenever `deps` change. */
function Figure(props: { testId: string; draw: (canvas: HTMLCanvasElement) => void }) {
  const ref = useRef<HTMLCanvasElement>(null);
  // Redrawn on every render: renders follow the status events and the fetched maps.
  useEffect(() => {
    if (ref.current) props.draw(ref.current);
  });
  return h('canvas', {
    ref,
    width: SIZE.width,
    height: SIZE.height,
    'data-testid': props.testId,
    className: 'figure',
  });
}

function drawOn(
  canvas: HTMLCanvasElement,
  draw: (s: NonNullable<ReturnType<typeof canvasSurface>>) => void,
): void {
  const surface = canvasSurface(canvas);
  if (surface) draw(surface);
}

function FrameBrowser(props: { file: string; maps: ScanMaps; version: number }) {
  const { file, maps } = props;
  const [index, setIndex] = useState(0);
  const [frame, setFrame] = useState<FrameData | null>(null);
  const last = Math.max(0, maps.frames - 1);
  const shown = Math.min(index, last);
  useEffect(() => {
    let live = true;
    api.frame(file, shown).then(
      (f) => live && setFrame(f),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [file, shown]);
  return h(
    'div',
    { className: 'panel' },
    h(
      'label',
      { className: 'slider' },
      'frame ',
      h('input', {
        type: 'range',
        min: 0,
        max: last,
        value: shown,
        'data-testid': 'frame-slider',
        onChange: (e: { target: { value: string } }) => setIndex(Number(e.target.value)),
      }),
      h('span', { 'data-testid': 'frame-index' }, ` ${shown} of ${maps.frames}`),
    ),
    h(Figure, {
      testId: 'frame-canvas',
      draw: (canvas) => {
        if (!frame) return;
        drawOn(canvas, (s) =>
          drawImageFigure(s, {
            title: `frame ${frame.index}`,
            values: numbers(frame.values),
            height: frame.height,
            width: frame.width,
            masked: frame.masked,
            center: maps.geometry.center,
            psize: maps.geometry.psize,
          }),
        );
      },
    }),
  );
}

/** The dashboard of one `.ptyd` file. */
export function Dashboard(props: { file: string }) {
  const { file } = props;
  const [status, setStatus] = useState<ScanStatus | null>(null);
  const [maps, setMaps] = useState<ScanMaps | null>(null);
  const [error, setError] = useState<string | null>(null);
  const version = status?.version ?? -1;

  useEffect(() => {
    const source = api.events(file, (next) => {
      setStatus(next);
      // The server ends the stream when the scan ends; EventSource would reconnect.
      if (next.state === 'complete' || next.state === 'writer dead') source.close();
    });
    return () => source.close();
  }, [file]);

  // Refetched whenever the server says the maps changed.
  useEffect(() => {
    if (version < 0) return;
    let live = true;
    api.scan(file).then(
      (r) => {
        if (!live) return;
        setMaps(r.maps);
        setError(null);
      },
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [file, version]);

  const header = h(
    'div',
    { className: 'status' },
    h(
      'span',
      {
        className: `state state-${(status?.state ?? 'waiting').replace(' ', '-')}`,
        'data-testid': 'scan-state',
      },
      status?.state ?? 'connecting',
    ),
    h('span', null, ' frames: '),
    h('strong', { 'data-testid': 'frame-count' }, String(status?.frames ?? 0)),
    h('span', null, ' chunks: '),
    h('strong', { 'data-testid': 'chunk-count' }, String(status?.chunks ?? 0)),
    status?.heartbeat
      ? h('span', { className: 'heartbeat' }, ` heartbeat ${status.heartbeat}`)
      : null,
    status?.message ? h('div', { className: 'message' }, status.message) : null,
    error ? h('div', { className: 'message' }, error) : null,
  );
  if (maps === null)
    return h('div', { className: 'dashboard' }, header, h('p', null, 'No complete chunk yet.'));
  const { scale, unit } = dpcScale(maps);
  const positions = numbers(maps.positions);
  const scatter = (
    testId: string,
    title: string,
    values: Float64Array,
    label: string,
    diverging: boolean,
  ) =>
    h(Figure, {
      testId,
      draw: (canvas) =>
        drawOn(canvas, (s) =>
          drawScatterFigure(s, {
            title,
            positions,
            values,
            count: maps.frames,
            scale: diverging ? 'diverging' : 'viridis',
            label,
          }),
        ),
    });
  return h(
    'div',
    { className: 'dashboard' },
    header,
    h(
      'div',
      { className: 'grid' },
      h(Figure, {
        testId: 'sum-canvas',
        draw: (canvas) =>
          drawOn(canvas, (s) =>
            drawImageFigure(s, {
              title: `sum of ${maps.frames} frames`,
              values: numbers(maps.sum),
              height: maps.height,
              width: maps.width,
              masked: maps.masked,
              center: maps.geometry.center ?? maps.center,
              psize: maps.geometry.psize,
            }),
          ),
      }),
      h(FrameBrowser, { file, maps, version }),
      scatter(
        'transmission-canvas',
        'positions coloured by transmission',
        numbers(maps.transmission),
        'counts inside the mask',
        false,
      ),
      scatter(
        'dpc-y-canvas',
        'DPC: centre-of-mass shift in y',
        numbers(maps.dpcY).map((v) => v * scale),
        `shift y (${unit})`,
        true,
      ),
      scatter(
        'dpc-x-canvas',
        'DPC: centre-of-mass shift in x',
        numbers(maps.dpcX).map((v) => v * scale),
        `shift x (${unit})`,
        true,
      ),
      h(Figure, {
        testId: 'histogram-canvas',
        draw: (canvas) =>
          drawOn(canvas, (s) =>
            drawHistogramFigure(s, `counts per pixel over ${maps.frames} frames`, maps.histogram),
          ),
      }),
    ),
  );
}
