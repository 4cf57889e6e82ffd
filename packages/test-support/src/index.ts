/** Test helpers shared by the workspaces' test suites. */
export { sharedDataRoot, sharedDataset } from './data-root.js';
export { tempDir } from './temp-dir.js';
