'use strict';
// Baseline of the whole-command JSON case: `node` reading FILE and `JSON.parse`. Prints the item count.
const fs = require('fs');
const list = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
process.stdout.write(`${list.items.length}\n`);
