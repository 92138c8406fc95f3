/** The llama-quantize / llama-imatrix runners (issue 14): what the work queue and the compose layer use. */
export { listQuantTypes, quantTypesFromUsage, parseQuantUsage } from './quant-types';
export { estimateQuantBytes, isHighPrecision } from './estimate';
export { runQuantize, quantizeArgs, type QuantizeRequest } from './run-quantize';
export { runImatrix, type ImatrixRequest } from './imatrix';
export { checkImatrixFile } from './imatrix-file';
