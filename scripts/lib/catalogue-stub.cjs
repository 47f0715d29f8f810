// Preloaded into `node-red-dev validate`: the flows catalogue (catalogue.nodered.org) cannot be reached
// from here, so its one call is answered from test/fixtures/catalogue.json. Every other request
// (the npm registry) goes out as usual.
const path = require('node:path');
const Module = require('node:module');

const validator = path.dirname(require.resolve('node-red-dev/package.json'));
const axios = Module.createRequire(path.join(validator, 'src', 'libs', 'checknodes.js'))('axios');
const catalogue = require(path.join(__dirname, '..', '..', 'test', 'fixtures', 'catalogue.json'));
const get = axios.get.bind(axios);
axios.get = (url, ...rest) => {
  if (String(url).startsWith('https://catalogue.nodered.org/')) return Promise.resolve({ status: 200, data: catalogue });
  return get(url, ...rest);
};
