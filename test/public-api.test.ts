import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as api from '../src/index.js';

// The package's public face (runtime names; types are checked by tsc). A change
// here is a change for every user: update this list on purpose, with a
// CHANGELOG entry.
const EXPECTED = [
  'AccessError',
  'CenterError',
  'CxiScan',
  'EOS',
  'FileFormatError',
  'FoldSliceScan',
  'FrameError',
  'H5Error',
  'H5File',
  'HDF5_LOADER_PARAMS',
  'Hdf5Loader',
  'Hdf5LoaderFast',
  'LoadManager',
  'LockError',
  'MissingDataError',
  'MoonFlowerScan',
  'MpiCommunicator',
  'NumpyScan',
  'PTYSCAN_PARAMS',
  'ParallelError',
  'ParamTree',
  'ParameterError',
  'PtyScan',
  'PtydScan',
  'PtydSink',
  'PtyscanError',
  'PyTuple',
  'QuickLook',
  'RebinError',
  'SingleProcess',
  'SourceRegistry',
  'StateError',
  'SwmrLoader',
  'WAIT',
  'WRITER_ATTRIBUTES',
  'addPoissonNoise',
  'createExternalLink',
  'createScan',
  'createSourceRegistry',
  'cropOrient',
  'cropPad',
  'decodeNpy',
  'defineParams',
  'encodeNpy',
  'formatInfoTree',
  'formatPyLiteral',
  'formatShape',
  'getCommunicator',
  'getParams',
  'getSource',
  'h5append',
  'h5read',
  'h5readValue',
  'h5ready',
  'h5write',
  'isNdArray',
  'isPyDict',
  'listParams',
  'listSources',
  'massCenter',
  'nativeHdf5Status',
  'meanMassCenter',
  'ndarray',
  'normalizeParams',
  'openPtydReader',
  'orient',
  'parseParams',
  'parsePyJson',
  'parsePyLiteral',
  'preview',
  'ptydQuickLook',
  'pyTypeName',
  'readNpy',
  'readScanConfig',
  'readWriterStatus',
  'rebinData',
  'rebinWeights',
  'registerParams',
  'registerSource',
  'resolveScanConfig',
  'roundHalfEven',
  'sameShape',
  'seededRandom',
  'sim',
  'sizeOf',
  'startViewServer',
  'translateToPix',
  'zeros',
];

describe('public API', () => {
  it('exports exactly the documented names', () => {
    assert.deepEqual(Object.keys(api).sort(), [...EXPECTED].sort());
  });

  it('keeps the simulation and preview helpers in their own namespaces', () => {
    assert.equal(typeof api.sim.simulateScan, 'function');
    assert.equal(typeof api.preview.renderPreviews, 'function');
    assert.equal(typeof api.preview.previewPtyd, 'function');
  });
});
