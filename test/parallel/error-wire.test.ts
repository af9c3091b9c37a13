import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameError, H5Error, ParameterError } from '../../src/errors.js';
import { errorFromWire, errorToWire } from '../../src/parallel/error-wire.js';
import { decodeValue, encodeValue } from '../../src/parallel/wire.js';
import { WorkerPool, workerScript } from '../../src/parallel/worker-pool.js';

describe('errors between threads and ranks', () => {
  it('a worker thread error arrives with its class, context, stack and cause', () => {
    const pool = new WorkerPool<string, string>(
      workerScript(import.meta.url, 'fixtures/throwing-worker'),
      1,
    );
    try {
      for (const job of ['h5', 'parameter', 'type-error', 'none']) pool.submit(0, job);
      const [h5, parameter, typeError, none] = pool.waitAll();
      assert.ok(h5 !== undefined && !h5.ok);
      assert.ok(h5.error instanceof H5Error, String(h5.error));
      assert.equal(h5.error.message, 'scan.ptyd:/chunks/3/data: writing failed.');
      assert.deepEqual(
        [h5.error.file, h5.error.dataset, h5.error.expected, h5.error.found],
        ['scan.ptyd', '/chunks/3/data', 'a writable dataset', 'disk full'],
      );
      assert.match(h5.error.stack ?? '', /throwing-worker/, 'the stack is where it was thrown');
      assert.ok(h5.error.cause instanceof Error);
      assert.equal(h5.error.cause.name, 'RangeError');
      assert.equal(h5.error.cause.message, 'no space left');

      assert.ok(parameter !== undefined && !parameter.ok);
      assert.ok(parameter.error instanceof ParameterError);
      assert.deepEqual(
        parameter.error.problems.map((p) => p.path),
        ['shape', 'rebin'],
      );
      assert.equal(parameter.error.file, 'config.json');
      assert.equal(parameter.error.parameter, 'shape');

      assert.ok(typeError !== undefined && !typeError.ok);
      assert.equal(typeError.error.name, 'TypeError');
      assert.equal(typeError.error.message, 'x is not a function');

      assert.ok(none?.ok);
      assert.equal(none.result, 'fine');
    } finally {
      pool.close();
    }
  });

  it('the wire form goes through the ranks’ value encoding unchanged', () => {
    const error = new FrameError('frame 7 has shape (3, 4)', {
      frame: 7,
      expected: '(4, 4)',
      found: '(3, 4)',
    });
    const wire = errorToWire(error);
    const back = errorFromWire(decodeValue(encodeValue(wire)) as typeof wire);
    assert.ok(back instanceof FrameError);
    assert.equal(back.frame, 7);
    assert.equal(back.message, error.message);
    assert.equal(back.found, '(3, 4)');
  });
});
