/** @type {import('prettier').Config} */
// Prettier for XML, JS, YAML, JSON, TOML, CSS and Markdown, with the settings of
// OCA's oca-addons-repo-template for Odoo >= 18 (prettier.config.cjs there; the
// older .prettierrc.yml is what that template now flags as obsolete).
const config = {
    plugins: [require.resolve("@prettier/plugin-xml")],
    bracketSpacing: false,
    printWidth: 88,
    proseWrap: "always",
    semi: true,
    trailingComma: "es5",
    xmlWhitespaceSensitivity: "preserve",
};

module.exports = config;
