// Validate AsyncAPI documents with the official parser: node validate.mjs FILE...
// Prints every diagnostic of severity error and exits 1 if there was one.
import { readFileSync } from "node:fs";
import { Parser } from "@asyncapi/parser";

const parser = new Parser();
let failed = false;
for (const file of process.argv.slice(2)) {
  const { document, diagnostics } = await parser.parse(readFileSync(file, "utf8"), { source: file });
  const errors = diagnostics.filter((d) => d.severity === 0);
  for (const d of errors) console.log(`${file}: ${d.code}: ${d.message} at ${d.path.join(".")}`);
  if (errors.length || !document) failed = true;
  else console.log(`${file}: ok (${document.channels().length} channels, ${document.operations().length} operations)`);
}
process.exit(failed ? 1 : 0);
