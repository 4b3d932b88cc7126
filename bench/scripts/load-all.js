'use strict';
// Baseline of the whole-command YAML cases: `node` reading FILE and running js-yaml `loadAll` on it
// (YAML 1.2: a speed baseline, not a reader to copy). Prints the number of documents.
const fs = require('fs');
const yaml = require('js-yaml');
const docs = yaml.loadAll(fs.readFileSync(process.argv[2], 'utf8'));
process.stdout.write(`${docs.length}\n`);
