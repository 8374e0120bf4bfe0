import { describe, expect, it } from 'vitest';
import { barChart, confusionHeatmap, esc, histogram, lineChart, spikeRaster, xyChart } from './svg-charts.js';

/** Number of `<tag …>` elements. */
const count = (svg: string, tag: string) => (svg.match(new RegExp(`<${tag}[\\s/>]`, 'g')) ?? []).length;

/** `points` of every polyline, as lists of [x, y]. */
const polylines = (svg: string) =>
  [...svg.matchAll(/<polyline [^>]*points="([^"]*)"/g)].map((m) => (m[1] ? m[1].split(' ').map((p) => p.split(',').map(Number)) : []));

/** Attribute `name` of every `<tag>`, as numbers. */
const attrs = (svg: string, tag: string, name: string) =>
  [...svg.matchAll(new RegExp(`<${tag} [^>]*\\b${name}="([^"]*)"`, 'g'))].map((m) => Number(m[1]));

/**
 * Minimal XML well-formedness check: every tag is closed in order, attribute values are quoted,
 * text holds no raw `<` or stray `&`, and no number came out as NaN/Infinity/undefined.
 */
function expectWellFormed(html: string): void {
  expect(html).not.toMatch(/NaN|Infinity|undefined/);
  const stack: string[] = [];
  let at = 0;
  for (const m of html.matchAll(/<(\/?)([a-z]+)((?:\s+[\w:-]+="[^"<>&]*")*)\s*(\/?)>|([^<]+)/g)) {
    expect(m.index, `unparsable markup at ${at}: ${html.slice(at, at + 60)}`).toBe(at);
    at += m[0].length;
    const [, closing, tag, , selfClosing, text] = m;
    if (text !== undefined) expect(text).not.toMatch(/&(?!(amp|lt|gt|quot|#39);)/);
    else if (closing) expect(stack.pop()).toBe(tag);
    else if (!selfClosing) stack.push(tag);
  }
  expect(at, `unparsable markup at ${at}: ${html.slice(at, at + 60)}`).toBe(html.length);
  expect(stack).toEqual([]);
}

const NASTY = 'A <b> & "c" \'d\'';
const NASTY_ESC = 'A &lt;b&gt; &amp; &quot;c&quot; &#39;d&#39;';

describe('esc', () => {
  it('escapes the XML special characters and nothing else', () => {
    expect(esc(NASTY)).toBe(NASTY_ESC);
    expect(esc('µW ± σ — plain')).toBe('µW ± σ — plain');
    expect(esc('&amp;')).toBe('&amp;amp;');
  });
});

describe('lineChart', () => {
  it('draws one polyline per series with one point per epoch, and a legend entry each', () => {
    const svg = lineChart('Accuracy', [
      { name: 'train', values: [0.1, 0.5, 0.9] },
      { name: 'val', values: [0.2, 0.4, 0.6] },
    ]);
    expectWellFormed(svg);
    expect(count(svg, 'svg')).toBe(1);
    expect(svg).toContain('<figcaption>Accuracy</figcaption>');
    expect(svg).toContain('epoch (1..3)');
    const lines = polylines(svg);
    expect(lines.map((l) => l.length)).toEqual([3, 3]);
    // x spans the plot area left to right; a larger value is drawn higher (smaller y).
    expect(lines[0][0][0]).toBe(48);
    expect(lines[0][2][0]).toBe(450);
    expect(lines[0][2][1]).toBeLessThan(lines[0][0][1]);
    expect(svg).toMatch(/>train<\/text>/);
    expect(svg).toMatch(/>val<\/text>/);
  });

  it('lays legend entries out side by side without overlap', () => {
    const names = ['train (float)', 'val (runtime)', 'val (float)', 'val balanced'];
    const svg = lineChart(
      'Accuracy',
      names.map((name) => ({ name, values: [0.5] })),
    );
    const xs = [...svg.matchAll(/<text x="([\d.]+)" y="16" fill="[^"]+" font-size="11">/g)].map((m) => Number(m[1]));
    expect(xs).toHaveLength(4);
    for (let k = 1; k < 4; k++) expect(xs[k] - xs[k - 1]).toBeGreaterThan(names[k - 1].length * 6);
  });

  it('uses a log axis on request and clamps zeros there', () => {
    const svg = lineChart('Loss', [{ name: 'ce', values: [100, 10, 1, 0] }], { log: true, yLabel: 'a<b' });
    expectWellFormed(svg);
    expect(svg).toMatch(/>1e-9\.0<\/text>/);
    expect(svg).toMatch(/>1e2\.0<\/text>/);
    expect(svg).toContain('epoch (1..4) — a&lt;b');
    const [pts] = polylines(svg);
    expect(pts).toHaveLength(4);
    // 100 -> 10 -> 1 are equally spaced on a log axis.
    expect(pts[1][1] - pts[0][1]).toBeCloseTo(pts[2][1] - pts[1][1], 0);
  });

  it('leaves NaN and infinite values out and survives empty input', () => {
    const svg = lineChart('Gaps', [{ name: 'v', values: [0.1, Number.NaN, 0.3, Infinity] }]);
    expectWellFormed(svg);
    expect(polylines(svg)[0]).toHaveLength(2);
    for (const empty of [
      lineChart('None', []),
      lineChart('Empty', [{ name: 'e', values: [] }]),
      lineChart('Only gaps', [{ name: 'n', values: [NaN] }], { log: true }),
    ]) {
      expectWellFormed(empty);
      expect(count(empty, 'svg')).toBe(1);
      expect(polylines(empty).every((l) => l.length === 0)).toBe(true);
    }
  });

  it('escapes the title and series names', () => {
    const svg = lineChart(NASTY, [{ name: NASTY, values: [1, 2] }]);
    expectWellFormed(svg);
    expect(svg).toContain(`<figcaption>${NASTY_ESC}</figcaption>`);
    expect(svg).toContain(`>${NASTY_ESC}</text>`);
  });
});

describe('xyChart', () => {
  it('draws a polyline and a dot with a tooltip per finite point, dashed on request', () => {
    const svg = xyChart(
      'Mismatch',
      [
        {
          name: 'mean',
          points: [
            [0, 0.9],
            [0.1, Number.NaN],
            [0.2, 0.7],
          ],
        },
        {
          name: 'p5',
          points: [
            [0, 0.8],
            [0.2, 0.6],
          ],
          dashed: true,
        },
      ],
      {
        xLabel: 'σ',
        yLabel: 'accuracy',
        yRange: [0, 1],
        xMarks: [
          { x: 0.1, label: 'nominal' },
          { x: 5, label: 'off-range' },
        ],
      },
    );
    expectWellFormed(svg);
    expect(polylines(svg).map((l) => l.length)).toEqual([2, 2]);
    expect(count(svg, 'circle')).toBe(4);
    expect(count(svg, 'title')).toBe(4);
    expect(svg).toContain('<title>mean: (0.2, 0.7)</title>');
    expect((svg.match(/<polyline [^>]*stroke-dasharray/g) ?? []).length).toBe(1);
    // Only the mark inside the x range is drawn.
    expect(count(svg, 'line')).toBe(1);
    expect(svg).toContain('>nominal</text>');
    expect(svg).not.toContain('off-range');
    expect(svg).toContain('>σ</text>');
    expect(svg).toMatch(/transform="rotate\(-90 [^"]+\)">accuracy<\/text>/);
  });

  it('puts decade ticks on a log x axis and values under the floor at the left edge', () => {
    const svg = xyChart(
      'Miss',
      [
        {
          name: 'miss',
          points: [
            [0, 0.9],
            [1, 0.5],
            [100, 0.1],
          ],
        },
      ],
      {
        xLabel: 'fa/h',
        yLabel: 'miss',
        xRange: [0.1, 100],
        logXFloor: 0.1,
        yRange: [0, 1],
      },
    );
    expectWellFormed(svg);
    const ticks = [...svg.matchAll(/<text x="[\d.]+" y="219" text-anchor="middle" font-size="10">([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(ticks).toEqual(['0.1', '1', '10', '100']);
    const [pts] = polylines(svg);
    expect(pts[0][0]).toBe(48);
    expect(pts[2][0]).toBe(448);
  });

  it('survives no data at all and escapes every label', () => {
    expectWellFormed(xyChart('none', [], { xLabel: 'x', yLabel: 'y' }));
    expectWellFormed(xyChart('nan', [{ name: 'n', points: [[NaN, NaN]] }], { xLabel: 'x', yLabel: 'y' }));
    const svg = xyChart(NASTY, [{ name: NASTY, points: [[0, 1]] }], { xLabel: NASTY, yLabel: NASTY, xMarks: [{ x: 0, label: NASTY }] });
    expectWellFormed(svg);
    expect(svg).not.toContain('<b>');
    expect(svg.split(NASTY_ESC).length - 1).toBe(6); // caption, legend, tooltip, x and y label, mark
  });
});

describe('histogram', () => {
  it('draws one bar per bin over the plot frame, with limit markers and n in the caption', () => {
    const svg = histogram('Weights <w>', Float32Array.from([-0.95, -0.5, 0, 0.2, 0.2, 0.9, 1.2]), { limits: [-0.9, 0.9] });
    expectWellFormed(svg);
    expect(count(svg, 'rect')).toBe(61 + 1);
    expect(count(svg, 'line')).toBe(2);
    expect(svg).toContain('<figcaption>Weights &lt;w&gt; (n = 7)</figcaption>');
  });

  it('bins into the given range, clamping outliers into the edge bins', () => {
    const svg = histogram('x', [0.1, 0.6, 0.7, -5, 5], { lo: 0, hi: 1, bins: 2 });
    const h = attrs(svg, 'rect', 'height').slice(1);
    expect(h).toHaveLength(2);
    // Bin 0: 0.1 and -5; bin 1: 0.6, 0.7 and 5 (the tallest bar fills the plot height).
    expect(h[1]).toBe(132);
    expect(h[0]).toBeCloseTo((132 * 2) / 3, 1);
  });

  it('leaves non-finite values out and says so; survives empty input and an empty range', () => {
    const svg = histogram('x', [0.5, NaN, Infinity], { lo: 0, hi: 1, bins: 4 });
    expectWellFormed(svg);
    expect(svg).toContain('(n = 1, 2 non-finite left out)');
    expect(
      attrs(svg, 'rect', 'height')
        .slice(1)
        .filter((v) => v > 0),
    ).toHaveLength(1);
    const empty = histogram('none', [], { bins: 5 });
    expectWellFormed(empty);
    expect(empty).toContain('(n = 0)');
    expect(attrs(empty, 'rect', 'height').slice(1)).toEqual([0, 0, 0, 0, 0]);
    expectWellFormed(histogram('flat', [3, 3], { lo: 3, hi: 3 }));
  });
});

describe('barChart', () => {
  it('draws one bar per value scaled to max, above the plot frame', () => {
    const svg = barChart('Rates & more', [0.1, 0.5, 0.25, 0], { max: 1 });
    expectWellFormed(svg);
    expect(svg).toContain('<figcaption>Rates &amp; more</figcaption>');
    expect(count(svg, 'rect')).toBe(4 + 1);
    expect(attrs(svg, 'rect', 'height').slice(1)).toEqual([10, 50, 25, 0]);
  });

  it('scales to the largest value by default', () => {
    const h = attrs(barChart('r', [1, 4, 2]), 'rect', 'height').slice(1);
    expect(h).toEqual([25, 100, 50]);
  });

  it('gives no bar to NaN and clips bars to the plot', () => {
    const svg = barChart('r', [NaN, -0.5, 2, 0.5], { max: 1 });
    expectWellFormed(svg);
    expect(attrs(svg, 'rect', 'height').slice(1)).toEqual([0, 100, 50]);
    expectWellFormed(barChart('none', []));
    expectWellFormed(barChart('nan', [NaN, NaN]));
  });
});

describe('confusionHeatmap', () => {
  it('draws a cell per count, outlines the diagonal and escapes the class names', () => {
    const svg = confusionHeatmap(
      'CM',
      ['_bg_', 'a&b', 'c'],
      ['_bg_', 'a&b'],
      [
        [5, 1],
        [2, 8],
        [0, 0],
      ],
    );
    expectWellFormed(svg);
    expect(count(svg, 'rect')).toBe(6);
    expect((svg.match(/stroke="#333"/g) ?? []).length).toBe(2);
    expect(svg).toContain('>a&amp;b</text>');
    expect(svg).toContain('>8</text>');
    // An empty row is grey, not a 0 % share.
    expect((svg.match(/fill="#f4f4f4"/g) ?? []).length).toBe(2);
    expect(svg).toContain('<figcaption>CM (rows: true class, columns: arg-max output)</figcaption>');
  });
});

describe('spikeRaster', () => {
  it('draws a background per layer and a mark per spike, with the clip length on the axis', () => {
    const svg = spikeRaster(
      'clip <1>',
      [
        { name: 'front<end>', size: 3, raster: Uint8Array.from([1, 0, 1, 0, 1, 0]) },
        { name: 'out', size: 2, raster: Uint8Array.from([0, 1, 1, 0]) },
      ],
      2,
      0.5,
    );
    expectWellFormed(svg);
    expect(count(svg, 'rect')).toBe(2 + 5);
    expect(count(svg, 'g')).toBe(2);
    expect(svg).toContain('<figcaption>clip &lt;1&gt;</figcaption>');
    expect(svg).toContain('>front&lt;end&gt; (3)</text>');
    expect(svg).toContain('>1 s</text>');
  });

  it('draws an empty raster for a silent clip', () => {
    const svg = spikeRaster('silent', [{ name: 'l', size: 4, raster: new Uint8Array(40) }], 10, 0.008);
    expectWellFormed(svg);
    expect(count(svg, 'rect')).toBe(1);
  });
});
