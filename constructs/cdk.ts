// The one place cdktf is imported. Moving to its community fork (cdktn) means changing the two
// module names below and package.json; nothing else in Exempt names cdktf.
export * from "cdktf";
// Not part of cdktf's root exports, but the supported way for a construct to write a file into its
// stack's output folder at synth (cdktf's own TerraformAsset uses it).
export { addCustomSynthesis } from "cdktf/lib/synthesize/synthesizer";
export type { ISynthesisSession } from "cdktf/lib/synthesize/types";
