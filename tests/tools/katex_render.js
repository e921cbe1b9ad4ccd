// Renders each fragment with KaTeX, as Markdown notebooks and web pages do.
// stdin: JSON [{"tex": "...", "display": true}, ...]; stdout: JSON list of errors ("" for none).
const katex = require(process.env.JAC_KATEX_MODULE || "katex");
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const errors = JSON.parse(input).map(({ tex, display }) => {
    try {
      katex.renderToString(tex, { displayMode: display, throwOnError: true, strict: "error" });
      return "";
    } catch (e) {
      return String(e.message);
    }
  });
  process.stdout.write(JSON.stringify(errors));
});
