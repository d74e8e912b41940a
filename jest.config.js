/** Tests run TypeScript through swc (type checking is `tsc --noEmit`, run first by `npm test`). */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.tsx?$": ["@swc/jest"] },
  setupFilesAfterEnv: ["<rootDir>/test/setup.js"],
  testTimeout: 60000,
  // End-to-end suites start servers and Terraform; two workers fit the 2-core machine.
  maxWorkers: 2,
};
