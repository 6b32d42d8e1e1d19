'use strict';
// What Node loads for `require('@pbx2fa/messaging')` (an npm workspace): the library's build, made by
// `npm run build`. TypeScript reads src/ instead (package.json "types"); Jest maps to src/ too.
module.exports = require('../../dist/libs/messaging/src/index.js');
