// Test-runner stand-in for the ESM-only `content-disposition` that @fastify/static (CommonJS)
// requires at load time: jest 29 cannot require an ES module on Node 20. Warden never sends
// attachments; only Swagger UI's static files are served, which never call this.
function create(filename, options = {}) {
  const type = options.type || 'attachment';
  return filename ? `${type}; filename="${String(filename).replace(/["\\]/g, '\\$&')}"` : type;
}
module.exports = { create, parse: () => ({ type: 'attachment', parameters: {} }) };
