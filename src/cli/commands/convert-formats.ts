/**
 * Which format `ptyscan convert` reads (from the file's content) and writes
 * (from `--to`, else the output's name), and the source and storage each
 * one means.
 */
import { FileFormatError } from '../../errors.js';
import {
  CXI_PATHS,
  EXCHANGE_FORMATS,
  FOLD_SLICE_PATHS,
  FOLD_SLICE_SUFFIX,
  NXCXI_PATHS,
} from '../../formats/index.js';
import { H5File } from '../../h5/index.js';
import type { PyValue } from '../../py/value.js';
import { UsageError } from '../command.js';

/** What `convert` writes: `.ptyd` or one of the exchange formats. */
export type OutputFormat = 'ptyd' | 'cxi' | 'nxcxi' | 'fold-slice';

/** The formats `--to` takes, and what each writes. */
export const OUTPUT_FORMATS: Readonly<Record<OutputFormat, string>> = {
  ptyd: "ptypy's .ptyd (append mode)",
  cxi: 'CXI 1.6, for PyNX and ptychodus',
  nxcxi: 'NeXus NXcxi_ptycho (CXI with NeXus classes, for h5web and NeXus tools)',
  'fold-slice': 'PtychoShelves / fold_slice: data_roi<label>_dp.hdf5 and _para.hdf5',
};

/** Output names whose format is clear; anything else needs `--to`. */
const BY_NAME: readonly [(file: string) => boolean, OutputFormat][] = [
  [(f) => f.endsWith('.ptyd'), 'ptyd'],
  [(f) => f.endsWith('.cxi'), 'cxi'],
  [(f) => f.endsWith('.nxs') || f.endsWith('.nx5'), 'nxcxi'],
  [(f) => f.endsWith(FOLD_SLICE_SUFFIX.data), 'fold-slice'],
];

function isOutputFormat(value: string): value is OutputFormat {
  return Object.hasOwn(OUTPUT_FORMATS, value);
}

/** The format `--to` names, else the one the output's name makes clear. */
export function outputFormat(out: string, to: string | undefined): OutputFormat {
  if (to !== undefined) {
    if (!isOutputFormat(to)) {
      throw new UsageError(
        'convert',
        `--to expects ${Object.keys(OUTPUT_FORMATS).join(', ')}, found '${to}'`,
      );
    }
    return to;
  }
  const found = BY_NAME.find(([test]) => test(out));
  if (found === undefined) {
    throw new UsageError(
      'convert',
      `cannot tell the format of '${out}' from its name (.ptyd, .cxi, .nxs, _dp.hdf5): give --to ${Object.keys(OUTPUT_FORMATS).join('|')}`,
    );
  }
  return found[1];
}

/** The files an output is made of (fold_slice: the frames file and its positions file). */
export function outputFiles(out: string, format: OutputFormat): string[] {
  return format === 'ptyd' ? [out] : [out, ...EXCHANGE_FORMATS[format].otherFiles(out)];
}

/** An input: what it is, and the source parameters that read it as it is. */
export interface InputSource {
  format: 'ptyd' | 'CXI' | 'fold_slice';
  config: Record<string, PyValue>;
}

/**
 * What `file` holds, from its content: a `.ptyd` (`/chunks` and `/meta`), a
 * CXI or NXcxi_ptycho file (`cxi_version` or CXI frames), or fold_slice
 * frames (`/dp`).
 *
 * @throws FileFormatError naming the file when it is none of them (or not HDF5).
 */
export function inputSource(file: string): InputSource {
  const h5 = H5File.open(file, 'r');
  let format: InputSource['format'] | null;
  try {
    format =
      h5.has('/chunks') && h5.has('/meta')
        ? 'ptyd'
        : h5.has(CXI_PATHS.version) || h5.has(CXI_PATHS.data) || h5.has(NXCXI_PATHS.detectorData)
          ? 'CXI'
          : h5.has(FOLD_SLICE_PATHS.data)
            ? 'fold_slice'
            : null;
  } finally {
    h5.close();
  }
  switch (format) {
    case 'ptyd':
      return { format, config: { name: 'PtydScan', source: file } };
    case 'CXI':
      return { format, config: { name: 'CxiScan', file } };
    case 'fold_slice':
      return { format, config: { name: 'FoldSliceScan', file } };
    default:
      throw new FileFormatError(`${file}: neither a .ptyd, a CXI nor a fold_slice file.`, {
        file,
        expected: `/chunks and /meta (.ptyd), ${CXI_PATHS.version} or ${CXI_PATHS.data} (CXI), or ${FOLD_SLICE_PATHS.data} (fold_slice)`,
        found: 'none of them',
      });
  }
}
