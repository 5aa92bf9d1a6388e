// Loaded with `--require` into node-red-dev's process: answers its request for the flow library's
// catalogue (https://catalogue.nodered.org/catalogue.json) from a local excerpt, since the test machine
// reaches only loopback and the npm registry. Every other request goes out unchanged.
import fs from 'node:fs';
import path from 'node:path';

const CATALOGUE_URL = 'https://catalogue.nodered.org/catalogue.json';
const catalogue = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'catalogue.json'), 'utf8'));
const validator = path.dirname(require.resolve('node-red-dev/package.json'));
const axios = require(require.resolve('axios', { paths: [path.join(validator, 'src', 'libs')] }));

axios.interceptors.request.use((config: { url?: string; adapter?: unknown }) => {
  if (config.url === CATALOGUE_URL) {
    config.adapter = async () => {
      process.stderr.write(`[catalogue-stub] answered ${CATALOGUE_URL} locally\n`);
      return { data: catalogue, status: 200, statusText: 'OK', headers: {}, config, request: {} };
    };
  }
  return config;
});
