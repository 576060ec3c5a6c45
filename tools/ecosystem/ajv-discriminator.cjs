// ajv-cli 5 has no flag for Ajv's `discriminator` option; `ajv -c <this file>` calls this
// function with its Ajv instance before compiling, and it turns the option on.
const discriminator = require("ajv/dist/vocabularies/discriminator").default;

module.exports = function enableDiscriminator(ajv) {
  ajv.opts.discriminator = true;
  ajv.addKeyword(discriminator);
};
