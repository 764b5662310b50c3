#!/usr/bin/env node
// Parse a GIFT file with the independent gift-pegjs parser and print the questions as JSON.
// Usage: node tests/js/parse_gift.js FILE.gift.txt  (exit 1 with file:line:column on a syntax error)
"use strict";
const fs = require("fs");
const path = require("path");
const { parse } = require(path.join(__dirname, "..", "..", "node_modules", "gift-pegjs"));

const file = process.argv[2];
if (!file) {
  console.error("usage: node parse_gift.js FILE");
  process.exit(2);
}
const text = fs.readFileSync(file, "utf8");
try {
  process.stdout.write(JSON.stringify(parse(text), null, 1));
} catch (error) {
  const where = error.location ? `${error.location.start.line}:${error.location.start.column}` : "?";
  console.error(`${file}:${where}: ${error.message}`);
  process.exit(1);
}
