/**
 * What `prepare` would refuse, found before any frame is read (`ptyscan
 * validate`): the settings alone, and, when the source says its raw frame
 * shape unloaded (`frameShape()`), what the first chunk would refuse.
 */
import { fixedCenter } from './geometry.js';
import { checkCenterInside, checkRebin, checkRoiFits, squareRoi } from './prepare.js';
import type { PtyScan } from './pty-scan.js';
import { scanSettings } from './settings.js';

/**
 * Throws what `prepare` refuses from the parameters alone: the typed
 * settings (shape, orientation, rebin, ...) and a rebin that does not divide
 * a given shape. With the first raw frame's shape known unloaded, also a
 * centre (given, named or the middle) outside the frame, a shape far larger
 * than it and a rebin not dividing the region of interest. The automatic
 * centre needs the frames, and is left to prepare.
 */
export function checkBeforeFrames(scan: PtyScan): void {
  const settings = scanSettings(scan.info);
  if (settings.roi !== null) checkRebin(settings.rebin, squareRoi(settings.roi, [0, 0]));
  const raw = scan.frameShape(0);
  if (raw === null) return;
  if (settings.center.kind !== 'auto')
    checkCenterInside(fixedCenter(settings.center, raw).value, raw);
  const roi = squareRoi(settings.roi, raw);
  checkRoiFits(roi, raw);
  checkRebin(settings.rebin, roi);
}
