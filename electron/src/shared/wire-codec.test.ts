import { describe, expect, it } from 'vitest';
import { decodeWire, encodeWire } from './wire-codec.js';
import { isWireError } from './wire-error.js';
import { ConstraintError, InvalidArgumentError, errorFromJSON, errorToJSON } from '@nwave/runtime';

describe('wire codec (browser shim transport)', () => {
  it('round-trips typed arrays inside plain JSON, views included', () => {
    const big = new Float32Array(20_000).map((_, i) => Math.sin(i) * 0.5);
    const view = new Int16Array([1, -2, 3, 32767, -32768]).subarray(1, 4);
    const value = [
      { folder: '/d', samples: big, n: 3, nested: { bytes: new Uint8Array([0, 255]), view, f64: new Float64Array([Math.PI]) } },
    ];
    const back = decodeWire(encodeWire(value)) as typeof value;
    expect(back[0].samples).toBeInstanceOf(Float32Array);
    expect(back[0].samples).toEqual(big);
    expect(back[0].nested.view).toEqual(new Int16Array([-2, 3, 32767]));
    expect(back[0].nested.bytes).toEqual(new Uint8Array([0, 255]));
    expect(back[0].nested.f64[0]).toBe(Math.PI);
    expect(back[0].n).toBe(3);
  });

  it('refuses a payload that is not whole elements', () => {
    expect(() => decodeWire('{"$typed":"Float32Array","b64":"AAA="}')).toThrow(/not whole elements/);
  });
});

describe('wire errors', () => {
  it('keeps code, message and context, never the stack', () => {
    const w = errorToJSON(new InvalidArgumentError('bad word', { field: 'word', value: 'a/b' }));
    expect(w).toEqual({ code: 'INVALID_ARGUMENT', message: 'bad word', context: { field: 'word', value: 'a/b' } });
    expect(isWireError(w)).toBe(true);
    expect(errorToJSON(new Error('plain'))).toEqual({ code: 'NWAVE_ERROR', message: 'plain' });
    expect(errorToJSON(Object.assign(new Error('enoent'), { code: 'ENOENT' })).code).toBe('ENOENT');
    expect(errorToJSON('text')).toEqual({ code: 'NWAVE_ERROR', message: 'text' });
    expect(errorToJSON(Object.assign(new Error('x'), { code: 'lower-case' })).code).toBe('NWAVE_ERROR');
  });

  it('round-trips through JSON to the same error class, constraint violations included', () => {
    const violations = [{ rule: 'weight-range', message: 'out: 3 weights beyond ±0.9' }];
    const back = errorFromJSON(
      JSON.parse(JSON.stringify(errorToJSON(new ConstraintError('not compliant', violations, { file: 'm.nwave.json' })))),
    );
    expect(back).toBeInstanceOf(ConstraintError);
    expect((back as ConstraintError).violations).toEqual(violations);
    expect(back.message).toMatch(/^not compliant\n {2}- \[weight-range\]/);
    expect(back.context).toEqual({ file: 'm.nwave.json' });
    // NwaveError.toJSON is the same record (plus the class name), so JSON.stringify(err) round-trips too.
    expect(errorFromJSON(JSON.parse(JSON.stringify(new InvalidArgumentError('bad', { field: 'x' }))))).toBeInstanceOf(InvalidArgumentError);
  });
});
