'use strict';
/** The two seed exchanges (the GWS documentation pages in test/fixtures/seeds), parsed. */
const fs = require('node:fs');
const path = require('node:path');

/** The seed pages write JSON the Python way ('…', True). */
function pythonish(text) {
  return JSON.parse(text.replace(/'/g, '"').replace(/\bTrue\b/g, 'true').replace(/\bFalse\b/g, 'false'));
}

/** One seed exchange: the record handle, the request body, the synchronous answer and the CometD array. */
function readSeed(file) {
  const text = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'seeds', file), 'utf8');
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.startsWith('POST /api/v2/me/outbound-records/'));
  const handle = lines[start].split('/').pop().trim();
  const rest = lines.slice(start + 1).join('\n');
  const requestEnd = rest.indexOf('}') + 1;
  const request = pythonish(rest.slice(0, requestEnd));
  const answerStart = rest.indexOf('{', requestEnd);
  const answerEnd = rest.indexOf('}', answerStart) + 1;
  const answer = pythonish(rest.slice(answerStart, answerEnd));
  const cometd = pythonish(rest.slice(rest.indexOf('[', answerEnd)));
  return { handle, request, answer, cometd };
}

module.exports = { readSeed };
