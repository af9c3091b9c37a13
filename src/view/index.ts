/** `ptyscan view`: a read-only web server for a folder of HDF5 files, with h5web and a live scan dashboard. */

export { type ScanState, type ScanStatus, ScanWatch } from './scan-watch.js';
export { MAX_SELECTION_BYTES } from './selection.js';
export { ServedFolder, type Walk } from './served-folder.js';
export { startViewServer, type ViewServer, type ViewServerOptions } from './server.js';
