// Read once from package.json so reports, evidence and --version never disagree.
// eslint-disable-next-line @typescript-eslint/no-var-requires
export const EXEMPT_VERSION: string = require("../package.json").version;
