/**
 * Parameter trees in ptypy's `[name]` block form: parse, inherit, default,
 * validate, write back, register.
 */
export {
  PARAM_FIELDS,
  PARAM_TYPES,
  type ParamDescriptor,
  type ParamField,
  type ParamLimit,
  type ParamType,
} from './descriptor.js';
export { formatPyLiteral, parsePyLiteral } from './literal.js';
export { normalizeParams } from './normalize.js';
export { setOwn } from './own.js';
export { ParamRegistry } from './registry.js';
export {
  clonePyValue,
  type DefineParamsOptions,
  defineParams,
  PARAM_ROOT,
  ParamTree,
  parseParams,
  type ValidateOptions,
} from './tree.js';
