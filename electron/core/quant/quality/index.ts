/** The quality-check layer (issue 14 §2): bundled texts, file hashes, the results store, settings and the runner. */
export { listEvalTexts, evalTextPath } from './texts';
export { FileHashes } from './hashes';
export { QualityStore, qualityKey, KLD_BASE_STORE_MAX_BYTES } from './store';
export {
  qualitySettings,
  kldBaseBytes,
  chunksForKldBase,
  QUALITY_CONTEXT,
  QUALITY_CHUNKS,
  KLD_BASE_MAX_BYTES,
} from './settings';
export { runQuality, type QualityRunRequest, type QualityModel } from './run';
