import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParameterError } from '../../src/errors.js';
import { defineParams, ParamRegistry } from '../../src/params/index.js';
import { PTYSCAN_PARAMS } from '../../src/scan/pty-scan-params.js';
import { getParams, listParams, registerParams } from '../../src/sources/index.js';

const text = "[source]\ntype = str\ndefault = 'file'\nhelp = Where frames come from";

describe('parameter registry', () => {
  it('lists trees by name and finds them with or without the scandata prefix', () => {
    const registry = new ParamRegistry();
    const a = defineParams(text, { name: 'A' });
    const b = defineParams(text, { name: 'B', parent: a });
    registry.register(a);
    registry.register(b);
    registry.register(a);
    assert.deepEqual(
      registry.list().map((t) => t.path),
      ['scandata.A', 'scandata.B'],
    );
    assert.equal(registry.get('scandata.B'), b);
    assert.equal(registry.get('A'), a);
    assert.ok(registry.has('scandata.A'));
    assert.ok(!registry.has('C'));
  });

  it('refuses a second tree under a taken name unless replacing', () => {
    const registry = new ParamRegistry();
    registry.register(defineParams(text, { name: 'A' }));
    const other = defineParams(text, { name: 'A' });
    assert.throws(() => registry.register(other), ParameterError);
    registry.register(other, { replace: true });
    assert.equal(registry.get('A'), other);
  });

  it('names the known classes when a name is unknown', () => {
    const registry = new ParamRegistry();
    registry.register(defineParams(text, { name: 'A' }));
    assert.throws(
      () => registry.get('Nope'),
      (e: unknown) =>
        e instanceof ParameterError &&
        e.problems[0]?.path === 'scandata.Nope' &&
        e.problems[0]?.expected === 'a registered class (scandata.A)',
    );
  });

  it('the library registry holds PtyScan and takes subclasses', () => {
    assert.ok(listParams().includes(PTYSCAN_PARAMS));
    const sub = defineParams('[auto_center]\ndefault = False', {
      name: 'RegistryTestScan',
      parent: PTYSCAN_PARAMS,
    });
    registerParams(sub);
    assert.equal(getParams('scandata.RegistryTestScan').defaults().auto_center, false);
    assert.equal(getParams('RegistryTestScan').defaults().shape, 256n);
  });
});
