/**
 * The CXI 1.6 layout as PyNX and ptychodus read it: frames at
 * `entry_1/data_1/data`, positions (N, 3) at `entry_1/data_1/translation`
 * and, for PyNX, (3, N) at `entry_1/sample_1/geometry_1/translation`; the
 * photon energy in joules, distance and pixel sizes in metres, the mask.
 */

import type { H5Content, H5Member } from '../h5/index.js';
import type { PyDict } from '../py/value.js';
import type { Chunk, Meta } from '../sink/types.js';
import { CxiProgress, cxiHeader } from './cxi-common.js';
import { CXI_PATHS } from './cxi-paths.js';
import type {
  ExchangeFinish,
  ExchangeFormat,
  ExchangeOptions,
  ExchangeWriter,
} from './exchange.js';

const FORMAT = 'CXI';

class CxiWriter implements ExchangeWriter {
  private readonly progress: CxiProgress;

  constructor(options: ExchangeOptions) {
    this.progress = new CxiProgress(options);
  }

  start(_info: PyDict): H5Content {
    return {
      members: cxiHeader(),
      parents: {},
      attributes: { creator: 'ptyscan' },
    };
  }

  meta(meta: Meta): H5Member[] {
    return this.progress.metaMembers(meta, [CXI_PATHS.energy]);
  }

  chunk(chunk: Chunk): H5Member[] {
    const p = this.progress;
    const translations = p.translations(chunk, FORMAT);
    const out = [
      p.frameMember(CXI_PATHS.data, chunk, { axes: 'translation:y:x' }),
      p.rowsMember(CXI_PATHS.translation, translations),
      p.columnsMember(CXI_PATHS.sampleTranslation, translations),
    ];
    p.done(chunk);
    return out;
  }

  finish(): ExchangeFinish {
    return { main: this.progress.maskMember(FORMAT), others: new Map() };
  }
}

/** CXI 1.6 (`save: 'cxi'`, `--to cxi`). */
export const CXI_FORMAT: ExchangeFormat = {
  name: 'cxi',
  otherFiles: () => [],
  create: (options) => new CxiWriter(options),
};
