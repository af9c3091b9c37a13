/**
 * NeXus NXcxi_ptycho (nexusformat/definitions,
 * `contributed_definitions/NXcxi_ptycho.nxdl.xml`): the CXI content with
 * `NX_class` attributes and `definition`, the frames and positions in the
 * detector and hard-linked (with a `target` attribute, NeXus's way) under
 * their CXI names, the sample's x and y motors, and an NXdata default plot
 * (`entry_1/data`) that h5web and NeXus tools open.
 */
import { ndarray } from '../frames/ndarray.js';
import type { H5Content, H5Member } from '../h5/index.js';
import type { PyDict } from '../py/value.js';
import type { Chunk, Meta } from '../sink/types.js';
import { CxiProgress, cxiHeader } from './cxi-common.js';
import { CXI_PATHS, NXCXI_DEFINITION, NXCXI_PATHS } from './cxi-paths.js';
import {
  type ExchangeFinish,
  type ExchangeFormat,
  type ExchangeOptions,
  type ExchangeWriter,
  group,
  member,
  text,
} from './exchange.js';

const FORMAT = 'NXcxi_ptycho';

/** The groups, with their NeXus classes, in the order they are made. */
const GROUPS: readonly [string, Record<string, string>][] = [
  ['/entry_1', { NX_class: 'NXentry', default: 'data' }],
  ['/entry_1/instrument_1', { NX_class: 'NXinstrument' }],
  ['/entry_1/instrument_1/source_1', { NX_class: 'NXsource' }],
  [NXCXI_PATHS.beam, { NX_class: 'NXbeam' }],
  [CXI_PATHS.detector, { NX_class: 'NXdetector', signal: 'data' }],
  ['/entry_1/data_1', { NX_class: 'NXcollection' }],
  ['/entry_1/sample_1', { NX_class: 'NXsample' }],
  ['/entry_1/sample_1/transformations', { NX_class: 'NXtransformations' }],
  ['/entry_1/sample_1/geometry_1', { NX_class: 'NXcollection' }],
  [NXCXI_PATHS.plot, { NX_class: 'NXdata', signal: 'data' }],
];

/** Hard links made with the first chunk: name, target. */
const LINKS: readonly [string, string][] = [
  [CXI_PATHS.data, NXCXI_PATHS.detectorData],
  [CXI_PATHS.translation, NXCXI_PATHS.detectorTranslation],
  [CXI_PATHS.sampleTranslation, NXCXI_PATHS.detectorTranslation],
  [`${NXCXI_PATHS.plot}/data`, NXCXI_PATHS.detectorData],
  [`${NXCXI_PATHS.plot}/x`, NXCXI_PATHS.sampleX],
  [`${NXCXI_PATHS.plot}/y`, NXCXI_PATHS.sampleY],
];

class NxcxiWriter implements ExchangeWriter {
  private readonly progress: CxiProgress;

  constructor(options: ExchangeOptions) {
    this.progress = new CxiProgress(options);
  }

  start(_info: PyDict): H5Content {
    return {
      members: [
        ...GROUPS.map(([path, attributes]) => member(path, group(attributes))),
        ...cxiHeader(),
        member(NXCXI_PATHS.definition, text(NXCXI_DEFINITION)),
        member(NXCXI_PATHS.probe, text('x-ray')),
      ],
      parents: {},
      attributes: { creator: 'ptyscan', default: 'entry_1', NX_class: 'NXroot' },
    };
  }

  meta(meta: Meta): H5Member[] {
    const note = {
      note: 'the photon energy (CXI), not the energy of the machine',
    };
    const members = this.progress.metaMembers(meta, [
      CXI_PATHS.energy,
      NXCXI_PATHS.beamEnergy,
      NXCXI_PATHS.incidentBeamEnergy,
    ]);
    return members.map((m) =>
      m.name === CXI_PATHS.energy && m.node.kind === 'array'
        ? member(m.name, { ...m.node, attributes: { ...m.node.attributes, ...note } })
        : m,
    );
  }

  chunk(chunk: Chunk): H5Member[] {
    const p = this.progress;
    const first = p.frames === 0;
    const translations = p.translations(chunk, FORMAT);
    const n = translations.shape[0] ?? 0;
    const x = ndarray(
      'float64',
      [n],
      translations.data.filter((_, i) => i % 3 === 0),
    );
    const y = ndarray(
      'float64',
      [n],
      translations.data.filter((_, i) => i % 3 === 1),
    );
    const motor = { transformation_type: 'translation' };
    const out = [
      // No CXI `axes` here: NeXus would take translation:y:x for names of axis datasets.
      p.frameMember(NXCXI_PATHS.detectorData, chunk, {
        interpretation: 'image',
        target: NXCXI_PATHS.detectorData,
      }),
      p.rowsMember(NXCXI_PATHS.detectorTranslation, translations, {
        target: NXCXI_PATHS.detectorTranslation,
      }),
      p.rowsMember(NXCXI_PATHS.sampleX, x, { ...motor, target: NXCXI_PATHS.sampleX }),
      p.rowsMember(NXCXI_PATHS.sampleY, y, { ...motor, target: NXCXI_PATHS.sampleY }),
      ...(first ? LINKS.map(([name, target]) => member(name, { kind: 'hard-link', target })) : []),
    ];
    p.done(chunk);
    return out;
  }

  finish(): ExchangeFinish {
    return { main: this.progress.maskMember(FORMAT), others: new Map() };
  }
}

/** NeXus NXcxi_ptycho (`save: 'nxcxi'`, `--to nxcxi`). */
export const NXCXI_FORMAT: ExchangeFormat = {
  name: 'nxcxi',
  otherFiles: () => [],
  create: (options) => new NxcxiWriter(options),
};
