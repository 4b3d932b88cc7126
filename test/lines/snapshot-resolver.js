/**
 * Jest snapshot resolver of a line run (test/lines/jest.config.js): each cdk8s-plus line keeps its own snapshot files,
 * `__snapshots__/plus-<line>/<test file>.snap` next to the test; line 27 (the source line, packages/lines/lines.json)
 * keeps the default `__snapshots__/<test file>.snap`, the files of the main run. The line is CDK8S_PLUS_LINE (checked by
 * the config, which jest loads first; its workers inherit the environment).
 */
const path = require('path');

const SOURCE_LINE = String(require('../../packages/lines/lines.json').source);
const line = () => String(process.env.CDK8S_PLUS_LINE || SOURCE_LINE);
const folder = () => (line() === SOURCE_LINE ? '__snapshots__' : path.join('__snapshots__', `plus-${line()}`));

module.exports = {
  resolveSnapshotPath: (testPath, ext) => path.join(path.dirname(testPath), folder(), path.basename(testPath) + ext),
  // from the folder of a snapshot file (any line's) back to its test file
  resolveTestPath: (snapshotPath, ext) => {
    const dir = path.dirname(snapshotPath);
    const up = /^plus-\d+$/.test(path.basename(dir)) ? ['..', '..'] : ['..'];
    return path.join(dir, ...up, path.basename(snapshotPath, ext));
  },
  testPathForConsistencyCheck: path.join('test', 'constructs', 'example.test.ts'),
};
